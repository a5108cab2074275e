import Synchronization

/// One audit rule or control line, parsed the way `auditctl -R` reads it, and compared by meaning.
///
/// Two rules are equal (`==`) when the kernel would filter the same events with them (or, for
/// control lines, when they set the same thing), however they are written:
/// - `-S a -S b` = `-S a,b` = `-S b,a`; a syscall number equals its name on the rule's machine;
///   an exit rule without `-S` (or with `-S all`) covers all syscalls;
/// - `-k x` = `-F key=x` (several keys stay ordered: the kernel stores them joined);
/// - the order of `-F` and `-C` fields is irrelevant; `-C euid!=uid` = `-C uid!=euid`;
/// - `always,exit` = `exit,always`; `-a` = `-A` (the kernel treats a prepended copy as the same
///   rule: adding both fails with "Rule exists");
/// - values are compared as the kernel stores them: `auid!=-1` = `auid!=4294967295` =
///   `auid!=unset`, `a0=0x0` = `a0=0`, `exit=-EACCES` = `exit=-13`, `arch=b64` = `arch=x86_64`
///   on x86_64, `loginuid` = `auid`, `-p wa` = `-p aw` = `-F perm=wa`;
/// - a watch `-w P -p wa -k k` equals `-a always,exit -F path=P -F perm=wa -k k` (a watch without
///   `-p` means `perm=rwxa`; trailing `/` of P is trimmed, as auditctl does). auditctl turns a
///   watch on a path that *is a directory when the rules load* into `-F dir=P` instead; since
///   that depends on the host, an unresolved watch compares as `path=`, and the planner first
///   calls `resolvingWatch(isDirectory:)` with the target's file type, after which a directory
///   watch equals `-F dir=P` and no longer equals `-F path=P`.
/// Names of users and groups (`auid>=admin`) are compared as written, not looked up.
public struct AuditRule: Sendable, Equatable, CustomStringConvertible {
    /// What the line does.
    public enum Body: Sendable, Hashable {
        /// `-a`, `-A` or `-w`: add a filter rule.
        case add(AuditFilterRule)
        /// `-d` or `-W`: delete a filter rule.
        case delete(AuditFilterRule)
        /// `-e`, `-f`, `-b`, `-r`, `--backlog_wait_time`, `-D`, `-i`, `-c`, ...
        case control(AuditControl)
    }

    /// The line as written (without its line terminator).
    public let text: String
    /// The meaning; the only thing `==` compares.
    public internal(set) var body: Body
    /// True for `-A` (insert at the head of the list instead of appending).
    public let prepends: Bool
    /// For `-w`/`-W`: the watched path, trailing `/` trimmed.
    public let watchPath: String?
    /// The machine whose syscall table `-S` names were looked up in.
    public let machine: AuditMachine
    /// The host machine the rule was parsed for (what `b64`/`b32` mean).
    public let host: AuditMachine

    public static func == (a: AuditRule, b: AuditRule) -> Bool { a.body == b.body }

    public var description: String { text }

    /// Parses one line (no terminator) as `auditctl -R` would on a host of machine `machine`.
    public static func parse(_ line: String, machine: AuditMachine = .x86_64) -> Result<AuditRule, AuditRuleProblem> {
        let key = ParseKey(line: line, machine: machine)
        if let known = parseCache.withLock({ $0[key] }) { return known }
        let result = AuditRuleParser.parse(line, host: machine)
        parseCache.withLock { cache in
            if cache.count < Self.parseCacheLimit { cache[key] = result }
        }
        return result
    }

    /// Parsing is pure, and one run reads the same rule text several times (conflict claims,
    /// value checks, the planner's wanted list, the file editor): each result is kept, up to a
    /// bound so a hostile rules file with millions of lines does not double its memory.
    private struct ParseKey: Hashable, Sendable {
        var line: String
        var machine: AuditMachine
    }
    private static let parseCacheLimit = 4096
    private static let parseCache = Mutex<[ParseKey: Result<AuditRule, AuditRuleProblem>]>([:])

    /// The filter rule, for `-a`/`-A`/`-w` lines.
    public var filter: AuditFilterRule? {
        if case .add(let f) = body { return f }
        return nil
    }

    /// The control setting, for control lines.
    public var control: AuditControl? {
        if case .control(let c) = body { return c }
        return nil
    }

    /// This rule with a `-w` watch turned into what auditctl sends: `dir=` when the watched path
    /// is a directory, `path=` otherwise. Other rules are returned unchanged.
    public func resolvingWatch(isDirectory: Bool) -> AuditRule {
        guard let path = watchPath, isDirectory else { return self }
        var copy = self
        func flip(_ f: AuditFilterRule) -> AuditFilterRule {
            var g = f
            g.fields = f.fields.map { field in
                field.name == "path" && field.value == .text(path)
                    ? AuditField(name: "dir", op: field.op, value: field.value) : field
            }.sorted()
            return g
        }
        switch body {
        case .add(let f): copy.body = .add(flip(f))
        case .delete(let f): copy.body = .delete(flip(f))
        case .control: break
        }
        return copy
    }

