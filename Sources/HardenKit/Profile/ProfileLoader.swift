import Foundation
import YAMLSyntax

/// Where profiles are looked up and what the command line overrides.
public struct LoadOptions: Sendable {
    /// `--profile-path` directories, searched in order after the including file's directory.
    public var profilePaths: [String]
    /// The shipped `profiles/` directories, searched last.
    public var shippedDirs: [String]
    /// `--set name=value`, in command-line order.
    public var sets: [(name: String, value: String)]
    /// Today's date (YYYY-MM-DD) for skip expiry.
    public var today: String

    public init(
        profilePaths: [String] = [], shippedDirs: [String] = [], sets: [(name: String, value: String)] = [],
        today: String = LoadOptions.currentDate()
    ) {
        self.profilePaths = profilePaths
        self.shippedDirs = shippedDirs
        self.sets = sets
        self.today = today
    }

    /// The local date as YYYY-MM-DD.
    public static func currentDate() -> String {
        // libc instead of DateFormatter: ICU costs ~10 MB and milliseconds at start
        var t = time(nil)
        var tm = tm()
        localtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))"
    }
}

/// Loads profile files and everything they `extends`, depth first, each file once, parents
/// before children. Every problem becomes a diagnostic; loading goes on where it can.
struct ProfileLoader {
    let options: LoadOptions
    private(set) var profiles: [Profile] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var loaded: [String: Int] = [:]  // canonical path -> index in profiles
    private var stack: [String] = []  // canonical paths being loaded (cycle detection)
    private var failed: Set<String> = []

    init(options: LoadOptions) { self.options = options }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The real path (symlinks resolved) for identity; the path itself when that fails.
    static func canonical(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }

    /// Resolve a `--profile` argument: an existing file path, or a name on the search path.
    func locateEntry(_ arg: String) -> String? {
        if Self.exists(arg) {
            return arg  // a directory is refused later with the OS's reason
        }
        if arg.hasSuffix(".yaml") || arg.hasSuffix(".yml") || Validate.extendsProblem(arg) != nil { return nil }
        for dir in options.profilePaths + options.shippedDirs {
            let p = dir + "/" + arg + ".yaml"
            if Self.exists(p) { return p }
        }
        return nil
    }

    /// Load `path` and its ancestors. `via` is the extends entry that named it (for messages).
    mutating func load(path: String, via: Value? = nil) {
        let canonical = Self.canonical(path)
        if let i = stack.firstIndex(of: canonical) {
            let chain = (stack[i...] + [canonical]).map { ($0 as NSString).lastPathComponent }
            diagnostics.append(
                .error("extends cycle: \(chain.joined(separator: " -> "))", at: via?.mark))
            return
        }
        if loaded[canonical] != nil || failed.contains(canonical) { return }
        let root: Node
        do {
            root = try YAMLLoader.load(file: path)
        } catch {
            diagnostics.append(error)
            failed.insert(canonical)
            return
        }
        var decoder = ProfileDecoder()
        let decoded = decoder.decode(root, path: path)
        diagnostics += decoder.reader.diagnostics
        guard let profile = decoded else {
            failed.insert(canonical)
            return
        }
        stack.append(canonical)
        let dir = (path as NSString).deletingLastPathComponent
        for ext in profile.extends {
            if let found = locateExtends(ext.text, from: dir.isEmpty ? "." : dir) {
                load(path: found, via: ext)
            } else {
                let looked = searchDirs(from: dir.isEmpty ? "." : dir, relativeOnly: isRelativePath(ext.text))
                diagnostics.append(
                    .error(
                        "cannot find profile '\(ext.text)' (looked in \(looked.joined(separator: ", ")))",
                        at: ext.mark))
            }
        }
        stack.removeLast()
        if let other = profiles.first(where: { $0.name == profile.name && !profile.name.isEmpty }) {
            diagnostics.append(
                .error(
                    "profile name '\(profile.name)' is also used by \(other.path)", at: profile.mark,
                    notes: [.note("the other profile starts here", at: other.mark)]))
        }
        loaded[canonical] = profiles.count
        profiles.append(profile)
    }

    private func isRelativePath(_ s: String) -> Bool { s.hasSuffix(".yaml") || s.hasSuffix(".yml") || s.hasPrefix("./") }

    private func searchDirs(from dir: String, relativeOnly: Bool) -> [String] {
        relativeOnly ? [dir] : [dir] + options.profilePaths + options.shippedDirs
    }

    /// `extends` lookup: beside the including file, then `--profile-path`, then shipped dirs.
    /// A `.yaml` path is relative to the including file only.
    func locateExtends(_ ref: String, from dir: String) -> String? {
        if isRelativePath(ref) {
            let p = dir + "/" + ref
            if Self.exists(p) { return p }
            let withExt = p + ".yaml"
            return !ref.hasSuffix(".yaml") && !ref.hasSuffix(".yml") && Self.exists(withExt) ? withExt : nil
        }
        for d in searchDirs(from: dir, relativeOnly: false) {
            let p = d + "/" + ref + ".yaml"
            if Self.exists(p) { return p }
        }
        return nil
    }
}
