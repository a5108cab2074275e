/// One word of a PAM rule as Linux-PAM's `_pam_StrTok` reads it, with where it sits in the
/// entry's raw bytes.
///
/// Words are separated by space, tab and newline (and, leniently, carriage return). A word that
/// starts with `[` runs to the first `]` not written `\]`, spaces included, and the next word may
/// follow the `]` directly; `value` drops the brackets and un-escapes `\]` as libpam does, while
/// `text` is the word as written.
public struct PamToken: Sendable, Equatable {
    /// The word as written (brackets and escapes kept), decoded as UTF-8 (invalid bytes replaced).
    public var text: String
    /// What libpam passes on: for `[...]` the inside with `\]` turned into `]`; else `text`.
    public var value: String
    /// Byte range of the word inside its `PamLine.raw`.
    public var range: Range<Int>
    /// True for a `[...]` word.
    public var bracketed: Bool

    /// A word.
    public init(text: String, value: String, range: Range<Int>, bracketed: Bool) {
        self.text = text
        self.value = value
        self.range = range
        self.bracketed = bracketed
    }
}

/// Splits the logical content of a PAM entry into words the way libpam does.
enum PamTokenizer {
    /// A content byte and the index of the raw byte it came from.
    struct Content {
        var bytes: [UInt8] = []
        var rawIndex: [Int] = []
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// True when `word` starts a `[...` word that no `]` (other than `\]`) closes: libpam reads
    /// such a word to the end of the line, whatever follows it.
    static func opensBracket(_ word: String) -> Bool {
        let b = Array(word.utf8)
        guard b.first == UInt8(ascii: "[") else { return false }
        var i = 1
        while i < b.count {
            if b[i] == UInt8(ascii: "]") { return false }
            if b[i] == UInt8(ascii: "\\") && i + 1 < b.count && b[i + 1] == UInt8(ascii: "]") { i += 1 }
            i += 1
        }
        return true
    }

    /// Words of `content`; ranges are mapped back to raw byte offsets.
    static func tokens(_ content: Content) -> [PamToken] {
        let c = content.bytes
        var out: [PamToken] = []
        var i = 0
        while i < c.count {
            while i < c.count && isSpace(c[i]) { i += 1 }
            if i >= c.count { break }
            let start = i
            var value: [UInt8] = []
            var bracketed = false
            if c[i] == UInt8(ascii: "[") {
                bracketed = true
                i += 1
                while i < c.count && c[i] != UInt8(ascii: "]") {
                    if c[i] == UInt8(ascii: "\\") && i + 1 < c.count && c[i + 1] == UInt8(ascii: "]") { i += 1 }
                    value.append(c[i])
                    i += 1
                }
                if i < c.count { i += 1 }  // the closing bracket
            } else {
                while i < c.count && !isSpace(c[i]) {
                    value.append(c[i])
                    i += 1
                }
            }
            let rawStart = content.rawIndex[start]
            let rawEnd = content.rawIndex[i - 1] + 1
            let text = String(decoding: c[start..<i], as: UTF8.self)
            let decoded = bracketed ? String(decoding: value, as: UTF8.self) : text
            out.append(PamToken(text: text, value: decoded, range: rawStart..<rawEnd, bracketed: bracketed))
        }
        return out
    }
}

/// Physical lines of a PAM file and libpam's reading of each (`_pam_line_assemble`).
enum PamPhysical {
    /// What libpam takes from one physical line that holds a rule (not blank, not a comment).
    struct Scan {
        /// First byte after leading whitespace.
        var contentStart: Int
        /// End of the content: before a `#`, before a continuation backslash, or the line end
        /// without its `\n`.
        var contentEnd: Int
        /// Offset of the continuation backslash, when the line continues.
        var backslash: Int?
        /// True when the next physical line belongs to the same entry.
        var continues: Bool { backslash != nil }
    }

    /// Byte ranges of the physical lines of `bytes`, each with its `\n` (the last one may have none).
    static func lines(_ bytes: [UInt8]) -> [Range<Int>] { bytes.lineRanges() }

    /// libpam's view of the physical line `r`: nil for a blank or comment-only line.
    static func scan(_ bytes: [UInt8], _ r: Range<Int>) -> Scan? {
        var s = r.lowerBound
        while s < r.upperBound && (bytes[s] == 0x20 || bytes[s] == 0x09 || bytes[s] == 0x0A) { s += 1 }
        guard s < r.upperBound, bytes[s] != UInt8(ascii: "#") else { return nil }
        if let hash = bytes[s..<r.upperBound].firstIndex(of: UInt8(ascii: "#")) {
            return Scan(contentStart: s, contentEnd: hash, backslash: nil)
        }
        var e = r.upperBound
        while e > s && (bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09 || bytes[e - 1] == 0x0A) { e -= 1 }
        if e > s && bytes[e - 1] == UInt8(ascii: "\\") {
            return Scan(contentStart: s, contentEnd: e - 1, backslash: e - 1)
        }
        let end = bytes[r.upperBound - 1] == 0x0A ? r.upperBound - 1 : r.upperBound
        return Scan(contentStart: s, contentEnd: end, backslash: nil)
    }

    /// Cuts a file into entries: one physical line each, except a rule continued with `\`,
    /// which takes the following lines up to and including the one that does not continue
    /// (blank and comment lines in between included, as libpam skips them). A continuation
    /// still open at the end of the file ends the entry there.
    static func entries(_ bytes: [UInt8]) -> [Range<Int>] {
        let all = lines(bytes)
        var out: [Range<Int>] = []
        var i = 0
        while i < all.count {
            let start = all[i].lowerBound
            var end = all[i].upperBound
            if let first = scan(bytes, all[i]), first.continues {
                var j = i + 1
                while j < all.count {
                    end = all[j].upperBound
                    if let sc = scan(bytes, all[j]), !sc.continues { break }
                    j += 1
                }
                i = j + 1
            } else {
                i += 1
            }
            out.append(start..<end)
        }
        return out
    }
}
