/// A read-only view of a host with planned edits laid over it, used by the sysctl planner to
/// prove, before returning a plan, that the edits make every key effective under both loaders.
///
/// `aliases` maps a path that is another name for a file (the `99-sysctl.conf` symlink) to
/// that file, so an edit of the target shows through the alias as it would on disk.
final class SysctlOverlayHost: HostReader, @unchecked Sendable {
    private let base: HostReader
    private let files: [String: [UInt8]]
    private let aliases: [String: String]

    init(base: HostReader, files: [String: [UInt8]], aliases: [String: String]) {
        self.base = base
        self.files = files
        self.aliases = aliases
    }

    func readFile(_ path: String) throws(HostError) -> [UInt8] {
        if let bytes = files[aliases[path] ?? path] { return bytes }
        return try base.readFile(path)
    }

    func listDirectory(_ path: String) throws(HostError) -> [String] {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        let added = files.keys.compactMap { p -> String? in
            guard p.hasPrefix(prefix) else { return nil }
            let rest = p.dropFirst(prefix.count)
            return rest.contains("/") ? nil : String(rest)
        }
        var names: [String]
        do {
            names = try base.listDirectory(path)
        } catch {
            guard case .notFound = error, !added.isEmpty else { throw error }
            names = []
        }
        return Array(Set(names).union(added))
    }

    func fileType(_ path: String) throws(HostError) -> HostFileType? {
        if files[path] != nil { return .regular }
        return try base.fileType(path)
    }
}
