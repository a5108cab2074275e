/// Parses one rules-file line the way `auditctl -R` does (audit-userspace 3.0.x `setopt`):
/// arguments are split at spaces only (no quoting: quotes and tabs are part of the argument, and
/// a CRLF line's `\r` stays on its last argument); options are read like getopt (`-Sopen`,
/// `--backlog_wait_time=60000` and unambiguous long-option prefixes work); and the order checks
/// auditctl makes are kept: `-F arch=` must precede `-S`, `-F`/`-C`/`-p` need the list first, `-k`
/// needs a syscall, watch, path, perm, exe or fstype before it.
enum AuditRuleParser {
    private static let withArgument: Set<Character> = [
        "a", "A", "d", "S", "F", "C", "w", "W", "p", "k", "e", "f", "r", "b", "m", "q", "R",
    ]
    private static let longOptions: [(name: String, hasArgument: Bool)] = [
        ("loginuid-immutable", false), ("backlog_wait_time", true), ("reset-lost", false),
        ("reset_backlog_wait_time_actual", false), ("signal", true),
    ]
    static let lists: Set<String> = ["exit", "task", "user", "exclude", "filesystem", "io_uring"]

    /// Splits at spaces, as `audit_strsplit` does.
    static func arguments(_ line: String) -> [String] {
        line.splitBytes(UInt8(ascii: " "))
    }

    /// (option, argument) pairs in order, or the problem.
    static func options(_ args: [String]) -> Result<[(String, String?)], AuditRuleProblem> {
        var out: [(String, String?)] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            if a.hasPrefix("--") && a.count > 2 {
                var name = String(a.dropFirst(2))
                var attached: String?
                if let eq = name.firstIndex(of: "=") {
                    attached = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                let exact = longOptions.first { $0.name == name }
                let prefixed = longOptions.filter { $0.name.hasPrefix(name) }
                guard let spec = exact ?? (prefixed.count == 1 ? prefixed[0] : nil) else {
                    return .failure(AuditRuleProblem("unknown option '\(a)'"))
                }
                if spec.hasArgument {
                    if attached == nil {
                        guard i < args.count else { return .failure(AuditRuleProblem("--\(spec.name) needs a value")) }
                        attached = args[i]
                        i += 1
                    }
                } else if attached != nil {
                    return .failure(AuditRuleProblem("--\(spec.name) takes no value"))
                }
                out.append(("--" + spec.name, attached))
            } else if a.hasPrefix("-") && a.count > 1 {
                var chars = Substring(a.dropFirst())
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if withArgument.contains(c) {
                        var value = String(chars)
                        if chars.isEmpty {
                            guard i < args.count else { return .failure(AuditRuleProblem("-\(c) needs a value")) }
                            value = args[i]
                            i += 1
                        }
                        out.append(("-" + String(c), value))
                        break
                    }
                    guard "Dlsicthv".contains(c) else { return .failure(AuditRuleProblem("unknown option '-\(c)'")) }
                    out.append(("-" + String(c), nil))
                }
            } else {
                return .failure(
                    AuditRuleProblem("'\(a)' is not an option (auditctl: parameter passed without an option given)"))
            }
        }
        return .success(out)
    }

    static func parse(_ line: String, host: AuditMachine) -> Result<AuditRule, AuditRuleProblem> {
        let args = arguments(line)
        guard !args.isEmpty else { return .failure(AuditRuleProblem("empty rule")) }
        if args.contains(where: { $0.contains("\r") }) {
            return .failure(
                AuditRuleProblem(
                    "carriage return in the rule (CRLF line end): auditctl reads it as part of the last argument"))
        }
        let opts: [(String, String?)]
        switch options(args) {
        case .success(let o): opts = o
        case .failure(let p): return .failure(p)
        }
        if let control = controlLine(opts) {
            return control.map {
                AuditRule(text: line, body: .control($0), prepends: false, watchPath: nil, machine: host, host: host)
            }
        }
        var state = State(host: host)
        for (opt, value) in opts {
            if let problem = state.apply(opt, value ?? "") { return .failure(problem) }
        }
        return state.finish(line)
    }

    /// The control setting when the line is a control line (or the problem with it), nil otherwise.
    private static func controlLine(_ opts: [(String, String?)]) -> Result<AuditControl, AuditRuleProblem>? {
        let controlOptions: Set<String> = [
            "-e", "-f", "-b", "-r", "--backlog_wait_time", "-D", "--loginuid-immutable", "-i", "-c", "--reset-lost",
        ]
        guard let first = opts.first, controlOptions.contains(first.0) else {
            if let c = opts.first(where: { controlOptions.contains($0.0) }) {
                return .failure(AuditRuleProblem("\(c.0) cannot be combined with rule options"))
            }
            return nil
        }
        if first.0 == "-D" {
            if opts.count == 1 { return .success(.deleteAll(key: nil)) }
            if opts.count == 2, opts[1].0 == "-k", let k = opts[1].1 { return .success(.deleteAll(key: k)) }
            return .failure(AuditRuleProblem("-D takes only -k KEY"))
        }
        guard opts.count == 1 else { return .failure(AuditRuleProblem("one control option per line")) }
        let v = first.1 ?? ""
        switch first.0 {
        case "-e", "-f":
            guard ["0", "1", "2"].contains(v) else {
                return .failure(AuditRuleProblem("\(first.0) takes 0, 1 or 2, not '\(v)'"))
            }
            let n = UInt32(v)!
            return .success(first.0 == "-e" ? .enabled(n) : .failure(n))
        case "-b", "-r", "--backlog_wait_time":
            guard let c = v.utf8.first, c >= 0x30 && c <= 0x39, let n = AuditNumber.parse32(v) else {
                return .failure(AuditRuleProblem("\(first.0) takes a number, not '\(v)'"))
            }
            switch first.0 {
            case "-b": return .success(.backlogLimit(n))
            case "-r": return .success(.rateLimit(n))
            default: return .success(.backlogWaitTime(n))
            }
        case "--loginuid-immutable": return .success(.loginuidImmutable)
        case "-i": return .success(.ignoreErrors)
        case "-c": return .success(.continueOnError)
        default: return .success(.resetLost)
        }
    }
}
