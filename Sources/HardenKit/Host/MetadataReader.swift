/// A reader that can also tell owner, group, mode and type without following the final
/// symlink (the real root does; the `file` kind needs it).
public protocol MetadataReader: HostReader {
    /// `lstat` (or `stat` when `follow`) inside the root; nil when the path does not exist.
    func metadata(_ path: String, follow: Bool) throws(HostError) -> FileStat?
}

extension RootHost: MetadataReader {}

extension SnapshotHost: MetadataReader {
    public func metadata(_ path: String, follow: Bool) throws(HostError) -> FileStat? {
        guard let m = inner as? MetadataReader else { return nil }
        return try m.metadata(path, follow: follow)
    }
}

extension SnapshotHost: PamLinkReader {
    public func readLink(_ path: String) throws(HostError) -> String? {
        guard let r = inner as? PamLinkReader else { return nil }
        return try r.readLink(path)
    }
}
