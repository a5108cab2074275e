import ArgumentParser
import Foundation
import HardenKit

/// `harden plan`: what `apply` would change, as a diff; exit 0 compliant, 2 pending, 1 error.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what apply would change (exit 0 compliant, 2 changes pending, 1 error).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "Save the plan (JSON, with the SHA-256 of every file read) to this file.")
    var out: String?

    func validate() throws { try common.requireProfile() }

    func run() throws {
        let output = Output(noColor: common.noColor)
        guard let set = common.loadSet(output) else { throw ExitCode(ExitCodes.error) }
        let host = try common.openRoot(output, readOnly: true)
        var plan = PlanEngine(set: set).plan(root: common.root, host: host)
        plan.source = common.source(of: set)
        if let out {
            do {
                try AtomicFile.write(Array(PlanJSON.render(plan).utf8), to: out, mode: 0o600)
            } catch {
                output.error("error: cannot save the plan to \(out): \(error)")
                throw ExitCode(ExitCodes.error)
            }
        }
        switch format {
        case .json: output.printRaw(PlanJSON.render(plan))
        case .text: output.printRaw(PlanText(color: output.colorOut).render(plan))
        }
        finish(plan.hasErrors ? ExitCodes.error : plan.changes.isEmpty ? ExitCodes.ok : ExitCodes.pending)
    }
}

/// `harden check`: one verdict per rule; exit 0 all pass or skipped, 2 any fail, 1 any error.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "One verdict per rule: pass, fail, skipped or error (text, json or junit).")

    enum CheckFormat: String, ExpressibleByArgument, CaseIterable { case text, json, junit }

    @OptionGroup var common: CommonOptions

    @Option(help: "Output format: text, json or junit.")
    var format: CheckFormat = .text

    func validate() throws { try common.requireProfile() }

    func run() throws {
        let output = Output(noColor: common.noColor)
        guard let set = common.loadSet(output) else { throw ExitCode(ExitCodes.error) }
        let host = try common.openRoot(output, readOnly: true)
        let engine = PlanEngine(set: set)
        let plan = engine.plan(root: common.root, host: host)
        let report = CheckReport(set: set, plan: plan, graph: engine.graph)
        switch format {
        case .text: output.printRaw(report.text())
        case .json: output.json(report.jsonObject())
        case .junit: output.printRaw(report.junit(suite: set.profiles.last?.name ?? "harden"))
        }
        if report.count(.error) > 0 || !plan.errors.isEmpty { finish(ExitCodes.error) }
        finish(report.count(.fail) > 0 ? ExitCodes.pending : ExitCodes.ok)
    }
}
