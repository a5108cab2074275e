/// What a transaction is: its id, kind, profiles and state, stored as `meta.json`.
public struct TransactionMeta: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case open, committed, rolledBack = "rolled-back" }
    public enum Kind: String, Codable, Sendable { case apply, rollback }

    /// Time-sortable: `YYYYMMDDTHHMMSSZ-` plus random hex.
    public var id: String
    public var kind: Kind
    public var state: State
    /// UTC, ISO 8601.
    public var created: String
    public var profiles: [String]
    public var root: String
    /// For a rollback: the transaction it undoes.
    public var undoes: String?
    /// Set on an apply when a later rollback undid it.
    public var undoneBy: String?
    /// Counts for `history`.
    public var changes: Int
    public var files: Int
}

/// One line of `steps.jsonl`, written and fsynced before (`begin`) and after (`done`) a step.
public struct StepRecord: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable { case begin, done }
    public enum Op: String, Codable, Sendable {
        /// Replace a file's bytes (or create it).
        case write
        /// Remove a file.
        case remove
        /// chown/chmod, or create an empty file or directory.
        case meta
        /// chown/chmod of many paths at once (one rule's owner/mode changes): `batch` holds
        /// every path's original owner, group, mode and extended attributes.
        case metaBatch = "meta-batch"
        /// A runtime sysctl value through /proc/sys (live root only).
        case sysctl
        /// A service reload (live root only; nothing to undo but to reload again).
        case reload
    }

    public var step: Int
    public var phase: Phase
    public var op: Op
    public var path: String
    /// Before the step: did the path exist, and its owner, group, mode, xattrs (base64), hash.
    public var existed: Bool?
    public var type: String?
    public var backup: String?
    public var uid: UInt32?
    public var gid: UInt32?
    public var mode: UInt32?
    public var xattrs: [String: String]?
    public var shaBefore: String?
    /// After the step: the hash (write) or metadata (meta) it leaves.
    public var shaAfter: String?
    public var newUID: UInt32?
    public var newGID: UInt32?
    public var newMode: UInt32?
    /// meta: the path was created by this step (`file` or `directory`).
    public var created: String?
    /// sysctl: the runtime values.
    public var runtimeBefore: String?
    public var runtimeAfter: String?
    /// Resource keys the step serves.
    public var resources: [String]?
    /// meta-batch: each path before the step and what the step gives it.
    public var batch: [MetaBatchEntry]?

    public init(step: Int, phase: Phase, op: Op, path: String) {
        self.step = step
        self.phase = phase
        self.op = op
        self.path = path
    }
}

/// One path of a `meta-batch` step: what it was before (type, owner, group, mode, extended
/// attributes in base64 when it has any) and the owner, group and mode the step gives it.
public struct MetaBatchEntry: Codable, Sendable, Equatable {
    public var path: String
    public var type: String
    public var uid: UInt32
    public var gid: UInt32
    public var mode: UInt32
    public var xattrs: [String: String]?
    public var newUID: UInt32?
    public var newGID: UInt32?
    public var newMode: UInt32?

    public init(
        path: String, type: String, uid: UInt32, gid: UInt32, mode: UInt32, xattrs: [String: String]?,
        newUID: UInt32?, newGID: UInt32?, newMode: UInt32?
    ) {
        self.path = path
        self.type = type
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.xattrs = xattrs
        self.newUID = newUID
        self.newGID = newGID
        self.newMode = newMode
    }
}
