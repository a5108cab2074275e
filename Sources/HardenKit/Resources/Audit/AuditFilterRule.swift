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

    func canonicalText(option: String, host: AuditMachine, machine: AuditMachine) -> String {
        var parts = ["\(option) \(action),\(list)"]
        let arch = fields.filter { $0.name == "arch" }
        for f in arch { parts.append("-F " + f.text(host: host)) }
        switch syscalls {
        case .all:
            break
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
    static func split(_ pair: String) -> (field: String, op: AuditOperator, value: String)? {
        for op in [AuditOperator.notEqual, .greaterOrEqual, .lessOrEqual, .bitTest, .equal, .greater, .less, .bitMask] {
            if let r = pair.range(of: op.rawValue) {
                return (String(pair[..<r.lowerBound]), op, String(pair[r.upperBound...]))
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
