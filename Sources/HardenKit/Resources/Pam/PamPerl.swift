import Foundation

/// The few Perl behaviours pam-auth-update relies on, reproduced on bytes: `<FILE>` lines,
/// `chomp`, `\s`, `split(/\s+/)`, numeric conversion, and the two jump-stripping
/// substitutions of `diff_profiles`.
enum PamPerl {
    /// Perl's `\s`: space, \t, \n, \r, \f, \v.
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// Lines as `while (<FH>)` yields them: each with its `\n` (the last may have none).
    static func lines(_ bytes: [UInt8]) -> [[UInt8]] { PamPhysical.lines(bytes).map { Array(bytes[$0]) } }

    /// Drops one trailing `\n`.
    static func chomp(_ b: [UInt8]) -> [UInt8] { b.last == 0x0A ? Array(b.dropLast()) : b }

    /// `s/^\s+//; s/\s+$//`.
    static func trim(_ b: [UInt8]) -> [UInt8] {
        var s = b[...]
        while let f = s.first, isSpace(f) { s = s.dropFirst() }
        while let l = s.last, isSpace(l) { s = s.dropLast() }
        return Array(s)
    }

    /// UTF-8 text (invalid bytes replaced).
    static func string(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    /// `split(/\s+/, $s)`: a leading empty field when `s` starts with whitespace, trailing
    /// empty fields dropped.
    static func splitSpace(_ s: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        var inSpace = false
        let b = Array(s.utf8)
        for c in b {
            if isSpace(c) {
                if !inSpace { out.append(string(current)); current = [] }
                inSpace = true
            } else {
                inSpace = false
                current.append(c)
            }
        }
        out.append(string(current))
        while let last = out.last, last.isEmpty { out.removeLast() }
        return out
    }

    /// A string in numeric context: its leading number, 0 when there is none.
    static func number(_ s: String?) -> Double {
        guard let s else { return 0 }
        let t = s.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        var prefix = ""
        for ch in t {
            if ch.isASCII && (ch.isNumber || ch == "." || ((ch == "-" || ch == "+") && prefix.isEmpty)) {
                prefix.append(ch)
            } else {
                break
            }
        }
        return Double(prefix) ?? 0
    }

    /// `s/(\[[^0-9]*)[0-9]+(.*\])/$1$2/g`: removes the first run of digits that follows a `[`
    /// and is followed (on the same line) by a `]`.
    static func stripJumpNumber(_ s: String) -> String {
        var b = Array(s.utf8)
        let digit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        for p in b.indices where b[p] == UInt8(ascii: "[") {
            var q = p + 1
            while q < b.count && !digit(b[q]) { q += 1 }
            guard q < b.count else { return s }
            var r = q
            while r < b.count && digit(b[r]) { r += 1 }
            let rest = b[r...].prefix { $0 != 0x0A }
            if rest.contains(UInt8(ascii: "]")) {
                b.removeSubrange(q..<r)
                return string(b)
            }
        }
        return s
    }

    /// `s/(\[.*)end(.*\])/$1$2/g`: removes the last `end` after the first `[` that has an
    /// `end` followed by a `]` (all on one line).
    static func stripEnd(_ s: String) -> String {
        var b = Array(s.utf8)
        let line = b.prefix { $0 != 0x0A }
        for p in line.indices where b[p] == UInt8(ascii: "[") {
            guard let lastBracket = line.lastIndex(of: UInt8(ascii: "]")), lastBracket > p else { continue }
            var e = lastBracket - 3
            while e > p {
                if b[e] == UInt8(ascii: "e") && b[e + 1] == UInt8(ascii: "n") && b[e + 2] == UInt8(ascii: "d") {
                    b.removeSubrange(e..<(e + 3))
                    return string(b)
                }
                e -= 1
            }
        }
        return s
    }
}

/// MD5 (RFC 1321), only to recognise pam-auth-update's stock templates the way it does
/// (`md5sum` of the text outside the managed blocks). Not for anything secret.
enum PamMD5 {
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    private static let table: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee,
        0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
        0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
        0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
        0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
        0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039,
        0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
        0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]

    /// Lowercase hex digest of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        var message = bytes
        let bitLength = UInt64(bytes.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for i in 0..<8 { message.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        var a0: UInt32 = 0x6745_2301
        var b0: UInt32 = 0xefcd_ab89
        var c0: UInt32 = 0x98ba_dcfe
        var d0: UInt32 = 0x1032_5476
        for chunk in stride(from: 0, to: message.count, by: 64) {
            var m = [UInt32](repeating: 0, count: 16)
            for i in 0..<16 {
                let o = chunk + i * 4
                m[i] =
                    UInt32(message[o]) | UInt32(message[o + 1]) << 8 | UInt32(message[o + 2]) << 16
                    | UInt32(message[o + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ table[i] &+ m[g]
                a = d
                d = c
                c = b
                b = b &+ ((f << shifts[i]) | (f >> (32 - shifts[i])))
            }
            a0 = a0 &+ a
            b0 = b0 &+ b
            c0 = c0 &+ c
            d0 = d0 &+ d
        }
        var out = ""
        for word in [a0, b0, c0, d0] {
            for i in 0..<4 {
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))
                out += String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
            }
        }
        return out
    }
}
