/// Lexical checks shared by the profile decoders. Each returns a reason or a Bool; none throws.
enum Validate {
    private static func all(_ s: String, _ ok: (UInt8) -> Bool) -> Bool { !s.isEmpty && s.utf8.allSatisfy(ok) }
    private static func lowerAlnum(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
    }

    /// kebab-case: `[a-z0-9]+(-[a-z0-9]+)*`
    static func isRuleID(_ s: String) -> Bool {
        guard all(s, { lowerAlnum($0) || $0 == UInt8(ascii: "-") }) else { return false }
        return !s.hasPrefix("-") && !s.hasSuffix("-") && !s.containsBytes("--")
    }

    static func isProfileName(_ s: String) -> Bool { isRuleID(s) }

    /// `[A-Za-z_][A-Za-z0-9_]*`
    static func isParamName(_ s: String) -> Bool {
        guard let f = s.utf8.first, !(f >= 0x30 && f <= 0x39) else { return false }
        return all(s) { ($0 >= 0x41 && $0 <= 0x5A) || lowerAlnum($0) || $0 == UInt8(ascii: "_") }
    }

    /// YYYY-MM-DD with a real month and day.
    static func isDate(_ s: String) -> Bool {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
            let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1...12).contains(m), d >= 1
        else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    /// Reason an `extends` entry is unusable, or nil. A name is kebab-case with optional
    /// `dir/` parts (`base/ssh`); a path ends in `.yaml`/`.yml` and is relative without `..`.
    static func extendsProblem(_ s: String) -> String? {
        if s.hasPrefix("/") { return "extends '\(s)' must be a name or a relative path, not an absolute path" }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "extends '\(s)' must not contain '..'" }
        if s.hasSuffix(".yaml") || s.hasSuffix(".yml") {
            if parts.contains("") { return "extends '\(s)' has an empty path component" }
            return nil
        }
        for (i, p) in parts.enumerated() where !(isRuleID(String(p)) || (i == 0 && p == ".")) {
            return "extends '\(s)' is neither a profile name (kebab-case, e.g. base/ssh) nor a .yaml path"
        }
        return nil
    }

    /// Reason an absolute path is unusable, or nil. Globs (`*?[`) are allowed when `glob`.
    static func pathProblem(_ s: String, glob: Bool) -> String? {
        guard s.hasPrefix("/") else { return "path '\(s)' must be absolute" }
        if s.utf8.contains(0) { return "path contains a NUL byte" }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if parts.contains("..") || parts.contains(".") {
            return "path '\(s)' must not contain '.' or '..' components"
        }
        if s != "/" && (parts.contains("") ) { return "path '\(s)' has an empty component ('//' or a trailing '/')" }
        if !glob, s.contains(where: { "*?[".contains($0) }) { return "path '\(s)' must not be a glob here" }
        return nil
    }

    /// Reason a sysctl key is unusable, or nil: `[A-Za-z0-9_.-/*]`, no `..`, no empty part.
    static func sysctlKeyProblem(_ s: String) -> String? {
        let okChar: (UInt8) -> Bool = {
            ($0 >= 0x41 && $0 <= 0x5A) || lowerAlnum($0) || "_.-/*".utf8.contains($0)
        }
        guard all(s, okChar) else { return "sysctl key '\(s)' may only hold letters, digits and _ . - / *" }
        if s.containsBytes("..") { return "sysctl key '\(s)' must not contain '..'" }
        let parts = s.split(omittingEmptySubsequences: false) { $0 == "." || $0 == "/" }
        if parts.contains("") { return "sysctl key '\(s)' has an empty component" }
        return nil
    }

    /// The key in dotted form (`net/ipv4/ip_forward` → `net.ipv4.ip_forward`), as systemd does:
    /// when the first separator is `/`, `/` and `.` swap.
    static func normalizeSysctlKey(_ s: String) -> String {
        guard let first = s.first(where: { $0 == "." || $0 == "/" }), first == "/" else { return s }
        return String(s.map { $0 == "/" ? "." : ($0 == "." ? "/" : $0) })
    }

    /// Octal mode string of 3 or 4 digits (`640`, `0640`, `1777`), or nil.
    static func mode(_ s: String) -> UInt32? {
        guard (3...4).contains(s.count), s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) else { return nil }
        return UInt32(s, radix: 8)
    }

    /// A user or group: a name (`[a-z_][a-z0-9_-]*$?`) or a numeric id.
    static func isAccountName(_ s: String) -> Bool {
        if all(s, { $0 >= 0x30 && $0 <= 0x39 }) { return s.count <= 10 }
        guard s.count <= 32, let f = s.utf8.first, (f >= 0x61 && f <= 0x7A) || f == UInt8(ascii: "_") else {
            return false
        }
        let body = s.hasSuffix("$") ? String(s.dropLast()) : s
        return all(body) { lowerAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || ($0 >= 0x41 && $0 <= 0x5A) }
    }
}
