import Foundation

/// Why an apply, rollback or recovery stopped; one line for the user.
public struct ApplyFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// What an apply did.
public enum ApplyOutcome: Sendable, Equatable {
    case noChanges
    case applied(id: String, changes: Int, files: Int)
}

/// Applies plans inside journaled transactions, rolls them back, and recovers open ones.
/// The caller holds the journal lock for the whole operation.
public final class Applier {
    public let host: RootHost
    /// The root's journal; nil until the first transaction creates it.
    public private(set) var journal: Journal?
    public let live: Bool
    public var fault: FaultInjection?
    public var progress: (String) -> Void = { _ in }

    /// `journal` is the existing one (or nil); it is created by the first transaction.
    public init(host: RootHost, journal: Journal?) {
        self.host = host
        self.journal = journal
        self.live = host.isLiveRoot
    }

    func journalForWriting() throws(HostError) -> Journal {
        if let journal { return journal }
        let j = try Journal(host: host, create: true)
        journal = j
        return j
    }

    /// Transactions, oldest first (none when the root has no journal).
    public func transactions() -> [TransactionMeta] { journal?.list() ?? [] }

    /// The mode apply gives a file it creates: audit configuration is not world-readable
    /// (augenrules writes 0640); everything else 0644.
    public static func newFileMode(_ path: String) -> UInt32 { path.hasPrefix("/etc/audit/") ? 0o640 : 0o644 }

