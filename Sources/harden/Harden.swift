import ArgumentParser
import Foundation
import HardenKit

@main
struct Harden: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harden",
        abstract: "Hardening-as-code for Linux hosts: profiles in, a plan out, applied with rollback.",
        version: HardenVersion.string,
        subcommands: [
            PlanCommand.self, ApplyCommand.self, CheckCommand.self, RollbackCommand.self, RecoverCommand.self,
            HistoryCommand.self, Validate.self, Rules.self, Explain.self, Graph.self,
        ]
    )
}

enum HardenVersion {
    static let string = "0.1.0"
}

/// End the process now with `code`. Output is written unbuffered, so nothing is lost; the
/// loaded profile set and plan are not torn down one object at a time (measurably faster for
/// large profile sets, and the kernel frees everything anyway).
func finish(_ code: Int32) -> Never {
    exit(code)
}

/// Exit codes shared by every command (docs/cli.md).
enum ExitCodes {
    /// The command worked (plan/check: compliant).
    static let ok: Int32 = 0
    /// Errors: bad profile, unreadable input, a failed step.
    static let error: Int32 = 1
    /// plan/check: changes pending or rules failing.
    static let pending: Int32 = 2
}
