extension AuditRuleParser {
    /// What auditctl's `setopt` accumulates while it walks the options of one filter-rule line.
    struct State {
        let host: AuditMachine
        /// `-a`/`-A`/`-w` set `add`; `-d`/`-W` set `delete`.
        var operation: (delete: Bool, prepend: Bool)?
        var action = ""
        var list = ""
        var syscallTokens: [String] = []
        var syscallNumbers = Set<Int>()
        var syscallAll = false
        var syscallAdded = false
        var permAdded = false
        var exeAdded = false
        var fstypeAdded = false
        /// The machine whose table `-S` uses; fixed by `-F arch=` or, at the first `-S`, the host.
        var machine: AuditMachine?
        var fields: [AuditField] = []
        var comparisons: [AuditComparison] = []
        var keys: [String] = []
        var fieldKeys = false
        var watchPath: String?

        init(host: AuditMachine) { self.host = host }

        /// Applies one option; returns the problem when auditctl would refuse it.
        mutating func apply(_ opt: String, _ v: String) -> AuditRuleProblem? {
            switch opt {
            case "-a", "-A", "-d":
                if operation != nil { return AuditRuleProblem("more than one -a/-A/-d/-w in one rule") }
                let parts = v.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2 else { return AuditRuleProblem("\(opt) '\(v)' must be action,list") }
                let actions: Set<String> = ["always", "never"]
                if actions.contains(parts[0]) && AuditRuleParser.lists.contains(parts[1]) {
                    (action, list) = (parts[0], parts[1])
                } else if actions.contains(parts[1]) && AuditRuleParser.lists.contains(parts[0]) {
                    (action, list) = (parts[1], parts[0])
                } else {
                    return AuditRuleProblem(
                        "\(opt) '\(v)' must be always|never and exit|task|user|exclude|filesystem|io_uring")
                }
                if list == "task" && syscallAdded {
                    return AuditRuleProblem("syscall auditing requested for the task list")
                }
                operation = (opt == "-d", opt == "-A")
            case "-w", "-W":
                if operation != nil { return AuditRuleProblem("-w cannot be combined with -a/-A/-d") }
                guard v.hasPrefix("/") else { return AuditRuleProblem("\(opt) '\(v)': the path must start with '/'") }
                if (v.split(separator: "/").last.map { $0.utf8.count } ?? 0) > 255 {
                    return AuditRuleProblem("\(opt) '\(v)': the base name of the path is too long")
                }
                var path = v
                if path.utf8.count > 2 { while path.count > 1 && path.hasSuffix("/") { path.removeLast() } }
                operation = (opt == "-W", false)
                (action, list) = ("always", "exit")
                syscallAdded = true
                syscallAll = true
                watchPath = path
                fields.append(AuditField(name: "path", op: .equal, value: .text(path)))
                fields.append(AuditField(name: "perm", op: .equal, value: .number(15)))
            case "-S":
                return syscall(v)
            case "-F":
                guard operation != nil else {
                    return AuditRuleProblem("-F \(v): the list (-a) must be given before fields")
                }
                guard let (name, op, value) = AuditOperator.split(v) else {
                    return AuditRuleProblem("-F \(v): needs an operator (=, !=, <, >, <=, >=, &, &=)")
                }
                if name.isEmpty { return AuditRuleProblem("-F \(v): field name missing") }
                if name == "key" {
                    if value.isEmpty { return AuditRuleProblem("-F \(v): value missing") }
                    fieldKeys = true
                    return addKey(value)
                }
                if name == "arch" && syscallAdded { return AuditRuleProblem("-F \(v): arch= must come before -S") }
                switch AuditFieldParser.field(name, op, value, list: list, host: host) {
                case .failure(let p):
                    return p
                case .success(let f):
                    if f.name == "arch", case .text(let m) = f.value { machine = AuditMachine(rawValue: m) }
                    if f.name == "path" || f.name == "dir" || f.name == "perm" { permAdded = true }
                    if f.name == "exe" { exeAdded = true }
                    if f.name == "fstype" { fstypeAdded = true }
                    if (f.name == "path" || f.name == "dir")
                        && fields.contains(where: { $0.name == "path" || $0.name == "dir" })
                    {
                        return AuditRuleProblem("-F \(v): only one path= or dir= per rule")
                    }
                    fields.append(f)
                }
            case "-C":
                switch AuditFieldParser.comparison(v, list: operation == nil ? "" : list) {
                case .failure(let p): return p
                case .success(let c): comparisons.append(c)
                }
            case "-p":
                guard operation != nil else { return AuditRuleProblem("-p needs a watch (-w) or rule (-a) before it") }
                guard let mask = AuditFieldParser.permMask(v) else {
                    return AuditRuleProblem("-p '\(v)': up to four of r, w, x, a")
                }
                if let i = fields.firstIndex(where: { $0.name == "perm" }) {
                    fields[i].value = .number(mask)
                } else {
                    fields.append(AuditField(name: "perm", op: .equal, value: .number(mask)))
                }
            case "-k":
                guard operation != nil, syscallAdded || permAdded || exeAdded || fstypeAdded else {
                    return AuditRuleProblem("-k needs a watch or syscall given before it")
                }
                return addKey(v)
            default:
                return AuditRuleProblem("\(opt) is not a rule option")
            }
            return nil
        }

