/// Spelling rules for sysctl keys, shared by the parser, the precedence model and the planner.
///
/// A key may be written with `.` or `/` between its components. systemd (`sysctl_normalize`)
/// and procps (`slashdot`) agree: the *first* separator decides the style. When it is `.`,
/// the key is in dotted form and every `/` in it is a literal character of a component
/// (`net.ipv4.conf.eth0/100.rp_filter`, a VLAN interface named `eth0.100`). When it is `/`,
/// the key is in path form and every `.` is literal. The two forms map to each other by
/// swapping `.` and `/`, so the dotted form is canonical here and the path form is what
/// `/proc/sys` uses.
public enum SysctlKey {
    /// The canonical dotted spelling of `raw` (already trimmed): `net/ipv4/ip_forward` →
    /// `net.ipv4.ip_forward`; `net.ipv4.conf.eth0/100.rp_filter` is returned unchanged.
    /// Repeated and leading/trailing separators are dropped, as systemd's `path_simplify` does.
    public static func normalize(_ raw: String) -> String {
        swapSeparators(procPath(raw))
    }

    /// The `/proc/sys`-relative path of a key written in either style:
    /// `net.ipv4.conf.eth0/100.rp_filter` → `net/ipv4/conf/eth0.100/rp_filter`.
    public static func procPath(_ raw: String) -> String {
        let firstSeparator = raw.utf8.first { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") }
        let path = firstSeparator == UInt8(ascii: ".") ? swapSeparators(raw) : raw
        return path.splitBytes(UInt8(ascii: "/")).joined(separator: "/")
    }

    /// True when the key contains a glob character (`*`, `?` or `[`), as systemd ≥ 249 and
    /// procps ≥ 4.0 define it (`string_is_glob`).
    public static func isGlob(_ key: String) -> Bool {
        key.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// Whether the glob `pattern` (a key in either spelling) matches the concrete `key`.
    ///
    /// Matching is done on the `/proc/sys` path forms, the way both tools expand a glob with
    /// glob(3) under `/proc/sys`: `*` and `?` never match `/`, `[...]` is a bracket
    /// expression (with `!` or `^` negation and ranges). With `crossSlash`, `*` may match
    /// `/` too (procps' exclusion check uses fnmatch(3) without `FNM_PATHNAME`).
    public static func glob(_ pattern: String, matches key: String, crossSlash: Bool = false) -> Bool {
        let p = Array(procPath(pattern).unicodeScalars)
        let s = Array(procPath(key).unicodeScalars)
        return match(p, 0, s, 0, crossSlash: crossSlash)
    }

    private static func swapSeparators(_ s: String) -> String {
        let dot = UInt8(ascii: "."), slash = UInt8(ascii: "/")
        return String(decoding: s.utf8.map { $0 == dot ? slash : $0 == slash ? dot : $0 }, as: UTF8.self)
    }

    private static func match(
        _ p: [Unicode.Scalar], _ pi: Int, _ s: [Unicode.Scalar], _ si: Int, crossSlash: Bool
    ) -> Bool {
        var pi = pi
        var si = si
        while pi < p.count {
            switch p[pi] {
            case "*":
                // Collapse runs of `*`, then try every split point.
                while pi < p.count && p[pi] == "*" { pi += 1 }
                if pi == p.count {
                    return crossSlash || !s[si...].contains("/")
                }
                var k = si
                while k <= s.count {
                    if match(p, pi, s, k, crossSlash: crossSlash) { return true }
                    if k < s.count && s[k] == "/" && !crossSlash { return false }
                    k += 1
                }
                return false
            case "?":
                guard si < s.count, crossSlash || s[si] != "/" else { return false }
                pi += 1
                si += 1
            case "[":
                guard si < s.count, let (matched, next) = bracket(p, pi, s[si]) else {
                    // An unterminated `[` is a literal character.
                    guard si < s.count, s[si] == "[" else { return false }
                    pi += 1
                    si += 1
                    continue
                }
                if !matched || (s[si] == "/" && !crossSlash) { return false }
                pi = next
                si += 1
            default:
                guard si < s.count, s[si] == p[pi] else { return false }
                pi += 1
                si += 1
            }
        }
        return si == s.count
    }

    /// Evaluates the bracket expression starting at `p[start] == "["` against `c`.
    /// Returns nil when the expression is not terminated (then `[` is literal).
    private static func bracket(
        _ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar
    ) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count && (p[i] == "!" || p[i] == "^") {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.count {
            if p[i] == "]" && !first {
                return (matched != negate, i + 1)
            }
            first = false
            let low = p[i]
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                if low.value <= c.value && c.value <= p[i + 2].value { matched = true }
                i += 3
            } else {
                if low == c { matched = true }
                i += 1
            }
        }
        return nil
    }
}
