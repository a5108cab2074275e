/// Turns one `-F name<op>value` into the value the kernel stores, following libaudit's
/// `audit_rule_fieldpair_data` and the kernel's `audit_field_valid`.
enum AuditFieldParser {
    static let uidFields: Set<String> = ["uid", "euid", "suid", "fsuid", "auid", "obj_uid"]
    static let gidFields: Set<String> = ["gid", "egid", "sgid", "fsgid", "obj_gid"]
    static let argFields: Set<String> = ["a0", "a1", "a2", "a3"]
    /// Fields whose value is a string.
    static let stringFields: Set<String> = [
        "obj_user", "obj_role", "obj_type", "obj_lev_low", "obj_lev_high", "path", "dir", "subj_user",
        "subj_role", "subj_type", "subj_sen", "subj_clr", "exe",
    ]
    /// Fields that take a plain number.
    static let numberFields: Set<String> = [
        "pid", "ppid", "pers", "devmajor", "devminor", "inode", "success", "loginuid_set", "saddr_fam",
    ]
    /// Fields only the exit (and io_uring) filter can use.
    static let exitOnly: Set<String> = [
        "exit", "path", "dir", "perm", "filetype", "obj_user", "obj_role", "obj_type", "obj_lev_low",
        "obj_lev_high", "devmajor", "devminor", "inode", "success", "ppid",
    ]
    /// Fields that accept every operator, including `&` and `&=`.
    static let bitOpFields: Set<String> = ["a0", "a1", "a2", "a3", "pers", "devminor"]
    /// Fields that accept only `=` and `!=`.
    static let equalityOnly: Set<String> = [
        "subj_user", "subj_role", "subj_type", "obj_user", "obj_role", "obj_type", "path", "dir",
        "loginuid_set", "arch", "fstype", "perm", "filetype", "exe",
    ]
    static let fileTypes: Set<String> = ["file", "dir", "socket", "link", "character", "block", "fifo"]

    /// Every field name auditctl knows (`loginuid` is an alias of `auid`; `key` is handled apart).
    static let known: Set<String> =
        uidFields.union(gidFields).union(argFields).union(stringFields).union(numberFields)
        .union(["exit", "arch", "perm", "filetype", "msgtype", "fstype", "sessionid", "loginuid", "key"])

