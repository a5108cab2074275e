/// A machine (ABI) whose syscall table auditctl uses to turn `-S name` into a number.
///
/// auditctl picks the table from the rule's `-F arch=` (which must come before `-S`), or from the
/// running machine when the rule has none. `b64`/`b32` mean the running machine's 64-bit and 32-bit
/// ABI: on x86_64 they are `x86_64` and `i386`, on aarch64 `aarch64` and `arm`.
public enum AuditMachine: String, Sendable, CaseIterable, Equatable {
    case x86_64
    case i386
    case aarch64
    case arm

    /// True for the 64-bit ABIs.
    public var is64Bit: Bool { self == .x86_64 || self == .aarch64 }

    /// The 32-bit ABI a 64-bit machine also runs (`b32`), or itself for a 32-bit machine.
    public var bits32: AuditMachine {
        switch self {
        case .x86_64, .i386: return .i386
        case .aarch64, .arm: return .arm
        }
    }

    /// The 64-bit ABI (`b64`), or nil for a 32-bit machine (auditctl refuses `b64` there).
    public var bits64: AuditMachine? {
        switch self {
        case .x86_64: return .x86_64
        case .aarch64: return .aarch64
        case .i386, .arm: return nil
        }
    }

    /// The `AUDIT_ARCH_*` value the kernel compares `arch=` with.
    public var elf: UInt32 {
        switch self {
        case .x86_64: return 0xC000_003E
        case .i386: return 0x4000_0003
        case .aarch64: return 0xC000_00B7
        case .arm: return 0x4000_0028
        }
    }

    /// How `arch=` spells this machine in canonical rule text, relative to `host`:
    /// `b64`/`b32` for the host's own ABIs, the machine name otherwise.
    public func archToken(host: AuditMachine) -> String {
        if self == host.bits64 { return "b64" }
        if self == host.bits32 { return "b32" }
        return rawValue
    }

    /// The machine for a `uname -m` style name as libaudit's machine table knows it
    /// (`i686`, `armv7l`, ...), or nil.
    public static func named(_ name: String) -> AuditMachine? {
        switch name {
        case "x86_64": return .x86_64
        case "i386", "i486", "i586", "i686": return .i386
        case "aarch64": return .aarch64
        case "arm", "armeb", "armv5tejl", "armv5tel", "armv6l", "armv7l": return .arm
        default: return nil
        }
    }

    /// Resolves the value of `-F arch=VALUE` the way libaudit's `audit_determine_machine` does:
    /// `b64`/`b32` (any case) relative to `host`, a machine name, or an `AUDIT_ARCH_*` number.
    /// Returns the reason when the value is refused.
    public static func resolve(arch value: String, host: AuditMachine) -> Result<AuditMachine, AuditRuleProblem> {
        switch value.lowercased() {
        case "b64":
            guard let m = host.bits64 else {
                return .failure(AuditRuleProblem("arch=\(value) is not available on 32-bit \(host.rawValue)"))
            }
            return .success(m)
        case "b32":
            return .success(host.bits32)
        default:
            break
        }
        if let m = named(value) { return .success(m) }
        if let first = value.utf8.first, first >= 0x30 && first <= 0x39, let n = AuditNumber.parseUnsigned(value) {
            if let m = allCases.first(where: { UInt64($0.elf) == n }) { return .success(m) }
            return .failure(AuditRuleProblem("arch=\(value) is not an ELF machine harden knows"))
        }
        return .failure(AuditRuleProblem("arch=\(value) is unknown (b64, b32, x86_64, i386, aarch64 or arm)"))
    }

    /// Guesses the target's machine from its dynamic loader: `/lib/ld-linux-aarch64.so.1` means
    /// aarch64; anything else is taken as x86_64 (the only other node architecture harden targets).
    public static func detect(host: HostReader) -> AuditMachine {
        for path in ["/lib/ld-linux-aarch64.so.1", "/lib64/ld-linux-aarch64.so.1", "/usr/lib/ld-linux-aarch64.so.1"] {
            if (try? host.fileType(path)) ?? nil != nil { return .aarch64 }
        }
        return .x86_64
    }
}

/// Number parsing as libaudit does it with `strtoul(v, NULL, 0)` / `strtol(v, NULL, 0)`:
/// `0x` hex, leading `0` octal, else decimal; the longest valid prefix counts (`8192\r` is 8192),
/// overflow saturates, and the result is stored in a 32-bit field.
enum AuditNumber {
    /// The value of the longest C integer literal at the start of `text`, or nil when none.
    static func parseUnsigned(_ text: String) -> UInt64? {
        let u = Array(text.utf8)
        var i = 0
        var radix: UInt64 = 10
        if u.count > 2 && u[0] == 0x30 && (u[1] == 0x78 || u[1] == 0x58) && digit(u[2], 16) != nil {
            radix = 16
            i = 2
        } else if u.first == 0x30 {
            radix = 8
        }
        var value: UInt64 = 0
        var any = false
        while i < u.count, let d = digit(u[i], radix) {
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (s, o2) = m.addingReportingOverflow(d)
            value = o1 || o2 ? UInt64.max : s
            any = true
            i += 1
        }
        return any ? value : nil
    }

    private static func digit(_ c: UInt8, _ radix: UInt64) -> UInt64? {
        let d: UInt64
        switch c {
        case 0x30...0x39: d = UInt64(c - 0x30)
        case 0x61...0x66: d = UInt64(c - 0x61 + 10)
        case 0x41...0x46: d = UInt64(c - 0x41 + 10)
        default: return nil
        }
        return d < radix ? d : nil
    }

    /// A field value as the kernel stores it: `-N` wraps to `2^32 - N`, larger values truncate.
    static func parse32(_ text: String) -> UInt32? {
        if text.hasPrefix("-") {
            guard let n = parseUnsigned(String(text.dropFirst())) else { return nil }
            return UInt32(truncatingIfNeeded: 0 &- n)
        }
        return parseUnsigned(text).map { UInt32(truncatingIfNeeded: $0) }
    }

    /// True when `text` starts the way libaudit takes as a number: a digit, or `-` and a digit.
    static func looksNumeric(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard let first = u.first else { return false }
        if first >= 0x30 && first <= 0x39 { return true }
        return first == 0x2D && u.count >= 2 && u[1] >= 0x30 && u[1] <= 0x39
    }
}
