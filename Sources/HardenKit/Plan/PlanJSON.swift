import Foundation

/// The JSON form of a plan (docs/plan-format.md): `version`, `root`, `profiles`, `changes`,
/// `observations`, `errors`, `reads`. Content changes carry text and exact bytes (base64).
public enum PlanJSON {
    public static func object(_ plan: Plan) -> [String: Any] {
        var changes: [[String: Any]] = []
        for c in plan.changes {
            var o: [String: Any] = [
                "kind": c.kind.rawValue, "action": c.action.rawValue, "path": c.path,
                "resource": c.resources.first ?? "", "resources": c.resources, "rules": c.rules,
            ]
            switch c.kind {
            case .file:
                o["before"] = c.before.map { String(decoding: $0, as: UTF8.self) } ?? NSNull()
                o["after"] = c.after.map { String(decoding: $0, as: UTF8.self) } ?? NSNull()
                o["before_sha256"] = c.before.map(SnapshotHost.sha256) ?? NSNull()
                o["after_sha256"] = c.after.map(SnapshotHost.sha256) ?? NSNull()
                o["after_base64"] = c.after.map { Data($0).base64EncodedString() } ?? NSNull()
                o["before_base64"] = c.before.map { Data($0).base64EncodedString() } ?? NSNull()
            case .metadata:
                o["before"] = c.beforeText ?? NSNull()
                o["after"] = c.afterText ?? NSNull()
                if let m = c.metadata {
                    var meta: [String: Any] = [:]
                    if let v = m.uidAfter { meta["uid"] = v }
                    if let v = m.gidAfter { meta["gid"] = v }
                    if let v = m.modeAfter { meta["mode"] = FileModes.octal(v) }
                    if let v = m.create { meta["create"] = v.rawValue }
                    o["set"] = meta
                    if m.create == nil, let u = m.uidBefore, let g = m.gidBefore, let md = m.modeBefore {
                        // what the plan saw: a saved plan is stale when this changed since
                        o["was"] = ["uid": u, "gid": g, "mode": FileModes.octal(md)] as [String: Any]
                    }
                }
            case .runtime, .service:
                o["before"] = c.beforeText ?? NSNull()
                o["after"] = c.afterText ?? NSNull()
            }
            changes.append(o)
        }
        let observations: [[String: Any]] = plan.observations.map { ob in
            var o: [String: Any] = [
                "resource": ob.key, "rules": plan.rules(for: [ob.key]), "desired": ob.desired,
                "current": ob.current ?? NSNull(), "warnings": ob.warnings,
            ]
            switch ob.status {
            case .compliant: o["status"] = "compliant"
            case .pending: o["status"] = "pending"
            case .error(let r):
                o["status"] = "error"
                o["error"] = r
            }
            if let s = ob.source { o["source"] = s }
            return o
        }
        return [
            "version": Plan.version, "root": plan.root, "profiles": plan.profiles, "live_root": plan.liveRoot,
            "changes": changes, "observations": observations, "errors": plan.errors, "warnings": plan.warnings,
            "reads": plan.reads,
            "compliant": plan.isCompliant,
            "source": plan.source.map { s -> Any in
                ["entries": s.entries, "profile_paths": s.profilePaths, "sets": s.sets, "files": s.files] as [String: Any]
            } ?? NSNull(),
        ]
    }

    /// Pretty, key-sorted JSON text.
    public static func render(_ plan: Plan) -> String {
        let data = (try? JSONSerialization.data(
            withJSONObject: object(plan), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
