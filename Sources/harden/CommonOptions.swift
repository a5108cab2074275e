import ArgumentParser
import Foundation
import HardenKit
import YAMLSyntax

/// Options every command that reads profiles shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "The target's root directory (an image, chroot or test tree).")
    var root: String = "/"

    @Option(name: .customLong("profile"), help: "A profile name (NAME.yaml on the search path) or file; repeat to compose.")
    var profiles: [String] = []

    @Option(name: .customLong("profile-path"), help: "A directory to search for profiles by name; repeatable.")
    var profilePaths: [String] = []

    @Option(name: .customLong("set"), help: "Override a profile param: NAME=VALUE; repeatable.")
    var sets: [String] = []

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    func validate() throws {
        for s in sets {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ValidationError("--set takes NAME=VALUE, got '\(s)'")
            }
        }
        if root.isEmpty { throw ValidationError("--root must not be empty") }
    }

    var parsedSets: [(name: String, value: String)] { parseSets(sets) }

    var loadOptions: LoadOptions {
        LoadOptions(profilePaths: profilePaths, shippedDirs: ShippedProfiles.directories, sets: parsedSets)
    }

    /// Load and resolve `--profile`s; prints diagnostics; nil when any is an error.
    func loadSet(_ out: Output) -> ProfileSet? {
        let set = ProfileSet.load(profiles, options: loadOptions)
        out.diagnostics(set.diagnostics)
        return set.hasErrors ? nil : set
    }

    /// The target root, or a one-line error and exit 1. `readOnly` (plan, check) keeps walked
    /// directories open for later lookups (`RootHost.cachesDirectories`).
    func openRoot(_ out: Output, readOnly: Bool = false) throws -> RootHost {
        do {
            return try RootHost(root: root, cachesDirectories: readOnly)
        } catch {
            out.error("error: --root \(root): \(error)")
            throw ExitCode(ExitCodes.error)
        }
    }

    /// How this command's profiles were given, for a saved plan to reload them.
    func source(of set: ProfileSet) -> ProfileSource {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        var files: [String: String] = [:]
        for p in set.profiles {
            if let b = try? FileBytes.read(p.path, limit: 16 << 20) { files[absolute(p.path)] = RootHost.sha(b) }
        }
        let entries = profiles.map { FileManager.default.fileExists(atPath: $0) ? absolute($0) : $0 }
        return ProfileSource(entries: entries, profilePaths: profilePaths.map(absolute), sets: sets, files: files)
    }

    func requireProfile() throws {
        if profiles.isEmpty { throw ValidationError("give at least one --profile NAME|FILE") }
    }
}

/// Output format of commands that print data.
enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Where shipped profiles are: beside the installed binary (`../share/harden/profiles`) and in
/// the source checkout the binary was built from.
enum ShippedProfiles {
    static var directories: [String] {
        var dirs: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let bin = URL(fileURLWithPath: exe).deletingLastPathComponent()
            dirs.append(bin.appendingPathComponent("../share/harden/profiles").standardizedFileURL.path)
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../profiles").standardizedFileURL.path
        dirs.append(checkout)
        var seen = Set<String>()
        return dirs.filter { FileManager.default.fileExists(atPath: $0) && seen.insert($0).inserted }
    }
}

/// `NAME=VALUE` strings (already validated to hold a `=` after a name) as pairs; others dropped.
func parseSets(_ sets: [String]) -> [(name: String, value: String)] {
    sets.compactMap { s in
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { return nil }
        return (String(s[..<eq]), String(s[s.index(after: eq)...]))
    }
}
