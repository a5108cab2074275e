import ArgumentParser
import Foundation
import HardenKit

/// `harden validate FILE...`: every diagnostic of each profile file (with its extends).
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check profile files and report every problem with file:line:col.")

    @Argument(help: "Profile files to check (each with what it extends).")
    var files: [String]

    @Option(name: .customLong("profile-path"), help: "A directory to search for extended profiles; repeatable.")
    var profilePaths: [String] = []

    @Option(name: .customLong("set"), help: "Override a profile param: NAME=VALUE; repeatable.")
    var sets: [String] = []

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one profile file") }
        for s in sets where !s.contains("=") || s.hasPrefix("=") {
            throw ValidationError("--set takes NAME=VALUE, got '\(s)'")
        }
    }

    func run() throws {
        let out = Output(noColor: noColor)
        let parsedSets = parseSets(sets)
        let options = LoadOptions(profilePaths: profilePaths, shippedDirs: ShippedProfiles.directories, sets: parsedSets)
        var seen = Set<String>()
        var errors = 0
        var warnings = 0
        var rules = 0
        for file in files {
            let entry = file.contains("/") ? file : "./" + file
            let set = ProfileSet.load([entry], options: options)
            rules += set.rules.count
            for d in set.diagnostics where seen.insert(d.rendered).inserted {
                out.diagnostics([d])
                if d.severity == .error { errors += 1 }
                if d.severity == .warning { warnings += 1 }
            }
        }
        let summary = "\(files.count) file\(files.count == 1 ? "" : "s"), \(rules) rule\(rules == 1 ? "" : "s"): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        if errors > 0 || (strict && warnings > 0) {
            out.error(summary)
            throw ExitCode(ExitCodes.error)
        }
        out.print(summary)
        finish(ExitCodes.ok)
    }
}
