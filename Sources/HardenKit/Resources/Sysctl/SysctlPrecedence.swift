/// The files that decide a persisted sysctl value, in the order each loader reads them.
///
/// Both loaders collect `*.conf` from the directories in `directories` (in that order), keep
/// for each file *name* only the entry of the earliest directory (a same-named file in /etc
/// masks /run, /usr/local/lib, /usr/lib and /lib; a symlink to /dev/null masks with no
/// content), and read the survivors sorted by name, so later assignments win:
/// - systemd-sysctl (`conf_files_list_strv` with the `CONF_PATHS("sysctl.d")` list) skips
///   hidden names (`.foo.conf`) and never opens /etc/sysctl.conf itself; distributions make
///   it read that file through `/etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf`.
/// - `sysctl --system` (procps-ng 4.0, `PreloadSystem`) uses the same directory list (since
///   4.0 /etc comes first, as in systemd), does not skip hidden names, and then applies
///   /etc/sysctl.conf **last** when it is a regular file. On Debian the file is therefore
///   read twice, once as 99-sysctl.conf and once at the end.
///
/// A listed `*.conf` that is a directory or cannot be read makes the persisted state
/// unknowable; it is recorded in `errors` (the planner turns that into error observations).
public struct SysctlPrecedence: Sendable {
    /// The drop-in directories, most important first.
    public static let directories = [
        "/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d",
    ]
    /// The legacy file procps applies after all drop-ins.
    public static let mainFile = "/etc/sysctl.conf"

    /// Sources read by systemd-sysctl, in order.
    public private(set) var systemdSources: [SysctlSource] = []
    /// Sources read by `sysctl --system`, in order.
    public private(set) var procpsSources: [SysctlSource] = []
    /// Problems that make the persisted value unknowable (`path: reason`).
    public private(set) var errors: [String] = []
    /// Every path whose bytes were read, in order.
    public private(set) var readPaths: [String] = []

    /// Probes the tree behind `host`. Never throws: problems land in `errors`.
    public init(host: HostReader) {
        var listed: [(dir: String, name: String)] = []
        for dir in Self.directories {
            do {
                for name in try host.listDirectory(dir).sorted(by: sysctlNameOrder)
                where name.utf8.count >= 5 && name.hasSuffix(".conf") {
                    listed.append((dir, name))
                }
            } catch {
                switch error {
                case .notFound, .notDirectory: continue
                default: errors.append(error.description)
                }
            }
        }
        var cache: [String: SysctlSource?] = [:]
        let main = readMain(host: host)
        func source(_ dir: String, _ name: String) -> SysctlSource? {
            let path = dir + "/" + name
            if let cached = cache[path] { return cached }
            let loaded = load(host: host, path: path, name: name, main: main)
            cache[path] = loaded
            return loaded
        }
        for includeHidden in [false, true] {
            var seen = Set<String>()
            var chosen: [(String, String)] = []
            for (dir, name) in listed where !seen.contains(name) {
                // systemd's FOREACH_DIRENT skips hidden files; procps does not.
                if !includeHidden && name.hasPrefix(".") { continue }
                seen.insert(name)
                chosen.append((dir, name))
            }
            chosen.sort { sysctlNameOrder($0.1, $1.1) }
            let sources = chosen.compactMap { source($0.0, $0.1) }
            if includeHidden {
                procpsSources = sources + (main.map { [$0] } ?? [])
            } else {
                systemdSources = sources
            }
        }
    }

    /// The sources of one loader, in reading order.
    public func sources(_ order: SysctlOrder) -> [SysctlSource] {
        order == .systemd ? systemdSources : procpsSources
    }

    /// The final persisted value of the concrete `key` (dotted) under `order`.
    public func resolve(_ key: String, order: SysctlOrder) -> SysctlResolution {
        SysctlResolver.resolve(SysctlKey.normalize(key), sources: sources(order), order: order)
    }

    /// The persisted value when both loaders agree, else nil; see `SysctlResolution`.
    public func agreedValue(_ key: String) -> SysctlResolution? {
        let s = resolve(key, order: .systemd)
        let p = resolve(key, order: .procps)
        return s.sameValue(as: p) ? s : nil
    }

    private mutating func readMain(host: HostReader) -> SysctlSource? {
        let path = Self.mainFile
        do {
            guard try host.fileType(path) == .regular else { return nil }
            let bytes = try host.readFile(path)
            readPaths.append(path)
            return SysctlSource(path: path, name: "sysctl.conf", bytes: bytes)
        } catch {
            if case .notFound = error { return nil }
            errors.append(error.description)
            return nil
        }
    }

    private mutating func load(
        host: HostReader, path: String, name: String, main: SysctlSource?
    ) -> SysctlSource? {
        do {
            switch try host.fileType(path) {
            case .regular:
                let bytes = try host.readFile(path)
                readPaths.append(path)
                let alias =
                    path.hasPrefix("/etc/sysctl.d/") && main?.bytes == bytes && !bytes.isEmpty
                    ? Self.mainFile : nil
                return SysctlSource(path: path, name: name, bytes: bytes, aliasOf: alias)
            case .directory:
                errors.append("\(path): is a directory")
                return nil
            case nil, .other, .symlink:
                // A symlink to /dev/null (a character device), or one whose target is not in
                // the tree: it masks same-named files and contributes no assignment.
                return SysctlSource(path: path, name: name, bytes: nil)
            }
        } catch {
            errors.append(error.description)
            return nil
        }
    }
}