    /// One spelling per meaning: `-a action,list`, `-F arch=` first, `-S` names sorted and
    /// comma-joined, other fields sorted, `-C`, then `-k` keys in order; control lines as
    /// `-e 2`, `-b 8192`, ... Two rules are `==` exactly when their canonical texts are equal
    /// (for rules parsed on the same host). The text is a line auditctl loads as the same rule:
    /// all syscalls are written `-S all` when a key has nothing else to follow (auditctl wants a
    /// syscall, watch, path, dir, perm, exe or fstype before `-k`), and a watch on a path that
    /// `-F path=` cannot carry (`/etc/x!=1`, `//`) keeps the `-w P -p perm` form. The one
    /// exception: a watch resolved to `dir=` on such a path (no auditctl line gives it).
    public var canonicalText: String {
        switch body {
        case .add(let f): return f.canonicalText(option: "-a", host: host, machine: machine)
        case .delete(let f): return f.canonicalText(option: "-d", host: host, machine: machine)
        case .control(let c): return c.canonicalText
        }
    }
}

/// Why an audit rule line is refused.
public struct AuditRuleProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Human-readable reason, e.g. `syscall 'stime' is unknown on x86_64 (arch=b64)`.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A control line: settings of the kernel's audit system rather than filter rules.
public enum AuditControl: Sendable, Hashable {
    /// `-e 0|1|2` (2 = immutable until reboot).
    case enabled(UInt32)
    /// `-f 0|1|2` (failure mode: silent, printk, panic).
    case failure(UInt32)
    /// `-b N` (backlog limit).
    case backlogLimit(UInt32)
    /// `-r N` (message rate limit).
    case rateLimit(UInt32)
    /// `--backlog_wait_time N`.
    case backlogWaitTime(UInt32)
    /// `-D` (delete all rules), optionally only those with key `-k KEY`.
    case deleteAll(key: String?)
    /// `--loginuid-immutable`.
    case loginuidImmutable
    /// `-i` (ignore errors when reading rules from a file).
    case ignoreErrors
    /// `-c` (continue loading after an error).
    case continueOnError
    /// `--reset-lost`.
    case resetLost

    /// The option that sets it (`-e`, `-b`, ...): controls with the same option are one setting.
    public var option: String {
        switch self {
        case .enabled: return "-e"
        case .failure: return "-f"
        case .backlogLimit: return "-b"
        case .rateLimit: return "-r"
        case .backlogWaitTime: return "--backlog_wait_time"
        case .deleteAll: return "-D"
        case .loginuidImmutable: return "--loginuid-immutable"
        case .ignoreErrors: return "-i"
        case .continueOnError: return "-c"
        case .resetLost: return "--reset-lost"
        }
    }

    /// The numeric value of a valued control (`-e`, `-f`, `-b`, `-r`, `--backlog_wait_time`).
    public var value: UInt32? {
        switch self {
        case .enabled(let v), .failure(let v), .backlogLimit(let v), .rateLimit(let v), .backlogWaitTime(let v):
            return v
        default:
            return nil
        }
    }

    /// The canonical line, e.g. `-e 2`.
    public var canonicalText: String {
        if let v = value { return "\(option) \(v)" }
        if case .deleteAll(let key?) = self { return "-D -k \(key)" }
        return option
    }
}

extension AuditRule {
    /// The lines a profile rule stands for when the profile asks for both ABIs (`bothArches`).
    ///
    /// A syscall rule (`-a ... -S ...`) without `-F arch=` becomes two lines, `-F arch=b32` and
    /// `-F arch=b64` (in that order, the way CIS lists them), the field inserted just before the
    /// first `-S` because auditctl wants `arch=` before the syscalls. Every syscall must exist on
    /// *both* ABIs: a name unknown on either is an error naming that arch (harden does not
    /// silently drop a syscall from one form; a profile that wants `stime` on b32 only says so
    /// with its own `-F arch=b32` rule). Rules with an `arch=` already, rules without `-S`,
    /// watches and control lines stand for themselves, as do all rules on a 32-bit host.
    public static func expandArches(_ line: String, machine: AuditMachine) -> Result<[String], AuditRuleProblem> {
        let rule: AuditRule
        switch parse(line, machine: machine) {
        case .failure(let p): return .failure(p)
        case .success(let r): rule = r
        }
        guard case .add(let f) = rule.body, rule.watchPath == nil, f.list == "exit",
            !f.fields.contains(where: { $0.name == "arch" }), machine.bits64 != nil
        else { return .success([line]) }
        let args = AuditRuleParser.arguments(line)
        guard let s = args.firstIndex(where: { $0.hasPrefix("-S") }) else { return .success([line]) }
        var out: [String] = []
        for arch in ["b32", "b64"] {
            var withArch = args
            withArch.insert(contentsOf: ["-F", "arch=" + arch], at: s)
            let text = withArch.joined(separator: " ")
            if case .failure(let p) = parse(text, machine: machine) { return .failure(p) }
            out.append(text)
        }
        return .success(out)
    }
}
