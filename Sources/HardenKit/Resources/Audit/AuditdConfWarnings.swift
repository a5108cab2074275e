/// Node-safety warnings about `/etc/audit/auditd.conf` (whose keys the keyvalue kind sets).
///
/// `admin_space_left_action` or `disk_full_action` set to `halt` or `single` takes the machine
/// down (or to single-user mode) when the audit log disk fills; on a Kubernetes node that drains
/// every pod from it. Some benchmarks ask for exactly that, so harden warns rather than refuses.
public enum AuditdConfWarnings {
    /// The keys whose `halt`/`single` value is dangerous on a node.
    public static let keys = ["admin_space_left_action", "disk_full_action"]

    /// One warning per active line that sets a key of `keys` to `halt` or `single` (values
    /// compared case-insensitively, as auditd does; `#` comments and blank lines skipped).
    public static func check(bytes: [UInt8]) -> [String] {
        var warnings: [String] = []
        for (i, raw) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let line = trimmed(Array(raw))
            if line.isEmpty || line.first == 0x23 { continue }
            guard let eq = line.firstIndex(of: 0x3D) else { continue }
            let key = String(decoding: trimmed(Array(line[..<eq])), as: UTF8.self)
            let value = String(decoding: trimmed(Array(line[(eq + 1)...])), as: UTF8.self).lowercased()
            guard keys.contains(key), value == "halt" || value == "single" else { continue }
            warnings.append(
                "auditd.conf:\(i + 1): \(key) = \(value) takes the node down when the audit log disk fills"
                    + " (a Kubernetes node drops out of the cluster); prefer ROTATE or SUSPEND and ship logs off the node"
            )
        }
        return warnings
    }

    /// `bytes` without leading and trailing spaces, tabs and carriage returns.
    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let space: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !space($0) }), let last = bytes.lastIndex(where: { !space($0) })
        else {
            return []
        }
        return Array(bytes[first...last])
    }
}
