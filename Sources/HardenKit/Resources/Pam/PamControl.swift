/// Reading and rewriting a PAM control field: a keyword (`required`, `requisite`,
/// `sufficient`, `optional`, `include`, `substack`) or `[value=action ...]`, where an action
/// that is a positive integer N jumps over the next N entries of the stack.
public enum PamControl {
    /// One `value=action` item of a bracket control.
    public struct Item: Sendable, Equatable {
        /// The PAM return value (`success`, `default`, `new_authtok_reqd`, ...).
        public var value: String
        /// `ignore`, `ok`, `done`, `bad`, `die`, `reset` or a jump length.
        public var action: String
        /// Byte offsets of `action` inside the control text.
        var actionRange: Range<Int>

        /// The jump length when the action is a positive integer.
        public var jump: Int? {
            guard !action.isEmpty, action.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(action), n > 0 else {
                return nil
            }
            return n
        }
    }

    /// The items of a bracket control (empty for a keyword control).
    public static func items(_ control: String) -> [Item] {
        let b = Array(control.utf8)
        guard b.first == UInt8(ascii: "[") else { return [] }
        var out: [Item] = []
        var i = 1
        while i < b.count {
            while i < b.count && (PamTokenizer.isSpace(b[i]) || b[i] == UInt8(ascii: "]")) { i += 1 }
            let start = i
            while i < b.count && !PamTokenizer.isSpace(b[i]) && b[i] != UInt8(ascii: "]") { i += 1 }
            guard start < i else { break }
            let word = b[start..<i]
            if let eq = word.firstIndex(of: UInt8(ascii: "=")) {
                out.append(
                    Item(
                        value: String(decoding: word[start..<eq], as: UTF8.self),
                        action: String(decoding: word[(eq + 1)..<i], as: UTF8.self), actionRange: (eq + 1)..<i))
            }
        }
        return out
    }

    /// Jump lengths of the control (one per numeric action; several may exist).
    public static func jumps(_ control: String) -> [Int] { items(control).compactMap(\.jump) }

    /// The control with each numeric action replaced by `transform(n)`; a result of 0 or
    /// less becomes `ok` (a jump of N is "ok, then skip N": skipping nothing is `ok`).
    public static func rewritingJumps(_ control: String, _ transform: (Int) -> Int) -> String {
        var bytes = Array(control.utf8)
        for item in items(control).reversed() {
            guard let n = item.jump else { continue }
            let m = transform(n)
            guard m != n else { continue }
            bytes.replaceSubrange(item.actionRange, with: Array((m > 0 ? String(m) : "ok").utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A form for comparing two controls: keywords lowercased, bracket items in order joined by
    /// single spaces (`[success=1  default=ignore]` = `[success=1 default=ignore]`).
    public static func normalized(_ control: String) -> String {
        guard control.hasPrefix("[") else { return control.lowercased() }
        return "[" + items(control).map { "\($0.value.lowercased())=\($0.action.lowercased())" }.joined(separator: " ") + "]"
    }
}

/// Keeps `[value=N]` jumps landing on the same entry when a line is inserted into or removed
/// from a stack.
///
/// A stack is the entries of one type in file order (see `PamFile.stack(type:)`). An entry at
/// stack position k with a jump of N lands on position k + N + 1. Inserting a line at gap g
/// (before the entry now at position g) lengthens every jump from k < g that lands beyond the
/// gap; a jump landing exactly at g keeps landing on that entry (N + 1) unless `retarget` is set
/// (the new line goes *before* that entry, so every path that reached it now passes the new line
/// first: N unchanged). Removing the entry at r shortens every jump from k < r landing beyond r;
/// a jump landing on r now lands on its successor.
///
/// An `@include` or an `include`/`substack` line stands for an unknown number of entries: a jump
/// that would be adjusted across one cannot be fixed safely, and the edit is refused.
enum PamJumps {
    /// Fixes jumps for inserting a line of `type` before file entry `fileIndex`. Call before
    /// inserting.
    static func fixForInsert(_ file: inout PamFile, type: String, before fileIndex: Int, retarget: Bool) throws(PamProblem) {
        let stack = file.stack(type: type)
        let g = stack.filter { $0 < fileIndex }.count
        try adjust(&file, stack: stack, gap: g) { t in
            if t > g { return 1 }
            if t == g { return retarget ? 0 : 1 }
            return 0
        }
    }

    /// Fixes jumps for removing file entry `fileIndex` (a line of `type`). Call before removing.
    static func fixForRemove(_ file: inout PamFile, type: String, removing fileIndex: Int) throws(PamProblem) {
        let stack = file.stack(type: type)
        guard let r = stack.firstIndex(of: fileIndex) else { return }
        try adjust(&file, stack: stack, gap: r) { t in t > r ? -1 : 0 }
    }

    /// For each jump from a stack position before `gap`: `delta(target)` is added to N.
    private static func adjust(
        _ file: inout PamFile, stack: [Int], gap: Int, delta: (Int) -> Int
    ) throws(PamProblem) {
        for k in 0..<gap {
            let line = file.lines[stack[k]]
            guard line.isRule, !PamControl.jumps(line.control).isEmpty else { continue }
            var failure: PamProblem? = nil
            let control = PamControl.rewritingJumps(line.control) { n in
                let t = k + n + 1
                let d = delta(t)
                if d != 0 || t == gap {
                    let crossed = stack[(k + 1)..<min(gap, stack.count)].first { file.lines[$0].includedService != nil }
                    if let b = crossed, stack.firstIndex(of: b)! < t {
                        failure = PamProblem(
                            "the jump '\(line.control)' at line \(file.lineNumber(of: stack[k])) crosses '\(file.lines[b].text)', whose length is unknown; jump counts cannot be fixed safely"
                        )
                    }
                }
                return n + d
            }
            if let failure { throw failure }
            if control != line.control {
                file.replace(at: stack[k], with: line.replacingToken(1, with: control))
            }
        }
    }
}