        private mutating func syscall(_ v: String) -> AuditRuleProblem? {
            if operation != nil && list != "exit" && list != "io_uring" {
                return AuditRuleProblem("-S cannot be used with the \(list) list")
            }
            syscallAdded = true
            syscallTokens.append(v)
            if list == "io_uring" { return nil }
            let m = machine ?? host
            machine = m
            for name in v.split(separator: ",") {
                if name == "all" {
                    syscallAll = true
                } else if let n = AuditSyscalls.number(String(name), on: m) {
                    syscallNumbers.insert(n)
                } else if let first = name.utf8.first, first >= 0x30 && first <= 0x39,
                    let n = AuditNumber.parseUnsigned(String(name))
                {
                    guard n < 2048 else { return AuditRuleProblem("syscall number \(name) is too large") }
                    syscallNumbers.insert(Int(n))
                } else {
                    let arch = m.archToken(host: host)
                    return AuditRuleProblem("syscall '\(name)' is unknown on \(m.rawValue) (arch=\(arch))")
                }
            }
            return nil
        }

        private mutating func addKey(_ k: String) -> AuditRuleProblem? {
            keys.append(k)
            if keys.joined(separator: "\u{1}").utf8.count > 255 { return AuditRuleProblem("key longer than 255 bytes") }
            return nil
        }

        /// The rule, once every option was applied.
        func finish(_ line: String) -> Result<AuditRule, AuditRuleProblem> {
            guard let operation else {
                if syscallAdded { return .failure(AuditRuleProblem("-S needs a list (-a always,exit)")) }
                return .failure(AuditRuleProblem("no rule: -a, -A, -d, -w or a control option is needed"))
            }
            if fieldKeys && !(syscallAdded || permAdded || exeAdded || fstypeAdded) {
                return .failure(AuditRuleProblem("key= needs a watch or syscall in the rule"))
            }
            if list == "task" && syscallAdded && watchPath == nil {
                return .failure(AuditRuleProblem("syscall auditing requested for the task list"))
            }
            let syscalls: AuditSyscallSet
            if list == "io_uring" {
                let names = Set(syscallTokens.flatMap { $0.split(separator: ",").map(String.init) })
                syscalls = names.isEmpty || names.contains("all") ? .all : .names(names)
            } else if list != "exit" || syscallAll || syscallNumbers.isEmpty {
                syscalls = .all
            } else {
                syscalls = .numbers(syscallNumbers)
            }
            let filter = AuditFilterRule(
                action: action, list: list, syscalls: syscalls, fields: fields.sorted(),
                comparisons: comparisons.sorted(), keys: keys)
            return .success(
                AuditRule(
                    text: line, body: operation.delete ? .delete(filter) : .add(filter), prepends: operation.prepend,
                    watchPath: watchPath, machine: machine ?? host, host: host))
        }
    }
}
