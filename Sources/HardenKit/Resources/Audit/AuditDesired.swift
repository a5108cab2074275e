/// One desired audit rule or control line, as the profile layer hands it to `AuditPlanner`.
public struct AuditDesired: Sendable, Equatable {
    /// Resource key, `audit:<canonical rule text>` (e.g. `audit:-e` for control lines).
    public var key: String
    /// The rule line as it should appear in a rules.d file.
    public var rule: String
    /// Owned rules.d file name for it; nil picks the default for the kind of line
    /// (`AuditPlanner.defaultFile(for:)`). Ignored for `-e`, which always goes to
    /// `AuditPlanner.finalizeFile` (read last).
    public var file: String?
    /// Also emit the other ABI: a syscall rule without `-F arch=` becomes a `b32` and a `b64`
    /// line (see `AuditRule.expandArches`).
    public var bothArches: Bool

    public init(key: String, rule: String, file: String? = nil, bothArches: Bool = false) {
        self.key = key
        self.rule = rule
        self.file = file
        self.bothArches = bothArches
    }
}

/// The kernel's live audit state, for the live root only (`--root /`). The caller implements it
/// with `auditctl -s` (`enabled 2` means immutable); tests pass a stub.
public protocol AuditRuntime: Sendable {
    /// True when the loaded rules are locked until reboot (`enabled 2`), false when not, nil
    /// when unknown (auditctl missing or failing).
    func isImmutable() -> Bool?
}