    /// The canonical field, or why it is refused. `machine` is the host (for `arch=b64`).
    static func field(
        _ rawName: String, _ op: AuditOperator, _ v: String, list: String, host: AuditMachine
    ) -> Result<AuditField, AuditRuleProblem> {
        let name = rawName == "loginuid" ? "auid" : rawName
        let pair = rawName + op.rawValue + v
        func fail(_ why: String) -> Result<AuditField, AuditRuleProblem> {
            .failure(AuditRuleProblem("-F \(pair): \(why)"))
        }
        guard known.contains(name) else { return fail("field '\(rawName)' is unknown") }
        if v.isEmpty { return fail("value missing") }
        if exitOnly.contains(name) && list != "exit" && list != "io_uring" {
            return fail("\(name) can only be used with the exit filter")
        }
        if name == "perm" && list == "io_uring" { return fail("perm cannot be used with io_uring") }
        if name == "msgtype" && list != "exclude" && list != "user" {
            return fail("msgtype can only be used with the exclude or user filter")
        }
        if name == "fstype" && list != "filesystem" { return fail("fstype needs the filesystem filter") }
        if (op == .bitMask || op == .bitTest) && !bitOpFields.contains(name) {
            return fail("bit operators work only on a0..a3, pers and devminor")
        }
        if op != .equal && op != .notEqual && equalityOnly.contains(name) { return fail("only = and != are allowed") }
        if (name == "path" || name == "dir" || name == "perm") && op != .equal { return fail("only = is allowed") }
        let value: AuditValue
        switch name {
        case _ where uidFields.contains(name) || name == "sessionid":
            if AuditNumber.looksNumeric(v), let n = AuditNumber.parse32(v) {
                value = .number(n)
            } else if v == "unset" {
                value = .number(UInt32.max)
            } else if name == "sessionid" {
                return fail("needs a number or unset")
            } else {
                value = .text(v)  // a user name, looked up on the host when the rules load
            }
        case _ where gidFields.contains(name):
            if let first = v.utf8.first, first >= 0x30 && first <= 0x39, let n = AuditNumber.parse32(v) {
                value = .number(n)
            } else {
                value = .text(v)
            }
        case "exit":
            if AuditNumber.looksNumeric(v), let n = AuditNumber.parse32(v) {
                value = .number(n)
            } else {
                let negative = v.hasPrefix("-")
                guard let e = AuditSyscalls.errno(negative ? String(v.dropFirst()) : v) else {
                    return fail("'\(v)' is not an errno name or number")
                }
                value = .number(UInt32(truncatingIfNeeded: negative ? -e : e))
            }
        case "arch":
            switch AuditMachine.resolve(arch: v, host: host) {
            case .success(let m): value = .text(m.rawValue)
            case .failure(let p): return .failure(p)
            }
        case "perm":
            guard let mask = permMask(v) else { return fail("perm takes up to four of r, w, x, a") }
            value = .number(mask)
        case "filetype":
            guard fileTypes.contains(v) else {
                return fail("filetype is one of \(fileTypes.sorted().joined(separator: ", "))")
            }
            value = .text(v)
        case "msgtype", "fstype":
            if let first = v.utf8.first, first >= 0x30 && first <= 0x39, let n = AuditNumber.parse32(v) {
                value = .number(n)
            } else {
                value = .text(v)
            }
        case "dir":
            var p = v
            while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
            guard p.hasPrefix("/") else { return fail("dir must be an absolute path") }
            value = .text(p)
        case "path":
            guard v.hasPrefix("/") else { return fail("path must be an absolute path") }
            if v.count > 1 && v.hasSuffix("/") { return fail("the kernel refuses a path= ending in '/' (use dir=)") }
            value = .text(v)
        case _ where stringFields.contains(name):
            value = .text(v)
        default:  // a0..a3 and plain numbers
            guard AuditNumber.looksNumeric(v) && (argFields.contains(name) || !v.hasPrefix("-")),
                let n = AuditNumber.parse32(v)
            else { return fail("needs a number") }
            value = .number(n)
        }
        return .success(AuditField(name: name, op: op, value: value))
    }

    /// The `AUDIT_PERM_*` mask of `rwxa` letters (any case, at most four), or nil.
    static func permMask(_ text: String) -> UInt32? {
        guard !text.isEmpty, text.utf8.count <= 4 else { return nil }
        var mask: UInt32 = 0
        for ch in text.lowercased() {
            switch ch {
            case "x": mask |= 1
            case "w": mask |= 2
            case "r": mask |= 4
            case "a": mask |= 8
            default: return nil
            }
        }
        return mask
    }

    /// Letters of a perm mask in `rwxa` order.
    static func permText(_ mask: UInt32) -> String {
        var s = ""
        if mask & 4 != 0 { s += "r" }
        if mask & 2 != 0 { s += "w" }
        if mask & 1 != 0 { s += "x" }
        if mask & 8 != 0 { s += "a" }
        return s
    }

    /// The canonical `-C` comparison, or why it is refused.
    static func comparison(_ text: String, list: String) -> Result<AuditComparison, AuditRuleProblem> {
        let equal: Bool
        let parts: [Substring]
        if let r = text.firstRange(of: "!=") {
            equal = false
            parts = [text[..<r.lowerBound], text[r.upperBound...]]
        } else if let i = text.firstIndex(of: "=") {
            equal = true
            parts = [text[..<i], text[text.index(after: i)...]]
        } else {
            return .failure(AuditRuleProblem("-C \(text): needs field=field or field!=field"))
        }
        guard list == "exit" || list == "io_uring" else {
            return .failure(AuditRuleProblem("-C \(text): comparisons work only in the exit filter"))
        }
        let a = parts[0] == "loginuid" ? "auid" : String(parts[0])
        let b = parts[1] == "loginuid" ? "auid" : String(parts[1])
        let bothUid = uidFields.contains(a) && uidFields.contains(b)
        let bothGid = gidFields.contains(a) && gidFields.contains(b)
        guard a != b, bothUid || bothGid else {
            return .failure(AuditRuleProblem("-C \(text): incompatible comparison"))
        }
        return .success(AuditComparison(a, b, equal: equal))
    }
}
