import ArgumentParser
import Foundation
import HardenKit

/// `harden rollback [ID]`: undo the last (or the named) committed apply.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Undo the last (or a named) apply transaction, journaled itself.")

    @Argument(help: "Transaction id (default: the last committed apply).")
    var id: String?

    @Option(help: "The target's root directory.")
    var root: String = "/"

    @Flag(help: "Do not ask for confirmation (required when not on a terminal).")
    var yes = false

    @Flag(help: "Roll back even files changed since the transaction (their changes are lost).")
    var force = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    func validate() throws {
        if root.isEmpty { throw ValidationError("--root must not be empty") }
    }

    func run() throws {
        let out = Output(noColor: noColor)
        let host = try openRoot(root, out)
        let session = try Session.open(host: host, out: out)
        defer { session.release() }
        let target = id ?? session.applier.transactions().last(where: { $0.kind == .apply && $0.state == .committed })?.id
        guard let target else {
            out.error("error: nothing to roll back: no committed apply transaction")
            throw ExitCode(ExitCodes.error)
        }
        try confirm(out, yes: yes, question: "Roll back transaction \(target) on \(root)?")
        do {
            let r = try session.applier.rollback(id: target, force: force)
            out.print("rolled back transaction \(r.undone): \(r.steps) step\(r.steps == 1 ? "" : "s") in transaction \(r.id)")
        } catch {
            out.error("error: \(error)")
            throw ExitCode(ExitCodes.error)
        }
    }
}

/// `harden recover`: roll back an open transaction left by a crash.
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover", abstract: "Roll back a transaction left open by a crash (apply and rollback do this first).")

    @Option(help: "The target's root directory.")
    var root: String = "/"

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    func validate() throws {
        if root.isEmpty { throw ValidationError("--root must not be empty") }
    }

    func run() throws {
        let out = Output(noColor: noColor)
        let host = try openRoot(root, out)
        let before = ((try? Journal.existing(host: host)) ?? nil)?.list().filter { $0.state == .open }.count ?? 0
        let session = try Session.open(host: host, out: out)
        session.release()
        if before == 0 { out.print("nothing to recover") }
    }
}

/// `harden history`: the transactions of a root.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List the transactions of a root.")

    @Option(help: "The target's root directory.")
    var root: String = "/"

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    func validate() throws {
        if root.isEmpty { throw ValidationError("--root must not be empty") }
    }

    func run() throws {
        let out = Output(noColor: noColor)
        let host = try openRoot(root, out)
        let list: [TransactionMeta]
        do { list = try Journal.existing(host: host)?.list() ?? [] } catch {
            out.error("error: \(error)")
            throw ExitCode(ExitCodes.error)
        }
        if format == .json {
            out.json(["version": 1, "transactions": list.map { m -> [String: Any] in
                var o: [String: Any] = ["id": m.id, "kind": m.kind.rawValue, "state": m.state.rawValue, "created": m.created,
                                        "profiles": m.profiles, "changes": m.changes, "files": m.files]
                if let u = m.undoes { o["undoes"] = u }
                if let u = m.undoneBy { o["undone_by"] = u }
                return o
            }] as [String: Any])
            return
        }
        if list.isEmpty { out.print("no transactions") }
        for m in list {
            var line = "\(m.id)  \(m.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(m.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(m.changes) changes, \(m.files) files"
            if !m.profiles.isEmpty { line += "  [\(m.profiles.joined(separator: ", "))]" }
            if let u = m.undoes { line += "  undoes \(u)" }
            if let u = m.undoneBy { line += "  undone by \(u)" }
            out.print(line)
        }
    }
}

func openRoot(_ root: String, _ out: Output) throws -> RootHost {
    do {
        return try RootHost(root: root)
    } catch {
        out.error("error: --root \(root): \(error)")
        throw ExitCode(ExitCodes.error)
    }
}
