/// What one `file` graph node wants: owner, acceptable groups and a mode (ceiling or exact)
/// for a path, a glob, or a tree.
public struct FileDesired: Sendable, Equatable {
    /// Resource key, e.g. `file:/etc/shadow`.
    public var key: String
    /// Absolute path, possibly with glob characters in any component.
    public var path: String
    public var owner: String?
    /// Acceptable groups; the first resolvable one is set when the current group is not among them.
    public var groups: [String]
    public var mode: UInt32?
    public var exactMode: Bool
    public var recursive: Bool
    public var type: FileTypeFilter
    public var create: Bool
    public var exclude: [String]

    public init(
        key: String, path: String, owner: String? = nil, groups: [String] = [], mode: UInt32? = nil,
        exactMode: Bool = false, recursive: Bool = false, type: FileTypeFilter = .any, create: Bool = false,
        exclude: [String] = []
    ) {
        self.key = key
        self.path = path
        self.owner = owner
        self.groups = groups
        self.mode = mode
        self.exactMode = exactMode
        self.recursive = recursive
        self.type = type
        self.create = create
        self.exclude = exclude
    }

    /// Human text of the desired state, e.g. `root:root|shadow 0640 or stricter`.
    public var display: String {
        var parts: [String] = []
        if owner != nil || !groups.isEmpty {
            parts.append("\(owner ?? "*"):\(groups.isEmpty ? "*" : groups.joined(separator: "|"))")
        }
        if let mode { parts.append(FileModes.octal(mode) + (exactMode ? "" : " or stricter")) }
        if recursive { parts.append("recursive") }
        return parts.joined(separator: " ")
    }
}

/// Octal text of modes.
public enum FileModes {
    /// `0640`
    public static func octal(_ mode: UInt32) -> String {
        let s = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
