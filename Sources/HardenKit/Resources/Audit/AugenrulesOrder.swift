/// The order in which `augenrules` reads `/etc/audit/rules.d`.
///
/// The script (auditd 3.0.9, Debian 12; the same in RHEL 8/9) runs
/// `for rules in $(/bin/ls -1v ${SourceRulesDir} | grep "\.rules$") ; do cat ... ; done`, so:
/// - the order is GNU `ls -v` *version* order (`filevercmp`, ties broken by byte order), not a
///   plain lexical sort: `9-a.rules` comes before `10-a.rules`, and `a.rules` after both;
/// - only names ending in `.rules` count, and names starting with `.` are skipped (`ls` without
///   `-a`);
/// - a name with a space, tab or newline is split by the shell into words that name no file, so
///   it is never read (harden reports it).
public enum AugenrulesOrder {
    /// The names augenrules reads, in reading order.
    public static func order(_ names: [String]) -> [String] {
        names.filter { $0.hasSuffix(".rules") && !$0.hasPrefix(".") && !hasShellSpace($0) }
            .sorted { compare($0, $1) < 0 }
    }

    /// True when the shell's word splitting breaks the name apart.
    public static func hasShellSpace(_ name: String) -> Bool {
        name.utf8.contains { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A }
    }

    /// `ls -v` comparison: gnulib `filevercmp`, then `strcmp` when it finds the names equal.
    public static func compare(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        let v = filevercmp(x, y)
        if v != 0 { return v }
        return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
    }

    /// gnulib `filevercmp` (2022 version, coreutils 9.1).
    static func filevercmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.isEmpty ? 0 : -1 }
        if b.isEmpty { return 1 }
        if a[0] == 0x2E {
            if b[0] != 0x2E { return -1 }
            let adot = a.count == 1
            let bdot = b.count == 1
            if adot { return bdot ? 0 : -1 }
            if bdot { return 1 }
            let adotdot = a[1] == 0x2E && a.count == 2
            let bdotdot = b[1] == 0x2E && b.count == 2
            if adotdot { return bdotdot ? 0 : -1 }
            if bdotdot { return 1 }
        } else if b[0] == 0x2E {
            return 1
        }
        let ap = prefixLength(a)
        let bp = prefixLength(b)
        let onePassOnly = ap == a.count && bp == b.count
        let result = verrevcmp(a, ap, b, bp)
        return result != 0 || onePassOnly ? result : verrevcmp(a, a.count, b, b.count)
    }

    /// Length of `s` without its longest suffix matching `(\.[A-Za-z~][A-Za-z0-9~]*)*$`
    /// (never the whole name).
    static func prefixLength(_ s: [UInt8]) -> Int {
        let n = s.count
        var prefix = 0
        var i = 0
        while true {
            if i == n { return prefix }
            i += 1
            prefix = i
            while i + 1 < n && s[i] == 0x2E && (isAlpha(s[i + 1]) || s[i + 1] == 0x7E) {
                i += 2
                while i < n && (isAlpha(s[i]) || isDigit(s[i]) || s[i] == 0x7E) { i += 1 }
            }
        }
    }

    private static func order(_ s: [UInt8], _ pos: Int, _ len: Int) -> Int {
        if pos == len { return -1 }
        let c = s[pos]
        if isDigit(c) { return 0 }
        if isAlpha(c) { return Int(c) }
        if c == 0x7E { return -2 }
        return Int(c) + 256
    }

    private static func verrevcmp(_ s1: [UInt8], _ len1: Int, _ s2: [UInt8], _ len2: Int) -> Int {
        var p1 = 0
        var p2 = 0
        while p1 < len1 || p2 < len2 {
            var firstDiff = 0
            while (p1 < len1 && !isDigit(s1[p1])) || (p2 < len2 && !isDigit(s2[p2])) {
                let c1 = order(s1, p1, len1)
                let c2 = order(s2, p2, len2)
                if c1 != c2 { return c1 - c2 }
                p1 += 1
                p2 += 1
            }
            while p1 < len1 && s1[p1] == 0x30 { p1 += 1 }
            while p2 < len2 && s2[p2] == 0x30 { p2 += 1 }
            while p1 < len1 && p2 < len2 && isDigit(s1[p1]) && isDigit(s2[p2]) {
                if firstDiff == 0 { firstDiff = Int(s1[p1]) - Int(s2[p2]) }
                p1 += 1
                p2 += 1
            }
            if p1 < len1 && isDigit(s1[p1]) { return 1 }
            if p2 < len2 && isDigit(s2[p2]) { return -1 }
            if firstDiff != 0 { return firstDiff }
        }
        return 0
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
}
