import Foundation

/// One sysctl key harden must persist (and, on the live root, apply at runtime).
public struct SysctlDesired: Sendable, Equatable {
    /// The key in canonical dotted form (`net.ipv4.ip_forward`); a `/` spelling given to the
    /// initializer is normalized.
    public var key: String
    /// The desired value as written to the file (`1`, `4096 87380 6291456`).
    public var value: String

    /// A desired key (either spelling) and value; both are trimmed.
    public init(key: String, value: String) {
        self.key = SysctlKey.normalize(key.trimmingCharacters(in: .whitespaces))
        self.value = value.trimmingCharacters(in: .whitespaces)
    }

    /// Resource key of the persisted value: `sysctl:<key>`.
    public var resourceKey: String { "sysctl:\(key)" }
    /// Resource key of the live value: `sysctl-runtime:<key>`.
    public var runtimeResourceKey: String { "sysctl-runtime:\(key)" }
}
