#if canImport(Glibc)
import Glibc
#endif

/// Byte-level string helpers for hot paths (Foundation's bridged versions are slow on Linux).
extension String {
    /// True when `needle` occurs in the string (byte comparison of UTF-8).
    func containsBytes(_ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard let first = n.first else { return true }
        if n.count == 1 { return utf8.contains(first) }
        var it = Array(utf8)
        if it.count < n.count { return false }
        return it.withUnsafeMutableBufferPointer { h in
            var i = 0
            let last = h.count - n.count
            while i <= last {
                if h[i] == first {
                    var k = 1
                    while k < n.count && h[i + k] == n[k] { k += 1 }
                    if k == n.count { return true }
                }
                i += 1
            }
            return false
        }
    }

    /// The parts between occurrences of the ASCII byte `separator`, split on the UTF-8 bytes
    /// (the way C programs and the kernel split), without Character segmentation. Empty parts
    /// are left out unless `keepEmpty`.
    func splitBytes(_ separator: UInt8, keepEmpty: Bool = false) -> [String] {
        utf8.split(separator: separator, omittingEmptySubsequences: !keepEmpty).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// `contains` of a string: a byte search, so that no call in this module goes through
    /// Foundation's `StringProtocol.contains` (an NSString `range(of:)` on Linux, which costs a
    /// first-use initialisation of about 15 million instructions and a bridge per call). Same
    /// answers as Foundation's for the configuration text harden reads, which compares bytes
    /// the way the C programs reading it do; an empty needle is not contained (as Foundation).
    func contains(_ other: String) -> Bool {
        other.isEmpty ? false : containsBytes(other)
    }

    /// Only spaces and tabs (or empty).
    var isBlank: Bool { utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}

extension Array where Element == UInt8 {
    /// The byte ranges of the lines, each with its `\n` (the last one may have none), found
    /// with `memchr`: a 10 MB line costs one call (a per-byte Swift loop is slow in a debug
    /// build). The one line splitter of the sshd, PAM and diff code.
    func lineRanges() -> [Range<Int>] {
        var out: [Range<Int>] = []
        withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            var start = 0
            while start < b.count {
                guard let hit = memchr(base + start, 0x0A, b.count - start) else {
                    out.append(start..<b.count)
                    return
                }
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                out.append(start..<(i + 1))
                start = i + 1
            }
        }
        return out
    }
}
