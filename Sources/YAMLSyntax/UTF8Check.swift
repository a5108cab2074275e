/// Byte-level checks libyaml reports poorly (it gives an offset, not a line and column).
enum UTF8Check {
    /// Offset of the first byte that is not part of a valid UTF-8 sequence, or nil.
    static func firstInvalid(_ b: [UInt8]) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let len: Int
            var minCp: UInt32
            if c & 0xE0 == 0xC0 {
                len = 2
                minCp = 0x80
            } else if c & 0xF0 == 0xE0 {
                len = 3
                minCp = 0x800
            } else if c & 0xF8 == 0xF0 {
                len = 4
                minCp = 0x10000
            } else {
                return i
            }
            if i + len > n { return i }
            var cp = UInt32(c) & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07)
            for k in 1..<len {
                let cc = b[i + k]
                if cc & 0xC0 != 0x80 { return i }
                cp = (cp << 6) | UInt32(cc & 0x3F)
            }
            if cp < minCp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) { return i }
            minCp = 0
            i += len
        }
        return nil
    }
}
