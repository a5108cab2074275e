/// Syntax check of one audit rule line as auditctl(8) accepts it (not its meaning: the audit
/// kind compares rules semantically). Returns the reason a line is refused, or nil.
public enum AuditSyntax {
    static let lists: Set<String> = ["exit", "task", "user", "exclude", "filesystem", "io_uring"]
    static let actions: Set<String> = ["always", "never"]
    static let operators = ["!=", "<=", ">=", "&=", "=", "<", ">", "&"]
    static let fields: Set<String> = [
        "a0", "a1", "a2", "a3", "arch", "auid", "loginuid", "devmajor", "devminor", "dir", "egid", "euid",
        "exe", "exit", "success", "fsgid", "fstype", "fsuid", "filetype", "gid", "inode", "key", "msgtype",
        "obj_uid", "obj_gid", "obj_user", "obj_role", "obj_type", "obj_lev_low", "obj_lev_high", "path",
        "perm", "pers", "pid", "ppid", "sessionid", "sgid", "suid", "subj_user", "subj_role", "subj_type",
        "subj_sen", "subj_clr", "uid", "field_compare", "saddr_fam",
    ]

    /// Split like a shell would for auditctl's argv: whitespace, with double or single quotes.
    public static func tokenize(_ line: String) -> [String]? {
        var out: [String] = []
        var cur = ""
        var quote: Character?
        var has = false
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { cur.append(ch) }
            } else if ch == "\"" || ch == "'" {
                quote = ch
                has = true
            } else if ch == " " || ch == "\t" {
                if has || !cur.isEmpty { out.append(cur) }
                cur = ""
                has = false
            } else {
                cur.append(ch)
            }
        }
        if quote != nil { return nil }
        if has || !cur.isEmpty { out.append(cur) }
        return out
    }

    /// The reason `line` is not a valid audit rule or control line, or nil.
    public static func problem(_ line: String) -> String? {
        guard let t = tokenize(line) else { return "unterminated quote" }
        guard let first = t.first else { return "empty rule" }
        if t.contains(where: { $0.isEmpty }) { return "empty argument" }
        var i = 0
        var hasList = false
        var hasWatch = false
        var hasSyscall = false
        var hasPerm = false
        func arg(_ opt: String) -> String? { i + 1 < t.count ? t[i + 1] : nil }
        while i < t.count {
            let opt = t[i]
            switch opt {
            case "-a", "-A", "-d":
                guard let v = arg(opt) else { return "\(opt) needs action,list" }
                let parts = v.split(separator: ",").map(String.init)
                guard parts.count == 2,
                    (actions.contains(parts[0]) && lists.contains(parts[1]))
                        || (actions.contains(parts[1]) && lists.contains(parts[0]))
                else { return "\(opt) '\(v)' must be action,list (always|never and exit|task|user|exclude|filesystem|io_uring)" }
                if hasList { return "more than one -a in one rule" }
                hasList = true
                i += 2
            case "-S":
                guard let v = arg(opt) else { return "-S needs a syscall name" }
                for s in v.split(separator: ",", omittingEmptySubsequences: false) {
                    if s.isEmpty || !s.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) {
                        return "-S '\(s)' is not a syscall name"
                    }
                }
                hasSyscall = true
                i += 2
            case "-F":
                guard let v = arg(opt) else { return "-F needs field=value" }
                // the field ends at the first operator character: ! < > & =
                guard let start = v.firstIndex(where: { "!<>&=".contains($0) }) else {
                    return "-F '\(v)' needs an operator (=, !=, <, >, <=, >=, &, &=)"
                }
                let rest = v[start...]
                guard let op = operators.first(where: { rest.hasPrefix($0) }) else {
                    return "-F '\(v)' needs an operator (=, !=, <, >, <=, >=, &, &=)"
                }
                let field = String(v[v.startIndex..<start])
                let value = String(rest.dropFirst(op.count))
                if !fields.contains(field) { return "-F field '\(field)' is unknown" }
                if value.isEmpty { return "-F '\(v)' has no value" }
                if field == "perm" { hasPerm = true }
                i += 2
            case "-C":
                guard let v = arg(opt), v.contains("=") else { return "-C needs field=field or field!=field" }
                i += 2
            case "-w", "-W":
                guard let v = arg(opt), v.hasPrefix("/") else { return "\(opt) needs an absolute path" }
                if v.split(separator: "/").contains("..") { return "\(opt) path must not contain '..'" }
                hasWatch = true
                i += 2
            case "-p":
                guard let v = arg(opt), !v.isEmpty, v.allSatisfy({ "rwxa".contains($0) }) else {
                    return "-p needs permissions from r, w, x, a"
                }
                hasPerm = true
                i += 2
            case "-k":
                guard let v = arg(opt) else { return "-k needs a key" }
                if v.utf8.count > 255 { return "-k key longer than 255 bytes" }
                i += 2
            case "-e":
                guard let v = arg(opt), ["0", "1", "2"].contains(v) else { return "-e takes 0, 1 or 2" }
                i += 2
            case "-f":
                guard let v = arg(opt), ["0", "1", "2"].contains(v) else { return "-f takes 0, 1 or 2" }
                i += 2
            case "-b", "-r", "--backlog_wait_time":
                guard let v = arg(opt), UInt32(v) != nil else { return "\(opt) takes a number" }
                i += 2
            case "-D", "-i", "-c", "--loginuid-immutable", "--reset-lost":
                i += 1
            default:
                return "unknown option '\(opt)'"
            }
        }
        if hasSyscall && !hasList { return "-S needs -a action,list" }
        if hasWatch && hasList { return "-w and -a cannot be mixed in one rule" }
        if hasPerm && !hasWatch && !hasList { return "-p needs -w" }
        _ = first
        return nil
    }
}
