/// A plan: the ordered changes that make the host match the profiles, what was observed, and
/// the identity of every file read (for the stale-plan check). Rendering lives elsewhere.
public struct Plan: Sendable {
    /// Format version of the JSON form.
    public static let version = 1

    public var root: String
    public var profiles: [String]
    public var liveRoot: Bool
    public var changes: [PlanChange]
    /// Per resource key: the probed state (in graph order).
    public var observations: [Observation]
    /// Resource key → rule ids (from the graph).
    public var rulesByKey: [String: [String]]
    /// Path → hex SHA-256 of the bytes read, or `absent`.
    public var reads: [String: String]
    /// Problems not tied to one key (e.g. two kinds editing one file).
    public var errors: [String]
    /// Things to know that are not tied to one key (e.g. auditd halting a node on a full disk).
    public var warnings: [String] = []
    /// How the profile set was given (saved with the plan so `apply PLANFILE` can re-probe).
    public var source: ProfileSource?

    /// A plan with nothing in it.
    public static func empty(root: String) -> Plan {
        Plan(root: root, profiles: [], liveRoot: false, changes: [], observations: [], rulesByKey: [:], reads: [:], errors: [])
    }

    /// True when nothing is pending and nothing failed.
    public var isCompliant: Bool { changes.isEmpty && !hasErrors }
    public var hasErrors: Bool {
        !errors.isEmpty || observations.contains { if case .error = $0.status { return true } else { return false } }
    }

    public func rules(for keys: [String]) -> [String] {
        var out: [String] = []
        for k in keys { for r in rulesByKey[k] ?? [] where !out.contains(r) { out.append(r) } }
        return out
    }
}

/// One change of a plan.
public struct PlanChange: Sendable {
    public enum Action: String, Sendable { case add = "+", change = "~", remove = "-" }
    public enum Kind: String, Sendable { case file, metadata, runtime, service }

    public var kind: Kind
    public var action: Action
    /// The file (file/metadata), the sysctl key (runtime) or the unit (service).
    public var path: String
    /// Resource keys this change serves.
    public var resources: [String]
    public var rules: [String]
    /// Content before and after (file changes).
    public var before: [UInt8]?
    public var after: [UInt8]?
    /// SHA-256 of `before` when only the hash is known (a saved plan).
    public var beforeSHA: String?
    /// Human text before and after (metadata, runtime, service).
    public var beforeText: String?
    public var afterText: String?
    /// The metadata change itself (metadata changes).
    public var metadata: MetadataChange?
}

/// The profile files, params and search path a plan was made with, and each file's SHA-256.
public struct ProfileSource: Sendable, Equatable {
    public var entries: [String]
    public var profilePaths: [String]
    public var sets: [String]
    /// Loaded file (absolute path) → SHA-256 when the plan was made.
    public var files: [String: String]

    public init(entries: [String], profilePaths: [String], sets: [String], files: [String: String]) {
        self.entries = entries
        self.profilePaths = profilePaths
        self.sets = sets
        self.files = files
    }
}
