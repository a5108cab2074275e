/// Byte-level string helpers for hot paths (Foundation's bridged versions are slow on Linux).
extension String {
    /// True when `needle` occurs in the string (byte comparison of UTF-8).
    func containsBytes(_ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard let first = n.first else { return true }
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

    /// Only spaces and tabs (or empty).
    var isBlank: Bool { utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}
