import Foundation
import YAMLSyntax

/// Runs every resource kind's planner over the desired-state graph and assembles one `Plan`.
public struct PlanEngine {
    public let set: ProfileSet
    public let graph: DesiredGraph

    public init(set: ProfileSet) {
        self.set = set
        self.graph = DesiredGraph(rules: set.activeRules)
    }

    /// Probe the tree under `host` (wrapped in a snapshot so each file is read once and hashed).
    public func plan(root: String, host: RootHost) -> Plan {
        let snap = SnapshotHost(host)
        let live = host.isLiveRoot
        var kinds: [KindPlan] = []
        let inputs = DesiredInputs(rules: set.activeRules)
        if !inputs.sshd.isEmpty { kinds.append(SshdPlanner.plan(desired: inputs.sshd, host: snap)) }
        if !inputs.sysctl.isEmpty {
            kinds.append(SysctlPlanner.plan(desired: inputs.sysctl, host: snap, runtime: live ? ProcSysRuntime() : nil))
        }
        if !inputs.keyvalue.isEmpty { kinds.append(KeyValuePlanner.plan(desired: inputs.keyvalue, host: snap)) }
        if !inputs.file.isEmpty { kinds.append(FilePlanner.plan(desired: inputs.file, host: snap)) }
        return assemble(kinds, root: root, live: live, reads: snap.digests)
    }

    func assemble(_ kinds: [KindPlan], root: String, live: Bool, reads: [String: String]) -> Plan {
        var rulesByKey: [String: [String]] = [:]
        for (k, n) in graph.nodes { rulesByKey[k] = n.rules }
        let position = Dictionary(graph.order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        func pos(_ keys: [String]) -> Int { keys.compactMap { position[$0] }.min() ?? Int.max }
        var plan = Plan(
            root: root, profiles: set.profiles.map(\.name), liveRoot: live, changes: [], observations: [],
            rulesByKey: rulesByKey, reads: reads, errors: [])
        var observations = kinds.flatMap(\.observations)
        observations.sort { (position[$0.key] ?? Int.max, $0.key) < (position[$1.key] ?? Int.max, $1.key) }
        plan.observations = observations
        var changes: [(Int, PlanChange)] = []
        var editedBy: [String: [String]] = [:]
        for kind in kinds {
            for e in kind.edits where e.before != e.after {
                if let other = editedBy[e.path] {
                    plan.errors.append("\(e.path) is edited by two resource kinds (\(other.joined(separator: ", ")) and \(e.keys.joined(separator: ", ")))")
                    continue
                }
                editedBy[e.path] = e.keys
                let action: PlanChange.Action = e.before == nil ? .add : e.after == nil ? .remove : .change
                changes.append((pos(e.keys), PlanChange(
                    kind: .file, action: action, path: e.path, resources: e.keys, rules: plan.rules(for: e.keys),
                    before: e.before, after: e.after)))
            }
            for m in kind.metadata where !m.isEmpty {
                changes.append((pos([m.key]), PlanChange(
                    kind: .metadata, action: m.create == nil ? .change : .add, path: m.path, resources: [m.key],
                    rules: plan.rules(for: [m.key]), beforeText: Self.describe(m, after: false),
                    afterText: Self.describe(m, after: true), metadata: m)))
            }
        }
        for o in observations where o.key.hasPrefix("sysctl-runtime:") && o.status == .pending {
            let key = String(o.key.dropFirst("sysctl-runtime:".count))
            changes.append((pos([o.key]), PlanChange(
                kind: .runtime, action: .change, path: key, resources: [o.key], rules: plan.rules(for: [o.key]),
                beforeText: o.current, afterText: o.desired)))
        }
        if live {
            if changes.contains(where: { $0.1.resources.contains { $0.hasPrefix("sshd:") } && $0.1.kind == .file }) {
                let keys = graph.nodes["service:sshd"].map { [$0.key] } ?? []
                changes.append((pos(keys), PlanChange(
                    kind: .service, action: .change, path: "sshd", resources: keys, rules: plan.rules(for: keys),
                    beforeText: "running", afterText: "reloaded")))
            }
        }
        plan.changes = changes.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        return plan
    }

    /// `root:root 0644` style text of one side of a metadata change.
    static func describe(_ m: MetadataChange, after: Bool) -> String {
        if let d = after ? m.displayAfter : m.displayBefore { return d }
        if m.create != nil && !after { return "missing" }
        var parts: [String] = []
        let uid = after ? (m.uidAfter ?? m.uidBefore) : m.uidBefore
        let gid = after ? (m.gidAfter ?? m.gidBefore) : m.gidBefore
        let mode = after ? (m.modeAfter ?? m.modeBefore) : m.modeBefore
        if let uid, let gid { parts.append("\(uid):\(gid)") }
        if let mode { parts.append(FileModes.octal(mode)) }
        if after, let c = m.create { parts.append("(create \(c.rawValue))") }
        return parts.joined(separator: " ")
    }
}

/// The desired inputs of each kind, taken from the active rules (deduplicated by key; the
/// resolver already refused conflicting values).
struct DesiredInputs {
    var sshd: [SshdDesired] = []
    var sysctl: [SysctlDesired] = []
    var keyvalue: [KeyValueDesired] = []
    var file: [FileDesired] = []

    init(rules: [Rule]) {
        var seen = Set<String>()
        for rule in rules {
            switch rule.body {
            case .sshd(let settings):
                for s in settings where seen.insert("sshd:" + s.keyword.lowercased()).inserted {
                    sshd.append(SshdDesired(key: "sshd:" + s.keyword.lowercased(), keyword: s.keyword, values: s.values.map(\.text)))
                }
            case .sysctl(let settings):
                for s in settings where seen.insert("sysctl:" + s.key).inserted {
                    sysctl.append(SysctlDesired(key: s.key, value: s.value.text))
                }
            case .keyvalue(let k):
                for s in k.settings where seen.insert("keyvalue:\(k.path.text):\(s.key)").inserted {
                    keyvalue.append(KeyValueDesired(path: k.path.text, key: s.key, text: s.value.text, format: k.format, create: k.create))
                }
            case .file(let f):
                let key = f.body.claims.first?.node ?? "file:" + f.path.text
                if let i = file.firstIndex(where: { $0.key == key }) {
                    // several rules on one path merge their attributes (conflicts were refused)
                    if let o = f.owner { file[i].owner = o.text }
                    if !f.group.isEmpty { file[i].groups = f.group.map(\.text) }
                    if let m = f.mode { file[i].mode = Validate.mode(m.text); file[i].exactMode = f.exactMode }
                    file[i].create = file[i].create || f.create
                    file[i].exclude += f.exclude.map(\.text)
                } else {
                    file.append(FileDesired(
                        key: key, path: f.path.text, owner: f.owner?.text, groups: f.group.map(\.text),
                        mode: f.mode.flatMap { Validate.mode($0.text) }, exactMode: f.exactMode, recursive: f.recursive,
                        type: f.type, create: f.create, exclude: f.exclude.map(\.text)))
                }
            case .pam, .audit:
                break  // planned by their kinds (PAM and audit issue)
            }
        }
    }
}

extension FileSpec {
    var body: ResourceBody { .file(self) }
}

/// Runtime sysctl values from the live kernel (`/proc/sys`), only used when the root is `/`.
struct ProcSysRuntime: SysctlRuntime {
    func read(_ key: String) -> String? {
        let path = "/proc/sys/" + SysctlKey.procPath(key)
        guard let bytes = try? FileBytes.read(path, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
