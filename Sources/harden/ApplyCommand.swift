import ArgumentParser
import Foundation
import HardenKit
import YAMLSyntax

/// `harden apply`: plan (or load a saved plan), preflight, confirm, apply in a journaled
/// transaction, re-probe; a compliant host is not touched at all.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Make the host match the profiles, journaled for rollback.")

    @Argument(help: "A plan saved with `harden plan --out FILE` (instead of --profile).")
    var planFile: String?

    @OptionGroup var common: CommonOptions

    @Flag(help: "Do not ask for confirmation (required when not on a terminal).")
    var yes = false

    @Option(name: .customLong("force-risk"), help: "Pass one named preflight check: \(Preflight.checks.joined(separator: ", ")). Repeatable.")
    var forceRisk: [String] = []

    func validate() throws {
        if planFile == nil { try common.requireProfile() }
        if planFile != nil && !(common.profiles.isEmpty && common.sets.isEmpty && common.profilePaths.isEmpty) {
            throw ValidationError("a saved plan carries its profiles: give it without --profile, --set or --profile-path")
        }
        for r in forceRisk where !Preflight.checks.contains(r) {
            throw ValidationError("unknown check '\(r)' for --force-risk (known: \(Preflight.checks.joined(separator: ", ")))")
        }
    }

    func run() throws {
        let out = Output(noColor: common.noColor)
        let host = try common.openRoot(out)
        let session = try Session.open(host: host, out: out)
        defer { session.release() }
        let applier = session.applier
        var set: ProfileSet?
        var plan: Plan
        if let planFile {
            let saved: SavedPlan
            do {
                saved = try SavedPlan(bytes: try FileBytes.read(planFile, limit: 256 << 20))
            } catch {
                out.error("error: \(planFile): \(error)")
                throw ExitCode(ExitCodes.error)
            }
            if saved.plan.hasErrors {
                out.printRaw(PlanText(color: out.colorOut).render(saved.plan))
                out.error("error: the saved plan has errors; nothing was changed")
                throw ExitCode(ExitCodes.error)
            }
            let stale = saved.stalePaths(host: host)
            if !stale.isEmpty {
                out.error("error: the saved plan is stale: changed since it was made: \(stale.joined(separator: ", ")); run plan again")
                throw ExitCode(ExitCodes.error)
            }
            plan = saved.plan
            plan.root = common.root
            set = Self.reload(saved.plan.source, out: out)
        } else {
            guard let loaded = common.loadSet(out) else { throw ExitCode(ExitCodes.error) }
            set = loaded
            plan = PlanEngine(set: loaded).plan(root: common.root, host: host)
            if plan.hasErrors {
                out.printRaw(PlanText(color: out.colorOut).render(plan))
                out.error("error: the plan has errors; nothing was changed")
                throw ExitCode(ExitCodes.error)
            }
        }
        if plan.changes.isEmpty || (!host.isLiveRoot && plan.changes.allSatisfy { $0.kind == .runtime || $0.kind == .service }) {
            out.print("no changes")
            return
        }
        var notes: [String] = []
        let refusals = Preflight(host: host, plan: plan).run(notes: &notes).filter { !forceRisk.contains($0.check) }
        out.printRaw(PlanText(color: out.colorOut).render(plan))
        for n in notes { out.print("preflight: \(n)") }
        if !refusals.isEmpty {
            for r in refusals { out.error("error: preflight \(r.check): \(r.message)") }
            out.error("nothing was changed")
            throw ExitCode(ExitCodes.error)
        }
        try confirm(out, yes: yes, question: "Apply these changes to \(common.root)?")
        applier.progress = { out.print($0) }
        let planJSON = Array(PlanJSON.render(plan).utf8)
        let outcome: ApplyOutcome
        do {
            outcome = try applier.apply(plan, planJSON: planJSON) {
                guard let set else { return Plan.empty(root: common.root) }  // a saved plan: every write was hash-checked
                return PlanEngine(set: set).plan(root: common.root, host: host)
            }
        } catch {
            out.error("error: \(error)")
            throw ExitCode(ExitCodes.error)
        }
        switch outcome {
        case .noChanges: out.print("no changes")
        case .applied(let id, let changes, let files):
            out.print("applied \(changes) change\(changes == 1 ? "" : "s") to \(files) file\(files == 1 ? "" : "s") in transaction \(id)")
            if !host.isLiveRoot { out.print("runtime values and service reloads skipped: root \(common.root) is not the live system") }
        }
    }
}

extension ApplyCommand {
    /// The profile set a saved plan was made with, for the convergence check after applying;
    /// nil (with a note) when the profiles changed since or no longer load.
    static func reload(_ source: ProfileSource?, out: Output) -> ProfileSet? {
        guard let source else { return nil }
        for (path, sha) in source.files {
            guard let b = try? FileBytes.read(path, limit: 16 << 20), RootHost.sha(b) == sha else {
                out.print("note: \(path) changed since the plan was made; the convergence check after applying is skipped")
                return nil
            }
        }
        let sets = parseSets(source.sets)
        let set = ProfileSet.load(
            source.entries,
            options: LoadOptions(profilePaths: source.profilePaths, shippedDirs: ShippedProfiles.directories, sets: sets))
        return set.hasErrors ? nil : set
    }
}

/// Ask on a terminal; off a terminal `--yes` is required.
func confirm(_ out: Output, yes: Bool, question: String) throws {
    if yes { return }
    guard isatty(0) == 1 else {
        out.error("error: not on a terminal: pass --yes to confirm; nothing was changed")
        throw ExitCode(ExitCodes.error)
    }
    FileHandle.standardOutput.write(Data("\(question) [y/N] ".utf8))
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
    if answer != "y" && answer != "yes" {
        out.error("cancelled; nothing was changed")
        throw ExitCode(ExitCodes.error)
    }
}

/// The lock, the journal and the applier for one command; an open transaction found here
/// (a crash) is rolled back before anything else runs. Nothing is written until a
/// transaction starts.
struct Session {
    let lock: RootLock
    let applier: Applier

    static func open(host: RootHost, out: Output) throws -> Session {
        let journal: Journal?
        let lock: RootLock
        do {
            lock = try RootLock(root: host.root)
            journal = try Journal.existing(host: host)
        } catch {
            out.error("error: \(error)")
            throw ExitCode(ExitCodes.error)
        }
        let applier = Applier(host: host, journal: journal)
        applier.fault = FaultInjection(ProcessInfo.processInfo.environment["HARDEN_FAULT"])
        applier.progress = { out.print($0) }
        do {
            for id in try applier.recover() { out.print("recovered: rolled back open transaction \(id)") }
        } catch {
            out.error("error: \(error)")
            throw ExitCode(ExitCodes.error)
        }
        return Session(lock: lock, applier: applier)
    }

    func release() {}
}
