/// Syscall name tables per machine (generated from `ausyscall --dump`, see
/// `gen-audit-tables.sh`) and the check the profile layer runs at validate time.
///
/// A `-S` name unknown for the rule's `arch=` makes auditctl refuse the line, and `auditctl -R`
/// (what `augenrules --load` runs) stops loading the whole file at the first refused line. So an
/// unknown name, like `stime` in a `-F arch=b64` rule on x86_64, is an error, never a warning.
public enum AuditSyscalls {
    /// The syscall number of `name` on `machine`, or nil when the table has no such name.
    public static func number(_ name: String, on machine: AuditMachine) -> Int? {
        tables[machine]?.byName[name]
    }

    /// The name of syscall `number` on `machine`, or nil.
    public static func name(_ number: Int, on machine: AuditMachine) -> String? {
        tables[machine]?.byNumber[number]
    }

    /// Every syscall name of `machine`, sorted.
    public static func names(on machine: AuditMachine) -> [String] {
        (tables[machine]?.byName.keys).map { $0.sorted() } ?? []
    }

    /// The errno number for a name like `EACCES`, or nil.
    public static func errno(_ name: String) -> Int? { errnos[name] }

    /// The errno name for a number, or nil.
    public static func errnoName(_ number: Int) -> String? { errnoNames[number] }

    /// Why `line` would be refused on a host of machine `arch`, or nil when it is fine.
    ///
    /// The rule's own `-F arch=` picks the syscall table (`b64`/`b32` relative to `arch`); a rule
    /// without one uses `arch` itself. With `bothArches`, a syscall rule without `arch=` is checked
    /// against both the 32-bit and the 64-bit table, because the planner will emit both forms.
    /// Other problems the rule parser finds (unknown options or fields, bad values) are returned
    /// too, so the profile layer can report them with the rule's file:line.
    public static func problem(line: String, arch: AuditMachine, bothArches: Bool = false) -> String? {
        if bothArches {
            switch AuditRule.expandArches(line, machine: arch) {
            case .failure(let p): return p.message
            case .success: return nil
            }
        }
        switch AuditRule.parse(line, machine: arch) {
        case .failure(let p): return p.message
        case .success: return nil
        }
    }

    // MARK: - Tables

    struct Table: Sendable {
        var byName: [String: Int] = [:]
        var byNumber: [Int: String] = [:]
    }

    // each table is parsed on first use only (x86_64 and i386 on the usual node)
    static let x86_64Table = table(table_x86_64)
    static let i386Table = table(table_i386)
    static let aarch64Table = table(table_aarch64)
    static let armTable = table(table_arm)

    static let tables = Tables()

    struct Tables {
        subscript(_ m: AuditMachine) -> Table? {
            switch m {
            case .x86_64: return AuditSyscalls.x86_64Table
            case .i386: return AuditSyscalls.i386Table
            case .aarch64: return AuditSyscalls.aarch64Table
            case .arm: return AuditSyscalls.armTable
            }
        }
    }

    static let errnos: [String: Int] = {
        var out: [String: Int] = [:]
        for (n, name) in pairs(errnoTable) { out[name] = n }
        return out
    }()

    static let errnoNames: [Int: String] = {
        var out: [Int: String] = [:]
        for (n, name) in pairs(errnoTable) where out[n] == nil { out[n] = name }
        return out
    }()

    private static func table(_ text: String) -> Table {
        var t = Table()
        for (n, name) in pairs(text) {
            t.byName[name] = n
            if t.byNumber[n] == nil { t.byNumber[n] = name }
        }
        return t
    }

    /// `NUMBER NAME` lines of a generated table, read byte by byte (it runs for every rule
    /// set with a syscall rule, on about 1,000 lines per machine); other lines are skipped.
    private static func pairs(_ text: String) -> [(Int, String)] {
        var out: [(Int, String)] = []
        out.reserveCapacity(1024)
        let b = Array(text.utf8)
        let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n")
        var i = 0
        while i < b.count {
            var n = 0, digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39, digits < 9 {
                n = n * 10 + Int(b[i] - 0x30)
                digits += 1
                i += 1
            }
            if digits > 0, i < b.count, b[i] == space {
                let start = i + 1
                var end = start
                while end < b.count, b[end] != newline, b[end] != space { end += 1 }
                if end > start, end == b.count || b[end] == newline {
                    out.append((n, String(decoding: b[start..<end], as: UTF8.self)))
                }
                i = end
            }
            while i < b.count, b[i] != newline { i += 1 }
            i += 1
        }
        return out
    }
}
