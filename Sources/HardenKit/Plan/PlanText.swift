/// Human text of a plan: a unified diff per file, owner/mode and runtime changes, rule ids
/// beside each change, warnings and errors, and a summary line.
public struct PlanText {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    private func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    public func render(_ plan: Plan) -> String {
        var out = ""
        for c in plan.changes {
            let rules = paint("[\(c.rules.joined(separator: ", "))]", "2")
            let symbol = paint(c.action.rawValue, c.action == .add ? "32" : c.action == .remove ? "31" : "33")
            switch c.kind {
            case .file:
                let what = c.before == nil ? "create" : c.after == nil ? "remove" : "edit"
                out += "\(symbol) \(c.path) (\(what))  \(rules)\n"
                for line in LineDiff.unified(c.before, c.after, path: c.path).splitBytes(UInt8(ascii: "\n"), keepEmpty: true).dropLast() {
                    if line.hasPrefix("+") && !line.hasPrefix("+++") {
                        out += "    " + paint(String(line), "32") + "\n"
                    } else if line.hasPrefix("-") && !line.hasPrefix("---") {
                        out += "    " + paint(String(line), "31") + "\n"
                    } else {
                        out += "    \(line)\n"
                    }
                }
            case .metadata:
                out += "\(symbol) \(c.path) \(c.beforeText ?? "") -> \(c.afterText ?? "")  \(rules)\n"
            case .runtime:
                out += "\(symbol) runtime \(c.path) \(c.beforeText ?? "unset") -> \(c.afterText ?? "")  \(rules)\n"
            case .service:
                out += "\(symbol) service \(c.path) \(c.afterText ?? "")  \(rules)\n"
            }
        }
        for o in plan.observations {
            let rules = plan.rules(for: [o.key]).joined(separator: ", ")
            for w in o.warnings where !(w.hasPrefix("runtime not probed") && !plan.liveRoot) { out += paint("warning:", "1;33") + " \(o.key) [\(rules)]: \(w)\n" }
            if case .error(let reason) = o.status { out += paint("error:", "1;31") + " \(o.key) [\(rules)]: \(reason)\n" }
        }
        for w in plan.warnings { out += paint("warning:", "1;33") + " \(w)\n" }
        for e in plan.errors { out += paint("error:", "1;31") + " \(e)\n" }
        if !plan.liveRoot {
            out += "note: root \(plan.root) is not the live system: runtime values are not probed and no service is reloaded\n"
        }
        return out + summary(plan) + "\n"
    }

    /// `Plan: 2 files to edit, 1 to create, ...; 10 of 12 keys compliant.`
    public func summary(_ plan: Plan) -> String {
        func n(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        if plan.isCompliant { return "No changes. \(n(plan.observations.count, "resource")) compliant." }
        var parts: [String] = []
        let files = plan.changes.filter { $0.kind == .file }
        let create = files.filter { $0.action == .add }.count
        let edit = files.count - create
        if edit > 0 { parts.append("\(edit) file\(edit == 1 ? "" : "s") to edit") }
        if create > 0 { parts.append(edit > 0 ? "\(create) to create" : "\(n(create, "file")) to create") }
        let meta = plan.changes.filter { $0.kind == .metadata }.count
        if meta > 0 { parts.append("\(meta) owner/mode change\(meta == 1 ? "" : "s")") }
        let rt = plan.changes.filter { $0.kind == .runtime }.count
        if rt > 0 { parts.append("\(rt) runtime value\(rt == 1 ? "" : "s")") }
        let svc = plan.changes.filter { $0.kind == .service }.count
        if svc > 0 { parts.append("\(svc) service reload\(svc == 1 ? "" : "s")") }
        let compliant = plan.observations.filter { $0.status == .compliant }.count
        let errors = plan.observations.filter { if case .error = $0.status { return true } else { return false } }.count + plan.errors.count
        var s = "Plan: " + (parts.isEmpty ? "no changes" : parts.joined(separator: ", "))
        s += "; \(compliant) of \(plan.observations.count) resources compliant"
        if errors > 0 { s += ", " + n(errors, "error") }
        return s + "."
    }
}
