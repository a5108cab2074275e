/// glob(3) as sshd's `Include` uses it (flags 0), evaluated against a `HostReader`.
///
/// - `*`, `?` and bracket expressions (`[abc]`, `[a-z]`, `[!x]`, `[^x]`) in any path component;
///   `\` escapes the next character.
/// - A wildcard never matches a leading `.` of a name (no `GLOB_PERIOD`).
/// - Results are sorted by byte order of the full path (sshd runs in the C locale).
/// - A pattern without magic characters yields the path when it exists, else nothing.
/// - Only regular files (after resolving symlinks) are returned: a matched directory would be
///   read by sshd as an empty config anyway. A matched FIFO or device (sshd would block on it or
///   read it forever) is an error naming the path; a dangling symlink is skipped.
public enum SshdGlob {
    /// Whether `component` holds an unescaped glob metacharacter.
    public static func hasMagic(_ component: String) -> Bool {
        var escaped = false
        for b in component.utf8 {
            if escaped { escaped = false; continue }
            if b == 0x5C { escaped = true; continue }
            if b == 0x2A || b == 0x3F || b == 0x5B { return true }
        }
        return false
    }

    /// Expand an absolute pattern. Missing directories give no matches; other listing errors
    /// are thrown, because then the effective configuration cannot be known.
    public static func expand(_ pattern: String, host: HostReader) throws(HostError) -> [String] {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if !components.contains(where: hasMagic) {
            let path = "/" + components.map(unescape).joined(separator: "/")
            let type = try host.fileType(path)
            if type == .other { throw .notRegularFile(path) }
            return type == .regular ? [path] : []
        }
        var candidates = [""]
        for component in components {
            var next: [String] = []
            if hasMagic(component) {
                for base in candidates {
                    let dir = base.isEmpty ? "/" : base
                    let names: [String]
                    do {
                        names = try host.listDirectory(dir)
                    } catch {
                        switch error {
                        case .notFound, .notDirectory: continue
                        default: throw error
                        }
                    }
                    for name in names where matches(name, pattern: component) {
                        next.append(base + "/" + name)
                    }
                }
            } else {
                let literal = unescape(component)
                next = candidates.map { $0 + "/" + literal }
            }
            candidates = next
            if candidates.isEmpty { return [] }
        }
        var result: [String] = []
        for path in candidates {
            switch try host.fileType(path) {
            case .regular?: result.append(path)
            case .other?: throw .notRegularFile(path)
            case nil, .directory?, .symlink?: continue  // a dangling link: see KNOWN-BUGS (case 051)
            }
        }
        return result.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// fnmatch(3) of one name against one pattern component (no `/` inside either).
    public static func matches(_ name: String, pattern: String) -> Bool {
        let n = Array(name.utf8)
        let p = Array(pattern.utf8)
        if n.first == 0x2E, p.first != 0x2E { return false }  // leading period must be literal
        return match(n, 0, p, 0)
    }

    private static func match(_ n: [UInt8], _ ni: Int, _ p: [UInt8], _ pi: Int) -> Bool {
        var ni = ni
        var pi = pi
        while pi < p.count {
            let c = p[pi]
            switch c {
            case 0x2A:  // '*'
                while pi < p.count, p[pi] == 0x2A { pi += 1 }
                if pi == p.count { return true }
                var k = ni
                while k <= n.count {
                    if match(n, k, p, pi) { return true }
                    k += 1
                }
                return false
            case 0x3F:  // '?'
                guard ni < n.count else { return false }
                ni += 1
                pi += 1
            case 0x5B:  // '['
                guard ni < n.count else { return false }
                if let (ok, after) = bracket(p, pi + 1, n[ni]) {
                    guard ok else { return false }
                    ni += 1
                    pi = after
                } else {  // no closing ']': '[' is literal
                    guard n[ni] == c else { return false }
                    ni += 1
                    pi += 1
                }
            case 0x5C where pi + 1 < p.count:  // '\' escapes
                guard ni < n.count, n[ni] == p[pi + 1] else { return false }
                ni += 1
                pi += 2
            default:
                guard ni < n.count, n[ni] == c else { return false }
                ni += 1
                pi += 1
            }
        }
        return ni == n.count
    }

    /// Evaluate a bracket expression starting after `[`; returns (matched, index after `]`),
    /// or nil when the expression is not closed.
    private static func bracket(_ p: [UInt8], _ start: Int, _ ch: UInt8) -> (Bool, Int)? {
        var i = start
        var negate = false
        if i < p.count, p[i] == 0x21 || p[i] == 0x5E { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count {
            var lo = p[i]
            if lo == 0x5D, !first { return (matched != negate, i + 1) }
            first = false
            if lo == 0x5C, i + 1 < p.count { i += 1; lo = p[i] }
            var hi = lo
            if i + 2 < p.count, p[i + 1] == 0x2D, p[i + 2] != 0x5D {
                hi = p[i + 2]
                if hi == 0x5C, i + 3 < p.count { i += 1; hi = p[i + 2] }
                i += 2
            }
            if lo <= ch && ch <= hi { matched = true }
            i += 1
        }
        return nil
    }

    private static func unescape(_ component: String) -> String {
        guard component.utf8.contains(0x5C) else { return component }
        var out: [UInt8] = []
        var escaped = false
        for b in component.utf8 {
            if !escaped && b == 0x5C { escaped = true; continue }
            escaped = false
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
