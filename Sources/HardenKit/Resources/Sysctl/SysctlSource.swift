/// Where a sysctl assignment was read: a file and a 1-based line number.
public struct SysctlLocation: Sendable, Equatable, CustomStringConvertible {
    /// Absolute path inside the root, as the tool that reads it opens it.
    public var path: String
    /// 1-based line number.
    public var line: Int

    /// A location from a path and a 1-based line number.
    public init(path: String, line: Int) {
        self.path = path
        self.line = line
    }

    /// `path:line`.
    public var description: String { "\(path):\(line)" }
}

/// One configuration file as a sysctl loader reads it.
public struct SysctlSource: Sendable, Equatable {
    /// The path the loader opens, e.g. `/usr/lib/sysctl.d/50-default.conf` or `/etc/sysctl.conf`.
    public var path: String
    /// The file name the loaders sort and mask by (`50-default.conf`).
    public var name: String
    /// The parsed file; empty for a masking entry that is not a regular file.
    public var file: SysctlFile
    /// The bytes read, or nil when the entry is not a regular file (a symlink to /dev/null,
    /// a dangling symlink): such an entry masks same-named files and contributes nothing.
    public var bytes: [UInt8]?
    /// The path edits must go to when this entry is another name for a file; set for a
    /// drop-in with exactly the bytes of /etc/sysctl.conf (Debian and RHEL ship
    /// `/etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf`). Writing through the symlink path
    /// with an atomic rename would replace the link by a copy, so edits target the real file.
    public var aliasOf: String?

    /// A source from its bytes (nil for a non-regular masking entry), parsed on creation.
    public init(path: String, name: String, bytes: [UInt8]?, aliasOf: String? = nil) {
        self.path = path
        self.name = name
        self.bytes = bytes
        self.file = SysctlFile(bytes: bytes ?? [])
        self.aliasOf = aliasOf
    }

    /// The path an edit of this source must be written to.
    public var editPath: String { aliasOf ?? path }

    /// True for sources an administrator owns (under /etc), which harden edits in place.
    public var isUnderEtc: Bool { editPath.hasPrefix("/etc/") }
}

/// The two programs that load sysctl files, whose orders differ.
public enum SysctlOrder: String, Sendable, CaseIterable {
    /// systemd-sysctl (at boot): drop-ins only; /etc/sysctl.conf only through a drop-in symlink.
    case systemd = "systemd-sysctl"
    /// `sysctl --system` (procps): the same drop-ins, then /etc/sysctl.conf last.
    case procps = "sysctl --system"
}

/// Name ordering used by both loaders: strcmp(3) on the bytes of the name.
func sysctlNameOrder(_ a: String, _ b: String) -> Bool {
    Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
}
