#if canImport(Glibc)
import Glibc
#endif

/// A reader that can also tell owner, group, mode and type without following the final
/// symlink (the real root does; the `file` kind needs it).
public protocol MetadataReader: HostReader {
    /// `lstat` (or `stat` when `follow`) inside the root; nil when the path does not exist.
    func metadata(_ path: String, follow: Bool) throws(HostError) -> FileStat?
    /// `start` and everything below it, depth first, each directory's entries in name order
    /// (`String` order), as `lstat` sees them: a symlink is listed, never followed. A path for
    /// which `prune` is true is left out with everything below it; more than `limit` entries is
    /// an error. `listed` is told each directory read and its names.
    func walk(
        _ start: String, prune: (String) -> Bool, limit: Int, listed: (String, [String]) -> Void
    ) throws(HostError) -> [WalkEntry]
}

/// One path found by `MetadataReader.walk`.
public struct WalkEntry: Sendable, Equatable {
    public var path: String
    public var stat: FileStat

    public init(path: String, stat: FileStat) {
        self.path = path
        self.stat = stat
    }
}

extension MetadataReader {
    /// The walk through `metadata` and `listDirectory`, one path at a time (readers without a
    /// faster way; the real root walks with directory descriptors, see `RootHost.walk`).
    public func walk(
        _ start: String, prune: (String) -> Bool, limit: Int, listed: (String, [String]) -> Void
    ) throws(HostError) -> [WalkEntry] {
        try walkByPath(start, prune: prune, limit: limit, listed: listed)
    }

    /// The general walk: `metadata` of each path and `listDirectory` of each directory, every
    /// path resolved from the root again (quadratic in the depth of the tree on a real root).
    public func walkByPath(
        _ start: String, prune: (String) -> Bool, limit: Int, listed: (String, [String]) -> Void
    ) throws(HostError) -> [WalkEntry] {
        var out: [WalkEntry] = []
        var stack = [start]
        while let path = stack.popLast() {
            if prune(path) { continue }
            guard let st = try metadata(path, follow: false) else { continue }
            out.append(WalkEntry(path: path, stat: st))
            if out.count > limit { throw Self.tooManyEntries(start, limit) }
            if st.type == .directory {
                let names = try listDirectory(path).sorted()
                listed(path, names)
                for n in names.reversed() { stack.append((path == "/" ? "" : path) + "/" + n) }
            }
        }
        return out
    }

    /// The error of a walk that found more than `limit` entries.
    static func tooManyEntries(_ start: String, _ limit: Int) -> HostError {
        .io(start, errno: E2BIG, message: "more than \(limit) entries below")
    }
}

extension RootHost: MetadataReader {}

extension SnapshotHost: MetadataReader {
    public func metadata(_ path: String, follow: Bool) throws(HostError) -> FileStat? {
        guard let m = inner as? MetadataReader else { return nil }
        return try m.metadata(path, follow: follow)
    }

    /// The inner reader's walk; every directory listed is recorded like `listDirectory` does,
    /// so a saved plan is stale when one of them changes.
    public func walk(
        _ start: String, prune: (String) -> Bool, limit: Int, listed: (String, [String]) -> Void
    ) throws(HostError) -> [WalkEntry] {
        guard let m = inner as? MetadataReader else { return [] }
        return try m.walk(start, prune: prune, limit: limit) { dir, names in
            recordListing(dir, names)
            listed(dir, names)
        }
    }
}

extension SnapshotHost: PamLinkReader {
    public func readLink(_ path: String) throws(HostError) -> String? {
        guard let r = inner as? PamLinkReader else { return nil }
        return try r.readLink(path)
    }
}
