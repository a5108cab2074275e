/// One file's full replacement, computed by a resource kind's planner.
/// `before == nil` means the file does not exist yet; `after == nil` means remove it.
public struct FileEdit: Sendable, Equatable {
    public var path: String
    public var before: [UInt8]?
    public var after: [UInt8]?
    /// Resource keys (e.g. `sshd:passwordauthentication`) this edit serves.
    public var keys: [String]

    public init(path: String, before: [UInt8]?, after: [UInt8]?, keys: [String]) {
        self.path = path
        self.before = before
        self.after = after
        self.keys = keys
    }
}

/// The probed state of one resource key against its desired value.
public struct Observation: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// Effective value already as desired.
        case compliant
        /// A change is planned to make it right.
        case pending
        /// Cannot be planned; the reason says why (nothing of it is applied).
        case error(String)
    }

    /// Resource key, e.g. `sshd:passwordauthentication`.
    public var key: String
    /// Desired value as shown to a human.
    public var desired: String
    /// Effective value today, nil when unset (default applies).
    public var current: String?
    /// Where the effective value comes from, `path:line`, when known.
    public var source: String?
    public var status: Status
    /// Things a human should know that the plan does not change (e.g. a Match block override).
    public var warnings: [String]

    public init(
        key: String, desired: String, current: String?, source: String? = nil, status: Status,
        warnings: [String] = []
    ) {
        self.key = key
        self.desired = desired
        self.current = current
        self.source = source
        self.status = status
        self.warnings = warnings
    }
}

/// What a kind's planner returns: per-key observations and the file edits that fix them.
public struct KindPlan: Sendable, Equatable {
    public var observations: [Observation]
    public var edits: [FileEdit]
    /// Paths read while probing with their bytes' identity (for stale-plan detection later).
    public var readPaths: [String]
    /// Owner, group and mode changes (the `file` kind).
    public var metadata: [MetadataChange] = []

    public init(observations: [Observation] = [], edits: [FileEdit] = [], readPaths: [String] = []) {
        self.observations = observations
        self.edits = edits
        self.readPaths = readPaths
    }
}

/// An owner, group or mode change of one path, or its creation (the `file` kind).
public struct MetadataChange: Sendable, Equatable {
    public enum Create: String, Sendable, Equatable { case file, directory }

    public var path: String
    /// Resource key, e.g. `file:/etc/shadow`.
    public var key: String
    public var uidBefore: UInt32?
    public var uidAfter: UInt32?
    public var gidBefore: UInt32?
    public var gidAfter: UInt32?
    public var modeBefore: UInt32?
    public var modeAfter: UInt32?
    /// Set when the path does not exist and the rule creates it.
    public var create: Create?
    /// Human text of both sides with names (`root:shadow 0640`), filled by the planner.
    public var displayBefore: String?
    public var displayAfter: String?

    public init(path: String, key: String) {
        self.path = path
        self.key = key
    }

    /// True when nothing changes.
    public var isEmpty: Bool {
        create == nil && (uidAfter == nil || uidAfter == uidBefore) && (gidAfter == nil || gidAfter == gidBefore)
            && (modeAfter == nil || modeAfter == modeBefore)
    }
}
