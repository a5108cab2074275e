/// Applies one desired entry to one service file by editing its lines (the way for plain
/// files, authconfig's `*-ac` files and the parts of Debian's `common-*` outside
/// pam-auth-update's blocks). Jumps are kept landing on the same entries (`PamJumps`), new
/// lines line up with their neighbours (`PamLineLayout`) and a line is only added or rewritten
/// when its module exists (`PamModuleGuard`).
enum PamStackEditor {
    /// What the entry found before editing.
    struct Finding: Equatable {
        var compliant: Bool
        /// The matched line(s) as text.
        var current: String?
        /// 1-based line of the (first) matched line.
        var line: Int?
        var warnings: [String] = []
    }

    /// Applies `d` to `file`; on a throw `file` is left as it was. `path` (the file's) names
    /// lines in problems and warnings (`path:line`; without it, `line N`).
    static func apply(
        _ d: PamDesired, to file: inout PamFile, guard modules: PamModuleGuard, path: String? = nil
    ) throws(PamProblem) -> Finding {
        var work = file
        let finding: Finding
        if d.isLine && d.state == .present {
            finding = try presentLine(d, &work, modules, path)
        } else if d.editsArgs {
            finding = try editArgs(d, &work, path)
        } else {
            finding = try removeLines(d, &work)
        }
        file = work
        return finding
    }

    /// Lines that are "the line of `d.module`".
    static func candidates(_ d: PamDesired, _ file: PamFile) -> [Int] {
        file.lines.indices.filter { d.matches(file.lines[$0]) }
    }

    /// The one existing line a present-line entry is about, nil when there is none.
    static func pick(_ d: PamDesired, _ file: PamFile) throws(PamProblem) -> Int? {
        let c = candidates(d, file)
        if c.count <= 1 { return c.first }
        if let exact = c.first(where: { sameLine(d, file.lines[$0]) }) { return exact }
        let where_ = c.map { String(file.lineNumber(of: $0)) }.joined(separator: ", ")
        throw PamProblem(
            "\(c.count) \(d.moduleName) lines in the \(d.baseType) stack (lines \(where_)); give a selector to tell which one is meant")
    }

    /// Same control (normalized), same arguments in order, same `-` prefix.
    static func sameLine(_ d: PamDesired, _ line: PamLine) -> Bool {
        PamControl.normalized(line.control) == PamControl.normalized(d.control ?? "") && line.args == d.args
            && line.isSilent == d.type.hasPrefix("-")
    }

    /// Where entry `i` starts: `path:line`, or `line N` without a path.
    static func place(_ file: PamFile, _ i: Int, _ path: String?) -> String {
        let n = file.lineNumber(of: i)
        return path.map { "\($0):\(n)" } ?? "line \(n)"
    }

    /// Entry `i` with the arguments `args`, or the problem (named by the line's place) when no
    /// line can carry them as libpam reads them (`PamLine.replacingArgs`).
    static func replacingArgs(_ file: PamFile, _ i: Int, _ args: [String], _ path: String?) throws(PamProblem) -> PamLine {
        do throws(PamProblem) {
            return try file.lines[i].replacingArgs(args)
        } catch {
            throw PamProblem("\(place(file, i, path)): \(error.message)")
        }
    }

    static func finding(_ file: PamFile, _ i: Int?, compliant: Bool) -> Finding {
        Finding(compliant: compliant, current: i.map { file.lines[$0].text }, line: i.map { file.lineNumber(of: $0) })
    }

    private static func presentLine(
        _ d: PamDesired, _ file: inout PamFile, _ modules: PamModuleGuard, _ path: String?
    ) throws(PamProblem) -> Finding {
        let found = try pick(d, file)
        var result = finding(file, found, compliant: false)
        if let i = found {
            let (placed, warning) = try positionHolds(d.position, at: i, type: d.baseType, in: file)
            if let warning { result.warnings.append(warning) }
            if placed && sameLine(d, file.lines[i]) {
                result.compliant = true
                return result
            }
            if let p = modules.problem(for: d.module) { throw p }
            if placed {
                file.replace(at: i, with: try rewrite(file, i, to: d, path))
                return result
            }
            try PamJumps.fixForRemove(&file, type: d.baseType, removing: i)
            file.remove(at: i)
        } else if let p = modules.problem(for: d.module) {
            throw p
        }
        let (at, retarget) = try insertionPoint(d.position, type: d.baseType, in: file)
        try PamJumps.fixForInsert(&file, type: d.baseType, before: at, retarget: retarget)
        let layout = PamLineLayout.near(at, type: d.baseType, in: file)
        let text = layout.render(type: d.type, control: d.control ?? "", module: d.module, args: d.args)
        let line: PamLine
        do throws(PamProblem) {
            line = try PamLine.checked(Array(text.utf8), words: [d.type, d.control ?? "", d.module] + d.args)
        } catch {
            throw PamProblem("\(path.map { "\($0): " } ?? "")the new line '\(text)': \(error.message)")
        }
        if at == file.lines.count && file.endsInsideContinuation {
            // libpam refuses such a file as a whole ("Incomplete read"): every login through the
            // service fails. Ending the continuation would make the rules before it take effect
            // (a broken-closed stack could become an open one), so that is left to a person.
            throw PamProblem(
                "\(place(file, file.lines.count - 1, path)): the file ends inside a line continued with '\\' (libpam refuses the whole file: incomplete line); end or remove the continuation first, harden does not append after it"
            )
        }
        file.insert(line, at: at)
        return result
    }

