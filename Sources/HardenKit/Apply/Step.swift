/// One thing the applier does to the root, journaled before it runs. An apply turns plan
/// changes into steps; a rollback or recovery turns journal records back into steps.
public enum StepAction: Sendable {
    /// Give `path` these bytes and metadata; `expect` is the current SHA-256 (nil: must not exist).
    case write(path: String, bytes: [UInt8], uid: UInt32, gid: UInt32, mode: UInt32, xattrs: [String: [UInt8]], expect: String?)
    /// Remove the regular file at `path` whose bytes hash to `expect`.
    case remove(path: String, expect: String)
    /// chown/chmod, or create an empty file or a directory.
    case meta(path: String, uid: UInt32?, gid: UInt32?, mode: UInt32?, create: MetadataChange.Create?)
    /// Remove an empty directory (undo of a created one).
    case removeDirectory(path: String)
    /// chown/chmod of many existing paths in one journaled step (one rule's owner/mode
    /// changes: one record and one sync instead of one of each per path).
    case metaBatch([MetadataTarget])
    /// A runtime sysctl through /proc/sys (live root only).
    case sysctl(key: String, value: String)
    /// Reload a service (live root only).
    case reload(unit: String)

    var path: String {
        switch self {
        case .write(let p, _, _, _, _, _, _), .remove(let p, _), .meta(let p, _, _, _, _), .removeDirectory(let p): return p
        case .sysctl(let k, _): return k
        case .reload(let u): return u
        case .metaBatch(let targets): return targets.first?.path ?? ""
        }
    }

    /// Every path the step changes.
    var paths: [String] {
        switch self {
        case .sysctl, .reload: return []
        case .metaBatch(let targets): return targets.map(\.path)
        default: return [path]
        }
    }

    /// How many plan changes the step carries out.
    var changeCount: Int {
        if case .metaBatch(let targets) = self { return targets.count }
        return 1
    }

    var op: StepRecord.Op {
        switch self {
        case .write: return .write
        case .remove, .removeDirectory: return .remove
        case .meta: return .meta
        case .sysctl: return .sysctl
        case .reload: return .reload
        case .metaBatch: return .metaBatch
        }
    }

    /// Human text for progress lines.
    var summary: String {
        switch self {
        case .write(let p, _, _, _, _, _, let expect): return "\(expect == nil ? "create" : "write") \(p)"
        case .remove(let p, _): return "remove \(p)"
        case .meta(let p, let u, let g, let m, let c):
            if let c { return "create \(c.rawValue) \(p)" }
            var parts: [String] = []
            if u != nil || g != nil { parts.append("chown") }
            if let m { parts.append("chmod \(FileModes.octal(m))") }
            return parts.joined(separator: "+") + " \(p)"
        case .removeDirectory(let p): return "remove directory \(p)"
        case .sysctl(let k, let v): return "sysctl \(k)=\(v)"
        case .reload(let u): return "reload \(u)"
        case .metaBatch(let targets):
            var parts: [String] = []
            if targets.contains(where: { $0.uid != nil || $0.gid != nil }) { parts.append("chown") }
            let modes = Set(targets.compactMap(\.mode))
            if modes.count == 1, let m = modes.first {
                parts.append("chmod \(FileModes.octal(m))")
            } else if !modes.isEmpty {
                parts.append("chmod")
            }
            let what = parts.isEmpty ? "restore owner/mode of" : parts.joined(separator: "+")
            guard let first = targets.first?.path, let last = targets.last?.path else { return what + " 0 paths" }
            return targets.count == 1 ? "\(what) \(first)" : "\(what) \(targets.count) paths (\(first) ... \(last))"
        }
    }
}

/// Test-only fault injection (docs/rollback.md): `HARDEN_FAULT=die:N` kills the process at once
/// (SIGKILL, no cleanup) after step N's journal record and before its action;
/// `HARDEN_FAULT=enospc:N` makes step N's write fail with ENOSPC (a meta-batch step: after half
/// of its paths were changed); `HARDEN_FAULT=diemid:N` kills the process in the middle of step
/// N's action (a meta-batch step: after half of its paths; other steps: like `die`).
public struct FaultInjection: Sendable, Equatable {
    public enum Kind: String, Sendable { case die, enospc, diemid }
    public var kind: Kind
    public var step: Int

    public init(kind: Kind, step: Int) {
        self.kind = kind
        self.step = step
    }

    /// Parse `die:N` / `enospc:N`; nil for anything else.
    public init?(_ text: String?) {
        guard let text else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let n = Int(parts[1]), n >= 1 else { return nil }
        self.init(kind: kind, step: n)
    }
}
