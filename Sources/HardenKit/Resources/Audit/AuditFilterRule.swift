/// The meaning of a filter rule (`-a`, `-A`, `-w`): what the kernel keeps of it.
///
/// Fields and comparisons are kept sorted so that `==` ignores their order; keys keep their order
/// because the kernel stores them as one string joined with `\u{1}`.
public struct AuditFilterRule: Sendable, Hashable {
    /// `always` or `never`.
    public var action: String
    /// `exit`, `task`, `user`, `exclude`, `filesystem` or `io_uring`.
    public var list: String
    /// The syscalls the rule applies to.
    public var syscalls: AuditSyscallSet
    /// `-F` conditions (and `-w`/`-p`), sorted.
    public var fields: [AuditField]
    /// `-C` inter-field comparisons, sorted.
    public var comparisons: [AuditComparison]
    /// `-k` / `-F key=` keys, in order.
    public var keys: [String]

    /// The value of the first field called `name` with operator `=`, if any.
    public func value(of name: String) -> AuditValue? {
        fields.first { $0.name == name && $0.op == .equal }?.value
    }

    /// The fields after which auditctl takes a key (`-k`, `-F key=`), besides a syscall.
    static let keyAnchors: Set<String> = ["path", "dir", "perm", "exe", "fstype"]

    /// See `AuditRule.canonicalText`. `option` is `-a` or `-d`.
    func canonicalText(option: String, host: AuditMachine, machine: AuditMachine) -> String {
        if let watch = watchText(option: option, host: host) { return watch }
        var parts = ["\(option) \(action),\(list)"]
        let arch = fields.filter { $0.name == "arch" }
        for f in arch { parts.append("-F " + f.text(host: host)) }
        switch syscalls {
        case .all:
            // auditctl refuses a key before a syscall, watch, path, dir, perm, exe or fstype:
            // `-S all` (what no -S means) carries a key that has none of them
            // (`-a always,exit -F arch=b32 -S all -k 32bit-abi`). On lists other than exit and
            // io_uring a syscall can only have been given before the list (`-S open -a
            // always,user -k k`; the kernel ignores it there).
            if !keys.isEmpty && !fields.contains(where: { Self.keyAnchors.contains($0.name) }) {
                if list == "exit" || list == "io_uring" { parts.append("-S all") } else { parts.insert("-S all", at: 0) }
            }
        case .numbers(let ns):
            let names = ns.map { AuditSyscalls.name($0, on: machine) ?? String($0) }.sorted()
            parts.append("-S " + names.joined(separator: ","))
        case .names(let ns):
            parts.append("-S " + ns.sorted().joined(separator: ","))
        }
        for f in fields where f.name != "arch" { parts.append("-F " + f.text(host: host)) }
        for c in comparisons { parts.append("-C " + c.text) }
        for k in keys { parts.append("-k " + k) }
        return parts.joined(separator: " ")
    }

    /// The `-w` spelling of a watch whose path `-F path=` cannot carry, else nil. auditctl (and
    /// `AuditOperator.split`) cut `name<op>value` at the first `!=`, `>=`, `<=` or `&=` anywhere
    /// in it, so `-F path=/etc/x!=1` is field `path=/etc/x` with operator `!=`; and a `path=`
    /// ending in `/` (`-w //` keeps its `//`) is refused. `-w` takes its path literally: `-w P
    /// -p perm`, then the other fields, comparisons and keys. (A watch resolved to `dir=`, see
    /// `AuditRule.resolvingWatch`, has no auditctl spelling with such a path and stays `-F dir=`.)
    private func watchText(option: String, host: AuditMachine) -> String? {
        guard let p = fields.firstIndex(where: { $0.name == "path" && $0.op == .equal }),
            case .text(let path) = fields[p].value
        else { return nil }
        let spelled = AuditOperator.split("path=" + path)
        if let s = spelled, s.field == "path", s.op == .equal, s.value == path,
            !(path.utf8.count > 1 && path.hasSuffix("/"))
        {
            return nil
        }
        // only what a watch can be: always,exit, every syscall, no arch= (refused after -w)
        guard action == "always", list == "exit", syscalls == .all,
            !fields.contains(where: { $0.name == "arch" || $0.name == "dir" }),
            let m = fields.firstIndex(where: { $0.name == "perm" && $0.op == .equal }),
            case .number(let mask) = fields[m].value, !AuditFieldParser.permText(mask).isEmpty
        else { return nil }
        var parts = ["\(option == "-d" ? "-W" : "-w") \(path) -p \(AuditFieldParser.permText(mask))"]
        for (i, f) in fields.enumerated() where i != p && i != m { parts.append("-F " + f.text(host: host)) }
        for c in comparisons { parts.append("-C " + c.text) }
        for k in keys { parts.append("-k " + k) }
        return parts.joined(separator: " ")
    }
}

