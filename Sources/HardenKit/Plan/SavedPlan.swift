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
            rulesByKey: [:], reads: reads, errors: obj["errors"] as? [String] ?? [])
        plan.warnings = obj["warnings"] as? [String] ?? []
        for o in obj["observations"] as? [[String: Any]] ?? [] {
            guard let key = o["resource"] as? String else { continue }
            let status: Observation.Status
            switch o["status"] as? String {
            case "compliant": status = .compliant
            case "pending": status = .pending
            default: status = .error(o["error"] as? String ?? "error")
            }
            plan.observations.append(Observation(
                key: key, desired: o["desired"] as? String ?? "", current: o["current"] as? String,
                source: o["source"] as? String, status: status, warnings: o["warnings"] as? [String] ?? []))
            plan.rulesByKey[key] = o["rules"] as? [String] ?? []
        }
        if let s = obj["source"] as? [String: Any] {
            plan.source = ProfileSource(
                entries: s["entries"] as? [String] ?? [], profilePaths: s["profile_paths"] as? [String] ?? [],
                sets: s["sets"] as? [String] ?? [], files: s["files"] as? [String: String] ?? [:])
        }
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
                if let b64 = c["before_base64"] as? String {
                    guard let d = Data(base64Encoded: b64) else { throw Invalid(description: "change \(i + 1): bad before_base64") }
                    change.before = Array(d)
                }
                change.beforeSHA = c["before_sha256"] as? String
                if let before = change.before, let sha = change.beforeSHA, RootHost.sha(before) != sha {
                    throw Invalid(description: "change \(i + 1): before_base64 does not match before_sha256")
                }
            case .metadata:
                var m = MetadataChange(path: path, key: change.resources.first ?? "")
                let set = c["set"] as? [String: Any] ?? [:]
                m.uidAfter = (set["uid"] as? NSNumber)?.uint32Value
                m.gidAfter = (set["gid"] as? NSNumber)?.uint32Value
                m.modeAfter = (set["mode"] as? String).flatMap { UInt32($0, radix: 8) }
                m.create = (set["create"] as? String).flatMap(MetadataChange.Create.init)
                if let was = c["was"] as? [String: Any] {
                    m.uidBefore = (was["uid"] as? NSNumber)?.uint32Value
                    m.gidBefore = (was["gid"] as? NSNumber)?.uint32Value
                    m.modeBefore = (was["mode"] as? String).flatMap { UInt32($0, radix: 8) }
                }
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

    /// Paths whose bytes, listing or owner/mode differ from when the plan was made (empty:
    /// the plan still holds).
    public func stalePaths(host: RootHost) -> [String] {
        var stale: [String] = []
        for (key, digest) in plan.reads.sorted(by: { $0.key < $1.key }) where key.hasPrefix("dir:") {
            let dir = String(key.dropFirst(4))
            if SnapshotHost.listingDigest(dir, host: host) != digest { stale.append(dir + "/ (entries added or removed)") }
        }
        for c in plan.changes where c.kind == .metadata {
            guard let m = c.metadata, m.create == nil, let mode = m.modeBefore else { continue }
            let now = (try? host.metadata(c.path, follow: false)) ?? nil
            if now?.mode != mode || now?.uid != m.uidBefore || now?.gid != m.gidBefore {
                stale.append(c.path + " (owner or mode)")
            }
        }
        for (path, digest) in plan.reads.sorted(by: { $0.key < $1.key }) where !path.hasPrefix("dir:") {
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
