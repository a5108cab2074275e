/// One line the planner wants loaded: a desired rule (or one of its two ABI forms), parsed and
/// with its watch resolved, and the rules.d file it goes to when missing.
struct AuditWant {
    var desired: Int
    var rule: AuditRule
    var text: String
    var file: String
}

/// What the probe found for one `AuditWant`, and what fixes it.
struct AuditFinding {
    var compliant = true
    var current: String?
    var source: String?
    var warnings: [String] = []
    /// Add `want.text` to `want.file`.
    var add = false
    /// Lines to disable with `# harden: ` (or to leave out of a regenerated owned file).
    var remove: [AugenrulesMerge.Origin] = []
}

/// Decides, for one wanted line, whether the loaded rules already have it and what to change.
enum AuditRuleCheck {
    static func check(_ want: AuditWant, loaded: [AuditRulesTree.Loaded], tree: AuditRulesTree) -> AuditFinding {
        if let control = want.rule.control { return checkControl(want, control, loaded: loaded, tree: tree) }
        var f = AuditFinding()
        let matches = loaded.filter { $0.rule == want.rule }
        guard let first = matches.first else {
            f.compliant = false
            f.add = true
            return f
        }
        let isOwned: (AuditRulesTree.Loaded) -> Bool = { tree.file($0.origin.file)?.isOwned ?? false }
        let kept = matches.first { !isOwned($0) } ?? first
        f.current = tree.text(kept.origin)
        f.source = tree.location(kept.origin)
        let extraOwned = matches.filter { isOwned($0) && $0.origin != kept.origin }
        if !extraOwned.isEmpty {
            f.compliant = false
            f.remove = extraOwned.map(\.origin)
            for o in extraOwned {
                f.warnings.append("\(tree.location(o.origin)): duplicate in a file harden owns; removed there")
            }
        }
        let extraOther = matches.filter { !isOwned($0) && $0.origin != kept.origin }
        if !extraOther.isEmpty {
            let more = extraOther.map { tree.location($0.origin) }.joined(separator: ", ")
            f.warnings.append("also loaded from \(more); auditctl refuses an exact duplicate (\"Rule exists\")")
        }
        return f
    }

    private static func checkControl(
        _ want: AuditWant, _ control: AuditControl, loaded: [AuditRulesTree.Loaded], tree: AuditRulesTree
    ) -> AuditFinding {
        var f = AuditFinding()
        guard let value = control.value else {
            // Presence settings: -D, -i, -c, --loginuid-immutable, --reset-lost.
            if let m = loaded.first(where: { $0.rule == want.rule }) {
                f.current = tree.text(m.origin)
                f.source = tree.location(m.origin)
            } else {
                f.compliant = false
                f.add = true
            }
            return f
        }
        let lines = loaded.filter { $0.rule?.control?.option == control.option }
        if let effective = lines.last {
            f.current = tree.text(effective.origin)
            f.source = tree.location(effective.origin)
        }
        if control.option == "-e" {
            if lines.count == 1, let only = lines.first, only.rule?.control?.value == value,
                only.origin.file == want.file || only.origin.file == tree.lastLoaded
            {
                return f
            }
            f.compliant = false
            let keep = lines.last { $0.rule?.control?.value == value && $0.origin.file == want.file }
            f.remove = lines.filter { $0.origin != keep?.origin }.map(\.origin)
            f.add = keep == nil
            for l in lines where l.origin != keep?.origin {
                f.warnings.append(
                    "\(tree.location(l.origin)): \(tree.text(l.origin)) disabled; -e belongs only in \(want.file), loaded last"
                )
            }
            let names = Set(tree.files.map(\.name)).union([want.file])
            if let last = AugenrulesOrder.order(Array(names)).last, last != want.file {
                f.warnings.append(
                    "\(last) is read after \(want.file); augenrules still moves -e to the end of audit.rules")
            }
            return f
        }
        if lines.last?.rule?.control?.value == value { return f }
        f.compliant = false
        let wrong = lines.filter { $0.rule?.control?.value != value }
        f.remove = wrong.map(\.origin)
        f.add = wrong.count == lines.count
        for l in wrong {
            f.warnings.append(
                "\(tree.location(l.origin)): \(tree.text(l.origin)) disabled; it would override \(want.text)")
        }
        return f
    }
}
