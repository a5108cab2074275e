/// The owned drop-in file harden writes global settings to, when the layout has one
/// (Debian 12 / Ubuntu 22.04+ / RHEL 9: `Include /etc/ssh/sshd_config.d/*.conf` at the top of
/// the main config).
///
/// Conditions: an `Include` line in the main config, in the global context, with a pattern whose
/// directory part is literal and exists, and whose last component is a glob that matches the
/// drop-in name (`00-harden.conf`, else `00-harden`). The drop-in is processed where the glob
/// would place it among the files it matches (byte order), so it precedes the usual
/// `50-cloud-init.conf`. A file matched by the glob that sorts before it is "read before the
/// drop-in": a winning line there is edited in place instead (see `SshdPlanner`).
struct SshdDropIn: Sendable, Equatable {
    /// Name candidates, most preferred first.
    static let candidateNames = ["00-harden.conf", "00-harden"]
    /// First line of a drop-in harden creates.
    static let header = "# Managed by harden. Local changes are overwritten."

    /// Absolute path of the drop-in.
    let path: String
    /// Whether the file exists already (it is then one of the loaded files).
    let exists: Bool
    /// Index into `SshdLoadedConfig.entries` where the drop-in's lines are (or would be)
    /// processed: entries before it are read before the drop-in.
    let position: Int

    /// Find the drop-in for a loaded configuration, or nil when the layout has none.
    static func locate(in loaded: SshdLoadedConfig, host: HostReader) -> SshdDropIn? {
        for expansion in loaded.expansions {
            let include = loaded.entries[expansion.includeEntry]
            guard include.path == loaded.mainPath, include.depth == 0, include.context.isGlobal else { continue }
            guard let slash = expansion.absolutePattern.lastIndex(of: "/") else { continue }
            let directory = String(expansion.absolutePattern[..<slash])
            let glob = String(expansion.absolutePattern[expansion.absolutePattern.index(after: slash)...])
            guard !directory.isEmpty, directory.hasPrefix("/"), SshdGlob.hasMagic(glob),
                !directory.split(separator: "/").contains(where: { SshdGlob.hasMagic(String($0)) })
            else { continue }
            guard (try? host.fileType(directory)) == .directory else { continue }
            guard let name = candidateNames.first(where: { SshdGlob.matches($0, pattern: glob) }) else { continue }
            let path = directory + "/" + name
            // Something that is not a regular file (e.g. a directory) already has the name.
            let existingType: HostFileType?
            do { existingType = try host.fileType(path) } catch { continue }
            if let existingType, existingType != .regular { continue }
            if let existing = expansion.files.first(where: { $0.path == path }) {
                return SshdDropIn(path: path, exists: true, position: existing.entries.lowerBound)
            }
            let position: Int
            if let later = expansion.files.first(where: { SshdGlob.bytewiseLess(path, $0.path) }) {
                position = later.entries.lowerBound
            } else {
                position = expansion.entries.upperBound
            }
            return SshdDropIn(path: path, exists: false, position: position)
        }
        return nil
    }
}
