/// Computes the new bytes of one rules.d file.
///
/// - A file harden owns (it starts with `AuditRulesFile.ownedHeader`, or does not exist yet) is
///   regenerated: the header, then the lines already in it that some desired rule wants (first
///   copy only, as written, in their order), then the missing desired lines, `-e` always last.
///   Anything else in it is dropped, as the header says.
/// - Any other file is edited losslessly: lines are disabled with the `# harden: ` prefix and
///   missing lines appended at the end (`-e` last); every other byte stays.
enum AuditFileEditor {
    /// The new bytes of the file called `name`.
    /// - Parameters:
    ///   - existing: the file as it is, nil when it does not exist.
    ///   - additions: missing lines for this file, in desired order.
    ///   - remove: 0-based indices of lines to disable (or, in an owned file, to leave out).
    ///   - wanted: every desired rule (resolved), to decide which lines of an owned file stay.
    static func edit(
        existing: AuditRulesTree.File?, additions: [String], remove: Set<Int>, wanted: [AuditRule],
        machine: AuditMachine, isDirectory: (String) -> Bool
    ) -> [UInt8] {
        let ordered = additions.filter { !isEnable($0, machine) } + additions.filter { isEnable($0, machine) }
        guard let existing, !existing.isOwned else {
            return regenerate(
                existing, additions: ordered, remove: remove, wanted: wanted, machine: machine, isDirectory: isDirectory
            )
        }
        var model = existing.model
        for i in remove.sorted() where i < model.lines.count { model.commentOut(line: i) }
        for a in ordered { model.append(a) }
        return model.render()
    }

    private static func regenerate(
        _ existing: AuditRulesTree.File?, additions: [String], remove: Set<Int>, wanted: [AuditRule],
        machine: AuditMachine, isDirectory: (String) -> Bool
    ) -> [UInt8] {
        var body: [[UInt8]] = []
        var enable: [UInt8]?
        var seen = Set<Int>()
        for (i, line) in (existing?.model.lines ?? []).enumerated() where !remove.contains(i) {
            guard case .rule(let raw) = AuditRulesFile.classify(line.content, machine: machine) else { continue }
            let rule = raw.watchPath.map { raw.resolvingWatch(isDirectory: isDirectory($0)) } ?? raw
            guard let w = wanted.firstIndex(where: { $0 == rule }), !seen.contains(w) else { continue }
            seen.insert(w)
            if rule.control?.option == "-e" { enable = line.content } else { body.append(line.content) }
        }
        for a in additions {
            if isEnable(a, machine) { enable = Array(a.utf8) } else { body.append(Array(a.utf8)) }
        }
        var out = Array(AuditRulesFile.ownedHeader.utf8) + [0x0A]
        for b in body { out += b + [0x0A] }
        if let enable { out += enable + [0x0A] }
        return out
    }

    private static func isEnable(_ text: String, _ machine: AuditMachine) -> Bool {
        if case .success(let r) = AuditRule.parse(text, machine: machine) { return r.control?.option == "-e" }
        return false
    }
}
