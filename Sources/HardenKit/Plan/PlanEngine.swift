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
        if !inputs.pam.isEmpty { kinds.append(PamPlanner.plan(desired: inputs.pam, host: snap)) }
        if !inputs.audit.isEmpty {
            kinds.append(AuditPlanner.plan(desired: inputs.audit, host: snap, runtime: live ? AuditctlRuntime() : nil))
        }
        if !inputs.file.isEmpty {
            // owner and mode come after content: the file kind sees the tree as the content
            // edits leave it (a new sshd drop-in is matched by a glob rule on sshd_config.d)
            var edits: [String: [UInt8]?] = [:]
            for k in kinds { for e in k.edits { edits[e.path] = e.after } }
            let after = OverlayHost(base: snap, edits: edits)
            kinds.append(FilePlanner.plan(desired: inputs.file, host: after))
        }
        // what apply will refuse is an error now, not a promise: a write through a symlinked
        // directory, onto a FIFO or device, or a chmod of one
        var refused: [String] = []
        let chain = DirectoryChain(host: host)  // thousands of metadata paths share directories
        for i in kinds.indices {
            kinds[i].edits.removeAll { e in
                if let why = Self.unwritable(e.path, host: host, file: true, chain: chain) {
                    refused.append("\(e.path): \(why); nothing of \(e.keys.joined(separator: ", ")) is applied")
                    return true
                }
                return false
            }
            kinds[i].metadata.removeAll { m in
                if let why = Self.unwritable(m.path, host: host, file: m.create == .file, chain: chain) {
                    refused.append("\(m.path): \(why); nothing of \(m.key) is applied")
                    return true
                }
                return false
            }
        }
        // the digests are taken once, below, after the last read (hashing every file read
        // twice cost 6% of planning 30,000 sshd drop-ins)
        var plan = assemble(kinds, root: root, live: live, reads: [:])
        plan.errors += refused
        plan.warnings += auditdConfWarnings(plan, inputs: inputs, host: snap)
        plan.reads = snap.digests
        return plan
    }

    /// Why apply could not write `path` (nil: it can): a parent that is a symlink or not a
    /// directory, or a path that exists and is neither a regular file nor (for `file: false`) a
    /// directory.
    static func unwritable(_ path: String, host: RootHost, file: Bool, chain: DirectoryChain? = nil) -> String? {
        if let chain {
            // the same answers, from the descriptors of the previous path's directories
            switch chain.parent(of: path) {
            case .missing: return nil  // created by apply
            case .symlink(let dir): return "\(dir) is a symlink (harden never writes through one)"
            case .notDirectory(let dir): return "\(dir) is not a directory"
            case .directory(let fd, let name):
                var st = stat()
                guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
                return unwritable(type: RootHost.fileStat(st).type, file: file)
            case .general: break
            }
        }
        var dir = ""
        let parts = path.split(separator: "/")
        for part in parts.dropLast() {
            dir += "/" + part
            guard let st = (try? host.metadata(dir, follow: false)) ?? nil else { return nil }  // created by apply
            if st.type == .symlink { return "\(dir) is a symlink (harden never writes through one)" }
            if st.type != .directory { return "\(dir) is not a directory" }
        }
        guard let st = (try? host.metadata(path, follow: false)) ?? nil else { return nil }
        return unwritable(type: st.type, file: file)
    }

    private static func unwritable(type: HostFileType, file: Bool) -> String? {
        switch type {
        case .regular: return nil
        case .directory: return file ? "is a directory" : nil
        case .symlink: return "is a symlink (harden never writes through one)"
        case .other: return "is not a regular file (a FIFO, socket or device)"
        }
    }

    /// A full audit disk must not halt a Kubernetes node: warn on the auditd.conf the plan leaves.
    func auditdConfWarnings(_ plan: Plan, inputs: DesiredInputs, host: HostReader) -> [String] {
        let path = "/etc/audit/auditd.conf"
        guard !inputs.audit.isEmpty || inputs.keyvalue.contains(where: { $0.path == path }) else { return [] }
        let bytes = plan.changes.first { $0.kind == .file && $0.path == path }?.after ?? (try? host.readFile(path))
        guard let bytes else { return [] }
        return AuditdConfWarnings.check(bytes: bytes).map { $0.hasPrefix("auditd.conf:") ? "/etc/audit/" + $0 : "\(path): \($0)" }
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
            if changes.contains(where: { $0.1.resources.contains { $0.hasPrefix("audit:") } && $0.1.kind == .file }) {
                let keys = graph.nodes["service:auditd"].map { [$0.key] } ?? []
                changes.append((pos(keys), PlanChange(
                    kind: .service, action: .change, path: "auditd", resources: keys, rules: plan.rules(for: keys),
                    beforeText: "rules on disk changed", afterText: "augenrules --load")))
            }
            if changes.contains(where: { $0.1.resources.contains { $0.hasPrefix("sshd:") } && $0.1.kind == .file }) {
                let keys = graph.nodes["service:sshd"].map { [$0.key] } ?? []
                changes.append((pos(keys), PlanChange(
                    kind: .service, action: .change, path: "sshd", resources: keys, rules: plan.rules(for: keys),
                    beforeText: "running", afterText: "reload if running")))
            }
        }
        // content first, then owner/mode, then runtime values and services (graph order inside each)
        func phase(_ c: PlanChange) -> Int {
            switch c.kind {
            case .file: return 0
            case .metadata: return 1
            case .runtime: return 2
            case .service: return 3
            }
        }
        plan.changes = changes.enumerated().sorted {
            (phase($0.element.1), $0.element.0, $0.offset) < (phase($1.element.1), $1.element.0, $1.offset)
        }.map(\.element.1)
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
    var audit: [AuditDesired] = []
    var pam: [PamDesired] = []

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
                let key = rule.claims.first?.node ?? "file:" + f.path.text
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
            case .audit(let a):
                for (claim, line) in zip(rule.claims, a.rules) where seen.insert(claim.node).inserted {
                    audit.append(AuditDesired(key: claim.node, rule: line.text, file: a.file?.text, bothArches: a.bothArches))
                }
            case .pam(let p):
                // line and argument rules on one module share a key; the pam kind takes each
                pam.append(p.desired)
            }
        }
    }
}

extension FileSpec {
    var body: ResourceBody { .file(self) }
}

extension AuditSpec {
    var body: ResourceBody { .audit(self) }
}

/// The live kernel's audit state through `auditctl -s` (live root only).
struct AuditctlRuntime: AuditRuntime {
    func isImmutable() -> Bool? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/auditctl") else { return nil }
        let r = Runtime.run("/usr/sbin/auditctl", ["-s"], timeout: 10)
        guard r.status == 0 else { return nil }
        for line in r.output.split(separator: "\n") where line.hasPrefix("enabled ") {
            return line.split(separator: " ").last == "2"
        }
        return nil
    }
}

/// Runtime sysctl values from the live kernel (`/proc/sys`), only used when the root is `/`.
struct ProcSysRuntime: SysctlRuntime {
    func read(_ key: String) -> String? { Runtime.readSysctl(key) }
}