    /// Steps creating the missing parent directories of `path` (root:root 0755), outermost first.
    func parentSteps(_ path: String, planned: inout Set<String>) throws(HostError) -> [(StepAction, [String])] {
        var missing: [String] = []
        var dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        while !dir.isEmpty, !planned.contains(dir), try host.metadata(dir, follow: true) == nil {
            missing.append(dir)
            dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.startIndex)])
        }
        return missing.reversed().map { d in
            planned.insert(d)
            return (.meta(path: d, uid: 0, gid: 0, mode: 0o755, create: .directory), [])
        }
    }

    /// Steps for a plan's changes, in plan order; runtime and services only on the live root.
    func steps(for plan: Plan) throws(HostError) -> [(StepAction, [String])] {
        var out: [(StepAction, [String])] = []
        var planned = Set<String>()
        // owner/mode changes of existing paths by one rule, in a row, become one meta-batch
        // step (one journal record and one sync for 10,000 files instead of one per file)
        var run: [MetadataTarget] = []
        var runResources: [String] = []
        func flush() {
            if run.count == 1, let t = run.first {
                out.append((.meta(path: t.path, uid: t.uid, gid: t.gid, mode: t.mode, create: nil), runResources))
            } else if run.count > 1 {
                out.append((.metaBatch(run), runResources))
            }
            run = []
        }
        for c in plan.changes {
            if c.kind == .metadata, let m = c.metadata, m.create == nil {
                if !run.isEmpty && runResources != c.resources { flush() }
                runResources = c.resources
                run.append(MetadataTarget(path: m.path, uid: m.uidAfter, gid: m.gidAfter, mode: m.modeAfter))
                continue
            }
            flush()
            if (c.kind == .file && c.before == nil && c.beforeSHA == nil) || (c.kind == .metadata && c.metadata?.create != nil) {
                out += try parentSteps(c.path, planned: &planned)
            }
            switch c.kind {
            case .file:
                let beforeSHA = c.before.map(RootHost.sha) ?? c.beforeSHA
                if let after = c.after {
                    if let beforeSHA {
                        let snap = try host.snapshot(c.path)
                        out.append((.write(path: c.path, bytes: after, uid: snap.uid, gid: snap.gid, mode: snap.mode,
                                           xattrs: snap.xattrs, expect: beforeSHA), c.resources))
                    } else {
                        out.append((.write(path: c.path, bytes: after, uid: 0, gid: 0, mode: Self.newFileMode(c.path), xattrs: [:], expect: nil), c.resources))
                    }
                } else if let beforeSHA {
                    out.append((.remove(path: c.path, expect: beforeSHA), c.resources))
                }
            case .metadata:
                guard let m = c.metadata else { continue }
                out.append((.meta(path: m.path, uid: m.uidAfter, gid: m.gidAfter, mode: m.modeAfter, create: m.create), c.resources))
            case .runtime:
                if live, let v = c.afterText { out.append((.sysctl(key: c.path, value: v), c.resources)) }
            case .service:
                if live { out.append((.reload(unit: c.path), c.resources)) }
            }
        }
        flush()
        return out
    }

    /// Apply `plan` in a new transaction. On any failure, or when `replan` still shows
    /// changes afterwards, everything this transaction did is rolled back.
    public func apply(_ plan: Plan, planJSON: [UInt8], replan: () -> Plan) throws(ApplyFailure) -> ApplyOutcome {
        let actions: [(StepAction, [String])]
        do {
            actions = try steps(for: plan)
        } catch {
            throw ApplyFailure("nothing was changed: \(error)")
        }
        if actions.isEmpty { return .noChanges }
        let files = Set(actions.flatMap { $0.0.paths }).count
        let changes = actions.reduce(0) { $0 + $1.0.changeCount }
        let tx: Transaction
        do {
            tx = try journalForWriting().begin(
                kind: .apply, profiles: plan.profiles, root: plan.root, undoes: nil, plan: planJSON,
                changes: changes, files: files)
        } catch {
            throw ApplyFailure("nothing was changed: cannot start a transaction: \(error)")
        }
        let exec = StepExecutor(host: host, tx: tx, fault: fault, progress: progress)
        for (action, resources) in actions {
            do {
                try exec.run(action, resources: resources, total: actions.count)
            } catch {
                let undone = undoAll(tx)
                throw ApplyFailure("step \(exec.count) (\(action.summary)) failed: \(error); \(undone)")
            }
        }
        // converge: probing again must find nothing left to do
        let after = replan()
        let left = after.changes.filter { $0.kind != .service && ($0.kind != .runtime || live) }
        if !left.isEmpty || after.hasErrors {
            let rules = Set(left.flatMap(\.rules)).sorted()
            let undone = undoAll(tx)
            let what = left.isEmpty ? "the plan after applying has errors" : "rules did not converge: \(rules.joined(separator: ", "))"
            throw ApplyFailure("\(what); \(undone)")
        }
        do {
            try tx.setState(.committed)
        } catch {
            let undone = undoAll(tx)
            throw ApplyFailure("cannot commit the transaction: \(error); \(undone)")
        }
        return .applied(id: tx.id, changes: changes, files: files)
    }

    /// Restore every begun step of `tx` in reverse (no drift check) and mark it rolled back.
    /// Returns a one-line account.
    @discardableResult
    func undoAll(_ tx: Transaction) -> String {
        let begun: [StepRecord]
        do {
            begun = try tx.steps().filter { $0.phase == .begin }
        } catch {
            return "ROLLBACK INCOMPLETE for transaction \(tx.id) (left open): cannot read its step log: \(error)"
        }
        var failures: [String] = []
        var reloads: [String] = []
        for rec in begun.reversed() {
            if rec.op != .metaBatch { host.removeTemporaries(for: rec.path) }  // a write killed before its rename
            do {
                guard let step = try StepExecutor.undo(rec, from: tx, host: host) else { continue }
                if case .reload(let u) = step {
                    if !reloads.contains(u) { reloads.append(u) }
                    continue
                }
                try StepExecutor(host: host, tx: tx, fault: nil, progress: { _ in }).perform(step, inject: nil)
            } catch {
                failures.append("\(rec.path): \(error)")
            }
        }
        for u in reloads where live { try? Runtime.reload(u) }
        if failures.isEmpty {
            try? tx.setState(.rolledBack)
            return "rolled back \(begun.count) step\(begun.count == 1 ? "" : "s") of transaction \(tx.id); the host is as it was"
        }
        return "ROLLBACK INCOMPLETE for transaction \(tx.id) (left open; run `harden recover`): \(failures.joined(separator: "; "))"
    }

    /// Roll back every open transaction (a crash, kill -9, power loss). Returns their ids.
    public func recover() throws(ApplyFailure) -> [String] {
        var done: [String] = []
        guard let journal else { return [] }
        for meta in journal.list() where meta.state == .open {
            guard let tx = try? journal.open(meta.id) else { continue }
            // a log that cannot be read leaves nothing to undo by: refuse, change nothing
            do {
                _ = try tx.steps()
            } catch {
                throw ApplyFailure("cannot recover open transaction \(meta.id): \(error); nothing was changed")
            }
            progress("recovering open transaction \(meta.id)")
            let result = undoAll(tx)
            if result.hasPrefix("ROLLBACK INCOMPLETE") { throw ApplyFailure(result) }
            if meta.kind == .rollback, let undone = meta.undoes, let source = try? journal.open(undone),
                source.meta.state == .rolledBack
            {
                try? source.setState(.committed)
            }
            done.append(meta.id)
        }
        return done
    }

    /// Undo a committed apply (the last one, or `id`) in a journaled rollback transaction.
    /// A path changed since is refused by name unless `force`.
    public func rollback(id: String?, force: Bool) throws(ApplyFailure) -> (id: String, undone: String, steps: Int) {
        guard let journal else { throw ApplyFailure("nothing to roll back: this root has no harden journal") }
        let all = journal.list()
        guard let target = id.map({ wanted in all.first { $0.id == wanted } }) ?? all.last(where: { $0.kind == .apply && $0.state == .committed }) else {
            throw ApplyFailure(id.map { "no transaction \($0)" } ?? "nothing to roll back: no committed apply transaction")
        }
        guard target.kind == .apply else { throw ApplyFailure("\(target.id) is a rollback, not an apply") }
        guard target.state == .committed else { throw ApplyFailure("\(target.id) is \(target.state.rawValue), not committed") }
        let source: Transaction
        do { source = try journal.open(target.id) } catch { throw ApplyFailure("cannot open \(target.id): \(error)") }
        let begun: [StepRecord]
        do {
            begun = try source.steps().filter { $0.phase == .begin }
        } catch {
            throw ApplyFailure("cannot roll back \(target.id): \(error); nothing was changed")
        }
        if !force {
            let drift = begun.compactMap { StepExecutor.drifted($0, host: host) }
            if !drift.isEmpty {
                throw ApplyFailure("refusing to roll back \(target.id): \(drift.joined(separator: "; ")) (use --force to overwrite)")
            }
        }
        var steps: [StepAction] = []
        do {
            for rec in begun.reversed() {
                if let s = try StepExecutor.undo(rec, from: source, host: host) { steps.append(s) }
            }
        } catch {
            throw ApplyFailure("nothing was changed: \(error)")
        }
        // reloads once, at the end
        var reloads: [StepAction] = []
        steps.removeAll { s in
            if case .reload(let u) = s {
                if !reloads.contains(where: { $0.path == u }) { reloads.append(s) }
                return true
            }
            return false
        }
        steps += live ? reloads : []
        let tx: Transaction
        do {
            tx = try journal.begin(
                kind: .rollback, profiles: target.profiles, root: target.root, undoes: target.id,
                plan: Array("{}".utf8), changes: steps.reduce(0) { $0 + $1.changeCount }, files: target.files)
        } catch {
            throw ApplyFailure("nothing was changed: cannot start a transaction: \(error)")
        }
        let exec = StepExecutor(host: host, tx: tx, fault: fault, progress: progress)
        for s in steps {
            do {
                try exec.run(s, total: steps.count)
            } catch {
                let undone = undoAll(tx)
                throw ApplyFailure("rollback step \(exec.count) (\(s.summary)) failed: \(error); \(undone)")
            }
        }
        do {
            // the undone apply first: a crash between the two leaves the rollback open, and
            // recovering it marks the apply committed again
            try source.setState(.rolledBack, undoneBy: tx.id)
            try tx.setState(.committed)
        } catch {
            throw ApplyFailure("rolled back, but cannot record it: \(error)")
        }
        return (tx.id, target.id, steps.count)
    }
}
