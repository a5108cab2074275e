import Foundation

/// A plan saved with `plan --out`, read back for `apply PLANFILE`: the changes with their exact
/// bytes, and the SHA-256 of every file the plan read, to refuse it when the host changed.
public struct SavedPlan {
    public var plan: Plan

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(bytes: [UInt8]) throws(Invalid) {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw Invalid(description: "not a JSON plan")
        }
        guard obj["version"] as? Int == Plan.version else {
            throw Invalid(description: "plan format version \(obj["version"] ?? "missing") is not \(Plan.version)")
        }
        guard let root = obj["root"] as? String, let profiles = obj["profiles"] as? [String],
            let changes = obj["changes"] as? [[String: Any]], let reads = obj["reads"] as? [String: String]
        else { throw Invalid(description: "the plan lacks root, profiles, changes or reads") }
        var plan = Plan(
            root: root, profiles: profiles, liveRoot: obj["live_root"] as? Bool ?? false, changes: [], observations: [],
            rulesByKey: [:], reads: reads, errors: [])
        for (i, c) in changes.enumerated() {
            guard let kind = (c["kind"] as? String).flatMap(PlanChange.Kind.init), let action = (c["action"] as? String).flatMap(PlanChange.Action.init),
                let path = c["path"] as? String
            else { throw Invalid(description: "change \(i + 1) is malformed") }
            var change = PlanChange(
                kind: kind, action: action, path: path, resources: c["resources"] as? [String] ?? [],
                rules: c["rules"] as? [String] ?? [])
            switch kind {
            case .file:
                if let b64 = c["after_base64"] as? String {
                    guard let d = Data(base64Encoded: b64) else { throw Invalid(description: "change \(i + 1): bad after_base64") }
                    change.after = Array(d)
                }
                if c["before_sha256"] is String {
                    // the before bytes are the file as read; its hash is in `reads`
                    change.before = nil
                    change.beforeSHA = c["before_sha256"] as? String
                }
            case .metadata:
                var m = MetadataChange(path: path, key: change.resources.first ?? "")
                let set = c["set"] as? [String: Any] ?? [:]
                m.uidAfter = (set["uid"] as? NSNumber)?.uint32Value
                m.gidAfter = (set["gid"] as? NSNumber)?.uint32Value
                m.modeAfter = (set["mode"] as? String).flatMap { UInt32($0, radix: 8) }
                m.create = (set["create"] as? String).flatMap(MetadataChange.Create.init)
                change.metadata = m
                change.beforeText = c["before"] as? String
                change.afterText = c["after"] as? String
            case .runtime, .service:
                change.beforeText = c["before"] as? String
                change.afterText = c["after"] as? String
            }
            plan.changes.append(change)
        }
        self.plan = plan
    }

    /// Paths whose bytes differ from when the plan was made (empty: the plan still holds).
    public func stalePaths(host: RootHost) -> [String] {
        var stale: [String] = []
        for (path, digest) in plan.reads.sorted(by: { $0.key < $1.key }) {
            let now: String
            do {
                now = RootHost.sha(try host.readFile(path))
            } catch {
                if case .notFound = error { now = "absent" } else { now = "unreadable" }
            }
            if now != digest { stale.append(path) }
        }
        return stale
    }
}
