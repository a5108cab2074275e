import Foundation
import YAMLSyntax

/// A rule after resolution: params expanded, overrides applied, skip state known.
public struct ResolvedRule: Sendable {
    public var rule: Rule
    /// The active skip, nil when the rule applies.
    public var skip: Skip?
    /// The earlier definition this rule replaced with `override: true`.
    public var replaced: Rule?

    public var isSkipped: Bool { skip != nil }
}

/// Profiles loaded and resolved together (several `--profile`s compose into one set).
public struct ProfileSet: Sendable {
    /// Every file loaded, parents before children.
    public var profiles: [Profile]
    /// Rules in definition order (an override keeps the place of the rule it replaces).
    public var rules: [ResolvedRule]
    /// Final param values.
    public var params: [String: String]
    /// Every error and warning, in the order found.
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.hasErrors }

    /// The rules that apply (not skipped).
    public var activeRules: [Rule] { rules.filter { !$0.isSkipped && !$0.rule.broken }.map(\.rule) }

    /// Load `entries` (`--profile` values: names or files) with their `extends` and resolve them.
    public static func load(_ entries: [String], options: LoadOptions) -> ProfileSet {
        var loader = ProfileLoader(options: options)
        var pre: [Diagnostic] = []
        for entry in entries {
            if let path = loader.locateEntry(entry) {
                loader.load(path: path)
            } else {
                let dirs = options.profilePaths + options.shippedDirs
                let msg =
                    entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") || entry.hasPrefix("/") || entry.hasPrefix(".")
                    ? "no such profile file"
                    : "no profile named '\(entry)' (looked in \(dirs.isEmpty ? "no directories" : dirs.joined(separator: ", ")))"
                pre.append(Diagnostic(.error, msg, path: entry))
            }
        }
        var resolver = Resolver(options: options)
        var set = resolver.resolve(loader.profiles)
        set.diagnostics = pre + sortedByPlace(loader.diagnostics + set.diagnostics)
        return set
    }

    /// Diagnostics grouped by file (in the order files first appear) and by line:col inside a
    /// file; those without a place keep their relative order, first.
    static func sortedByPlace(_ ds: [Diagnostic]) -> [Diagnostic] {
        var fileOrder: [String: Int] = [:]
        for d in ds { if let p = d.mark?.file.path, fileOrder[p] == nil { fileOrder[p] = fileOrder.count } }
        return ds.enumerated().sorted { a, b in
            func key(_ e: (offset: Int, element: Diagnostic)) -> (Int, Int, Int, Int) {
                guard let m = e.element.mark else { return (-1, 0, 0, e.offset) }
                return (fileOrder[m.file.path]!, m.line, m.column, e.offset)
            }
            return key(a) < key(b)
        }.map(\.element)
    }
}