    /// Entry `i` rewritten to `d`'s type prefix, control and arguments.
    static func rewrite(_ file: PamFile, _ i: Int, to d: PamDesired, _ path: String?) throws(PamProblem) -> PamLine {
        let line = file.lines[i]
        var l = line.args == d.args ? line : try replacingArgs(file, i, d.args, path)
        if l.control != d.control { l = l.replacingToken(1, with: d.control ?? l.control) }
        if l.isSilent != d.type.hasPrefix("-") {
            let bare = l.isSilent ? String(l.typeText.dropFirst()) : l.typeText
            l = l.replacingToken(0, with: (d.type.hasPrefix("-") ? "-" : "") + bare)
        }
        return l
    }

    /// Whether the line at `i` satisfies `position` (`first`/`last` always do), with a warning
    /// when the anchor module is missing (then the line is left where it is).
    static func positionHolds(
        _ position: PamDesired.Position, at i: Int, type: String, in file: PamFile
    ) throws(PamProblem) -> (Bool, String?) {
        switch position {
        case .first, .last:
            return (true, nil)
        case .before(let m), .after(let m):
            let anchors = anchorLines(m, type: type, in: file).filter { $0 != i }
            guard let first = anchors.first, let last = anchors.last else {
                return (true, "no \(PamLine.baseName(m)) line in the \(type) stack to place it against")
            }
            if case .before = position { return (i < first, nil) }
            return (i > last, nil)
        }
    }

    static func anchorLines(_ module: String, type: String, in file: PamFile) -> [Int] {
        let name = PamLine.baseName(module)
        return file.ruleIndices(type: type).filter { file.lines[$0].moduleName == name }
    }

    /// Where a new line goes (insert before this entry) and whether jumps landing there should
    /// now land on the new line (`before`).
    static func insertionPoint(
        _ position: PamDesired.Position, type: String, in file: PamFile
    ) throws(PamProblem) -> (Int, Bool) {
        let stack = file.stack(type: type)
        switch position {
        case .first: return (stack.first.map { aboveComments($0, in: file) } ?? file.lines.count, false)
        case .last: return (stack.last.map { $0 + 1 } ?? file.lines.count, false)
        case .before(let m), .after(let m):
            let anchors = anchorLines(m, type: type, in: file)
            guard let first = anchors.first, let last = anchors.last else {
                throw PamProblem("no \(PamLine.baseName(m)) line in the \(type) stack to place the new line \(position)")
            }
            if case .before = position { return (aboveComments(first, in: file), true) }
            return (last + 1, false)
        }
    }

    /// A line going before entry `i` also goes before the comment lines right above it (they
    /// describe that entry), but never above `#%PAM-1.0` or pam-auth-update's markers.
    static func aboveComments(_ i: Int, in file: PamFile) -> Int {
        let fixed = [
            PamAuthUpdateDiff.primaryMarker, PamAuthUpdateDiff.fallbackMarker, PamAuthUpdateDiff.additionalMarker,
            PamAuthUpdateDiff.endMarker, "#%PAM",
        ]
        var j = i
        while j > 0, file.lines[j - 1].kind == .comment,
            !fixed.contains(where: { PamAuthUpdateDiff.starts(file.lines[j - 1].raw, $0) })
        {
            j -= 1
        }
        return j
    }

    private static func removeLines(_ d: PamDesired, _ file: inout PamFile) throws(PamProblem) -> Finding {
        let c = candidates(d, file)
        var result = finding(file, c.first, compliant: c.isEmpty)
        if c.count > 1 { result.current = c.map { file.lines[$0].text }.joined(separator: " | ") }
        for i in c.reversed() {
            try PamJumps.fixForRemove(&file, type: d.baseType, removing: i)
            file.remove(at: i)
        }
        return result
    }

    private static func editArgs(_ d: PamDesired, _ file: inout PamFile, _ path: String?) throws(PamProblem) -> Finding {
        let c = candidates(d, file)
        guard !c.isEmpty else {
            if d.setArgs.isEmpty && d.addArgs.isEmpty { return Finding(compliant: true, current: nil, line: nil) }
            throw PamProblem("no \(d.moduleName) line in the \(d.baseType) stack to edit arguments of")
        }
        var result = finding(file, c.first, compliant: true)
        if c.count > 1 { result.current = c.map { file.lines[$0].text }.joined(separator: " | ") }
        for i in c {
            let old = file.lines[i].args
            let new = editedArgs(old, d)
            if new != old {
                result.compliant = false
                file.replace(at: i, with: try replacingArgs(file, i, new, path))
            }
        }
        return result
    }

    /// `args` after `d`'s set, add and remove edits.
    static func editedArgs(_ args: [String], _ d: PamDesired) -> [String] {
        var out = args
        func key(_ a: String) -> String { a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a }
        func set(_ word: String) {
            let k = key(word)
            let hits = out.indices.filter { key(out[$0]) == k && (out[$0] == k || out[$0].hasPrefix(k + "=")) }
            guard let first = hits.first else { return out.append(word) }
            out[first] = word
            for h in hits.dropFirst().reversed() { out.remove(at: h) }
        }
        for (k, v) in d.setArgs { set(k + "=" + v) }
        for a in d.addArgs {
            if a.contains("=") { set(a) } else if !out.contains(a) { out.append(a) }
        }
        for r in d.removeArgs {
            out.removeAll { r.contains("=") ? $0 == r : ($0 == r || $0.hasPrefix(r + "=")) }
        }
        return out
    }
}
