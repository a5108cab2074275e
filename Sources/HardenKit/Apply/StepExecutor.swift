import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs steps inside one transaction: for each, the state it changes is saved (backup bytes,
/// owner, group, mode, xattrs, hash) and the record fsynced *before* the action; a `done`
/// record follows. `undo(_:)` turns a record back into the step that restores that state.
final class StepExecutor {
    let host: RootHost
    let tx: Transaction
    let fault: FaultInjection?
    let progress: (String) -> Void
    private(set) var count = 0

    init(host: RootHost, tx: Transaction, fault: FaultInjection?, progress: @escaping (String) -> Void) {
        self.host = host
        self.tx = tx
        self.fault = fault
        self.progress = progress
    }

    /// Journal, then run one step.
    func run(_ action: StepAction, resources: [String] = [], total: Int) throws(HostError) {
        count += 1
        let n = count
        var rec = StepRecord(step: n, phase: .begin, op: action.op, path: action.path)
        rec.resources = resources.isEmpty ? nil : resources
        switch action {
        case .write, .remove, .meta, .removeDirectory:
            let snap = try host.snapshot(action.path)
            rec.existed = snap.exists
            if snap.exists {
                rec.type = snap.type.map { "\($0)" }
                rec.uid = snap.uid
                rec.gid = snap.gid
                rec.mode = snap.mode
                rec.xattrs = snap.xattrs.isEmpty ? nil : snap.xattrs.mapValues { Data($0).base64EncodedString() }
                rec.shaBefore = snap.sha256
                if let bytes = snap.bytes { rec.backup = try tx.saveBackup(n, bytes) }
            }
            if case .write(_, let bytes, _, _, _, _, _) = action { rec.shaAfter = RootHost.sha(bytes) }
            if case .meta(_, let u, let g, let m, let c) = action {
                rec.newUID = u
                rec.newGID = g
                rec.newMode = m
                rec.created = c?.rawValue
            }
        case .sysctl(let key, let value):
            rec.runtimeBefore = Runtime.readSysctl(key)
            rec.runtimeAfter = value
        case .reload:
            break
        case .metaBatch(let targets):
            // every path's original state in the one record, written before any is changed
            let before = try host.metadataSnapshots(targets.map(\.path))
            var entries: [MetaBatchEntry] = []
            entries.reserveCapacity(targets.count)
            for (t, b) in zip(targets, before) {
                guard b.exists, let type = b.type else { throw .notFound(t.path) }
                entries.append(
                    MetaBatchEntry(
                        path: t.path, type: "\(type)", uid: b.uid, gid: b.gid, mode: b.mode,
                        xattrs: b.xattrs.isEmpty ? nil : b.xattrs.mapValues { Data($0).base64EncodedString() },
                        newUID: t.uid, newGID: t.gid, newMode: t.mode))
            }
            rec.batch = entries
        }
        try tx.append(rec)
        let isBatch = action.op == .metaBatch
        if let fault, fault.step == n, fault.kind == .die || (fault.kind == .diemid && !isBatch) {
            kill(getpid(), SIGKILL)  // test-only: die like kill -9, no cleanup
        }
        let inject: Int32? = fault?.step == n && fault?.kind == .enospc ? ENOSPC : nil
        let halfway: (() -> Void)? =
            fault?.step == n && fault?.kind == .diemid ? { kill(getpid(), SIGKILL) } : nil  // test-only
        progress("[\(n)/\(total)] \(action.summary)")
        try perform(action, inject: inject, halfway: halfway)
        var done = StepRecord(step: n, phase: .done, op: action.op, path: action.path)
        if case .write(_, let bytes, _, _, _, _, _) = action { done.shaAfter = RootHost.sha(bytes) }
        try tx.append(done)
    }

    func perform(_ action: StepAction, inject: Int32?, halfway: (() -> Void)? = nil) throws(HostError) {
        switch action {
        case .write(let path, let bytes, let uid, let gid, let mode, let xattrs, let expect):
            try host.replaceFile(path, bytes: bytes, uid: uid, gid: gid, mode: mode, xattrs: xattrs, expect: expect, inject: inject)
        case .remove(let path, let expect):
            if let inject { throw .io(path, errno: inject, message: "remove: \(String(cString: strerror(inject)))") }
            try host.removeFile(path, expect: expect)
        case .meta(let path, let uid, let gid, let mode, let create):
            switch create {
            case .directory?:
                if let inject { throw .io(path, errno: inject, message: "mkdir: \(String(cString: strerror(inject)))") }
                if try host.metadata(path, follow: false)?.type == .directory {
                    // already made as the parent of a new file earlier in this transaction
                    try host.setMetadata(path, uid: uid, gid: gid, mode: mode)
                } else {
                    try host.makeDirectory(path, uid: uid ?? 0, gid: gid ?? 0, mode: mode ?? 0o755)
                }
            case .file?:
                try host.replaceFile(path, bytes: [], uid: uid ?? 0, gid: gid ?? 0, mode: mode ?? 0o644, xattrs: [:], expect: nil, inject: inject)
            case nil:
                try host.setMetadata(path, uid: uid, gid: gid, mode: mode, inject: inject)
            }
        case .removeDirectory(let path):
            try host.removeDirectory(path)
        case .sysctl(let key, let value):
            if let inject { throw .io(key, errno: inject, message: String(cString: strerror(inject))) }
            try Runtime.writeSysctl(key, value)
        case .reload(let unit):
            try Runtime.reload(unit)
        case .metaBatch(let targets):
            try host.setMetadataBatch(targets, inject: inject, halfway: halfway)
        }
    }

    /// The step that puts `rec.path` back the way `rec` found it, or nil when it already is.
    /// Used by failure rollback, `rollback` and `recover` (records from any transaction).
    static func undo(_ rec: StepRecord, from tx: Transaction, host: RootHost) throws(HostError) -> StepAction? {
        switch rec.op {
        case .sysctl:
            guard let before = rec.runtimeBefore else { return nil }
            return Runtime.readSysctl(rec.path) == before ? nil : .sysctl(key: rec.path, value: before)
        case .reload:
            return .reload(unit: rec.path)
        case .metaBatch:
            return try undoBatch(rec, host: host)
        case .write, .remove, .meta:
            let now = try host.snapshot(rec.path)
            guard rec.existed == true else {
                // it did not exist: remove what the step created
                guard now.exists else { return nil }
                if now.type == .directory { return .removeDirectory(path: rec.path) }
                return .remove(path: rec.path, expect: now.sha256 ?? "")
            }
            let uid = rec.uid ?? 0
            let gid = rec.gid ?? 0
            let mode = rec.mode ?? 0o644
            if rec.type == "directory" {
                if !now.exists { return .meta(path: rec.path, uid: uid, gid: gid, mode: mode, create: .directory) }
                if now.uid == uid && now.gid == gid && now.mode == mode { return nil }
                return .meta(path: rec.path, uid: uid, gid: gid, mode: mode, create: nil)
            }
            guard let backup = rec.backup else {
                if now.uid == uid && now.gid == gid && now.mode == mode { return nil }
                return .meta(path: rec.path, uid: uid, gid: gid, mode: mode, create: nil)
            }
            let bytes = try tx.backup(backup)
            let xattrs = (rec.xattrs ?? [:]).compactMapValues { Data(base64Encoded: $0).map { Array($0) } }
            if now.exists, now.sha256 == RootHost.sha(bytes), now.xattrs == xattrs {
                let ownerDiffers = now.uid != uid || now.gid != gid
                if !ownerDiffers && now.mode == mode { return nil }
                // a chown drops a file capability: only chown when the owner differs, and then
                // rewrite with the attributes (set after the chown) when it has one to keep
                if !ownerDiffers || xattrs["security.capability"] == nil {
                    return .meta(
                        path: rec.path, uid: ownerDiffers ? uid : nil, gid: ownerDiffers ? gid : nil, mode: mode,
                        create: nil)
                }
            }
            return .write(path: rec.path, bytes: bytes, uid: uid, gid: gid, mode: mode, xattrs: xattrs, expect: now.exists ? now.sha256 : nil)
        }
    }

    /// The paths of a meta-batch record that differ from what they were before it, with the
    /// owner, group and mode (and extended attributes, which a chown may drop) to put back.
    /// A chown is only repeated where the owner or group differs: every chown clears setuid and
    /// setgid bits and file capabilities, so those are then restored after it.
    static func undoBatch(_ rec: StepRecord, host: RootHost) throws(HostError) -> StepAction? {
        guard let batch = rec.batch, !batch.isEmpty else { return nil }
        let now = try host.metadataSnapshots(batch.map(\.path))
        var targets: [MetadataTarget] = []
        for (e, n) in zip(batch, now) {
            let xattrs = (e.xattrs ?? [:]).compactMapValues { Data(base64Encoded: $0).map { Array($0) } }
            let xattrsDiffer = xattrs.contains { n.xattrs[$0.key] != $0.value }
            let ownerDiffers = !n.exists || n.uid != e.uid || n.gid != e.gid
            if n.exists && !ownerDiffers && n.mode == e.mode && !xattrsDiffer { continue }
            targets.append(
                MetadataTarget(
                    path: e.path, uid: ownerDiffers ? e.uid : nil, gid: ownerDiffers ? e.gid : nil, mode: e.mode,
                    xattrs: (ownerDiffers || xattrsDiffer) && !xattrs.isEmpty ? xattrs : nil))
        }
        return targets.isEmpty ? nil : .metaBatch(targets)
    }

    /// Drift: the path is no longer what step `rec` left (used by `rollback` without --force).
    static func drifted(_ rec: StepRecord, host: RootHost) -> String? {
        switch rec.op {
        case .metaBatch:
            guard let batch = rec.batch, !batch.isEmpty else { return nil }
            let now: [FileSnapshot]
            do { now = try host.metadataSnapshots(batch.map(\.path)) } catch { return "\(error)" }
            var drift: [String] = []
            for (e, n) in zip(batch, now) {
                if !n.exists {
                    drift.append("\(e.path): missing since the transaction")
                } else if let u = e.newUID, n.uid != u {
                    drift.append("\(e.path): owner changed since the transaction")
                } else if let g = e.newGID, n.gid != g {
                    drift.append("\(e.path): group changed since the transaction")
                } else if let m = e.newMode, n.mode != m {
                    drift.append("\(e.path): mode changed since the transaction")
                }
            }
            if drift.isEmpty { return nil }
            return drift.prefix(3).joined(separator: "; ") + (drift.count > 3 ? "; and \(drift.count - 3) more paths" : "")
        case .write:
            guard let now = try? host.snapshot(rec.path) else { return "\(rec.path): unreadable" }
            return now.sha256 == rec.shaAfter ? nil : "\(rec.path): content changed since the transaction"
        case .remove:
            guard let now = try? host.snapshot(rec.path) else { return "\(rec.path): unreadable" }
            return now.exists ? "\(rec.path): exists again since the transaction" : nil
        case .meta:
            guard let now = try? host.snapshot(rec.path), now.exists else { return "\(rec.path): missing since the transaction" }
            if let u = rec.newUID, now.uid != u { return "\(rec.path): owner changed since the transaction" }
            if let g = rec.newGID, now.gid != g { return "\(rec.path): group changed since the transaction" }
            if let m = rec.newMode, now.mode != m { return "\(rec.path): mode changed since the transaction" }
            return nil
        case .sysctl:
            let now = Runtime.readSysctl(rec.path)
            return now == rec.runtimeAfter ? nil : "sysctl \(rec.path): runtime value changed since the transaction"
        case .reload:
            return nil
        }
    }
}
