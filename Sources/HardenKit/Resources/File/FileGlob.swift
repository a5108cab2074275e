#if canImport(Glibc)
import Glibc
#endif

/// Expansion of absolute path globs and recursive walks through a `MetadataReader`, never
/// following symlinks below the starting point.
enum FileGlob {
    static func hasGlob(_ s: String) -> Bool { s.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// fnmatch(3) with FNM_PATHNAME semantics on one name or a whole path.
    static func matches(_ name: String, _ pattern: String) -> Bool {
        fnmatch(pattern, name, FNM_PATHNAME | FNM_PERIOD) == 0
    }

    /// Concrete paths that `pattern` names (sorted); the path itself when it has no glob.
    static func expand(_ pattern: String, host: MetadataReader) throws(HostError) -> [String] {
        guard hasGlob(pattern) else { return [pattern] }
        var current = ["/"]
        for comp in pattern.split(separator: "/").map(String.init) {
            var next: [String] = []
            for dir in current {
                let base = dir == "/" ? "" : dir
                if !hasGlob(comp) {
                    next.append(base + "/" + comp)
                    continue
                }
                let names: [String]
                do {
                    names = try host.listDirectory(dir)
                } catch {
                    if case .notFound = error { continue }
                    if case .notDirectory = error { continue }
                    throw error
                }
                for n in names.sorted() where matches(n, comp) { next.append(base + "/" + n) }
            }
            current = next
        }
        var out: [String] = []
        for p in current where try host.metadata(p, follow: false) != nil { out.append(p) }
        return out
    }

    /// `root` and everything below it (directories not followed through symlinks), at most
    /// `limit` entries; excluded paths prune their subtree. The real root walks with directory
    /// descriptors (`RootHost.walk`): linear in the number of entries at any depth.
    static func walk(_ root: String, exclude: [String], host: MetadataReader, limit: Int = 200_000) throws(HostError)
        -> [(path: String, stat: FileStat)]
    {
        try host.walk(
            root, prune: { path in exclude.contains(where: { matches(path, $0) || path == $0 }) }, limit: limit,
            listed: { _, _ in }
        ).map { ($0.path, $0.stat) }
    }
}