/// The syscalls of a filter rule.
public enum AuditSyscallSet: Sendable, Hashable {
    /// No `-S`, or `-S all`.
    case all
    /// Syscall numbers on the rule's machine.
    case numbers(Set<Int>)
    /// Names that have no table (io_uring operations).
    case names(Set<String>)
}

/// A comparison operator of `-F`.
public enum AuditOperator: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    case bitMask = "&"
    case bitTest = "&="

    /// Splits `field<op>value` the way libaudit does: the first of `!=`, `>=`, `<=`, `&=`, `=`, `>`,
    /// `<`, `&` found anywhere in the text (in that order of preference) is the operator.
    private static let splitOrder: [AuditOperator] = [
        .notEqual, .greaterOrEqual, .lessOrEqual, .bitTest, .equal, .greater, .less, .bitMask,
    ]

    static func split(_ pair: String) -> (field: String, op: AuditOperator, value: String)? {
        // byte search: the operators are ASCII, so a match never splits a UTF-8 sequence
        let bytes = Array(pair.utf8)
        func find(_ op: AuditOperator) -> Int? {
            let o = Array(op.rawValue.utf8)
            guard bytes.count >= o.count else { return nil }
            for i in 0...(bytes.count - o.count) where bytes[i] == o[0] && (o.count == 1 || bytes[i + 1] == o[1]) {
                return i
            }
            return nil
        }
        for op in Self.splitOrder {
            if let i = find(op) {
                let field = String(decoding: bytes[..<i], as: UTF8.self)
                let value = String(decoding: bytes[(i + op.rawValue.utf8.count)...], as: UTF8.self)
                return (field, op, value)
            }
        }
        return nil
    }
}

/// The value of a field as the kernel stores it.
public enum AuditValue: Sendable, Hashable, Comparable {
    /// A 32-bit number (uids, syscall arguments, exit codes, perm masks, ...).
    case number(UInt32)
    /// A string (paths, keys, SELinux labels, user or group names, arch names, ...).
    case text(String)

    public static func < (a: AuditValue, b: AuditValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.text(let x), .text(let y)): return x < y
        case (.number, .text): return true
        case (.text, .number): return false
        }
    }
}

/// One `-F name<op>value` condition with its canonical name (`loginuid` is `auid`) and value.
public struct AuditField: Sendable, Hashable, Comparable {
    public var name: String
    public var op: AuditOperator
    public var value: AuditValue

    public init(name: String, op: AuditOperator, value: AuditValue) {
        self.name = name
        self.op = op
        self.value = value
    }

    public static func < (a: AuditField, b: AuditField) -> Bool {
        if a.name != b.name { return a.name < b.name }
        if a.op != b.op { return a.op.rawValue < b.op.rawValue }
        return a.value < b.value
    }

    /// `name<op>value` in canonical spelling (`auid!=unset`, `exit=-EACCES`, `perm=wa`, `arch=b64`).
    func text(host: AuditMachine) -> String {
        name + op.rawValue + valueText(host: host)
    }

    private func valueText(host: AuditMachine) -> String {
        switch value {
        case .text(let s):
            if name == "arch", let m = AuditMachine(rawValue: s) { return m.archToken(host: host) }
            return s
        case .number(let n):
            if AuditFieldParser.uidFields.contains(name) || name == "sessionid", n == UInt32.max { return "unset" }
            if name == "perm" { return AuditFieldParser.permText(n) }
            if name == "exit" {
                let signed = Int(Int32(bitPattern: n))
                if let e = AuditSyscalls.errnoName(abs(signed)), signed != 0 { return (signed < 0 ? "-" : "") + e }
                return String(signed)
            }
            if ["a0", "a1", "a2", "a3"].contains(name) { return "0x" + String(n, radix: 16) }
            return String(n)
        }
    }
}

/// One `-C left<op>right` inter-field comparison, with the two fields in sorted order
/// (the kernel has one comparison constant per pair, whichever way round it is written).
public struct AuditComparison: Sendable, Hashable, Comparable {
    public var left: String
    public var right: String
    public var equal: Bool

    init(_ a: String, _ b: String, equal: Bool) {
        (left, right) = a <= b ? (a, b) : (b, a)
        self.equal = equal
    }

    public static func < (a: AuditComparison, b: AuditComparison) -> Bool {
        (a.left, a.right, a.equal ? 0 : 1) < (b.left, b.right, b.equal ? 0 : 1)
    }

    var text: String { left + (equal ? "=" : "!=") + right }
}
