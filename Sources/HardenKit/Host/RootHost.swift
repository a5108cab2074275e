#if canImport(Glibc)
import Glibc
#endif

/// `O_PATH` (a GNU extension Swift's Glibc module does not export); the same on x86_64 and arm64.
let O_PATH: Int32 = 0o10000000

/// Metadata of one path as `lstat` sees it (the final symlink is not followed).
public struct FileStat: Sendable, Equatable {
    public var type: HostFileType
    public var mode: UInt32  // permission bits incl. setuid/setgid/sticky
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int
    public var inode: UInt64
    public var device: UInt64
    public var mtimeNanos: Int64
}

/// The real tree under `--root`. Every path is resolved one component at a time from a
/// directory descriptor (`openat` with `O_NOFOLLOW`), so nothing outside the root is ever
/// reached: `..` stops at the root, absolute symlinks are re-rooted, loops and chains longer
/// than `maxLinks` are errors, and a component swapped for a symlink mid-way cannot escape.
public final class RootHost: HostReader, @unchecked Sendable {
    /// The root as given (for messages).
    public let root: String
    /// Largest file read, in bytes.
    public let maxFileSize: Int
    public let maxLinks = 40
    let rootFD: Int32
    /// For read-only use (`plan`, `check`): every directory a lookup walks through stays open
    /// (`O_PATH`) under its resolved path inside the root, so later lookups start from it
    /// instead of walking from the root again (a plan looks up hundreds of paths under a few
    /// directories). Off for a host that writes: the writer walks afresh for every step, so a
    /// directory swapped between probe and write is seen. Either way every step of a walk is
    /// an `O_NOFOLLOW` open below a directory that was inside the root.
    public let cachesDirectories: Bool
    private var directoryCache: [String: Int32] = [:]
    /// At most this many directories are kept open (well under the usual 1,024 descriptors).
    static let directoryCacheLimit = 256

    /// Open the root directory. Fails when it is not a directory.
    public init(root: String, maxFileSize: Int = 64 << 20, cachesDirectories: Bool = false) throws(HostError) {
        self.root = root
        self.maxFileSize = maxFileSize
        self.cachesDirectories = cachesDirectories
        let fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw Self.error(errno, root) }
        rootFD = fd
    }

    deinit {
        for fd in directoryCache.values { close(fd) }
        close(rootFD)
    }

    /// True when the root is the live system's `/`.
    public var isLiveRoot: Bool {
        var a = Glibc.stat()
        var b = Glibc.stat()
        return fstat(rootFD, &a) == 0 && lstat("/", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    static func error(_ e: Int32, _ path: String) -> HostError {
        switch e {
        case ENOENT: return .notFound(path)
        case EACCES, EPERM: return .permissionDenied(path)
        case ENOTDIR: return .notDirectory(path)
        case ELOOP: return .symlinkLoop(path)
        case EISDIR: return .notRegularFile(path)
        default: return .io(path, errno: e, message: String(cString: strerror(e)))
        }
    }

    /// Components of a path, ignoring empty ones and `.`.
    static func components(_ path: String) -> [String] {
        path.splitBytes(UInt8(ascii: "/")).filter { $0 != "." }
    }

    /// Where `path` leads inside the root: an open descriptor of its parent directory and the
    /// final name (`""` for the root itself). Symlinks are followed inside the root, the final one
    /// only when `followLast`. The caller closes `parent`.
    func locate(_ path: String, followLast: Bool) throws(HostError) -> (parent: Int32, name: String) {
        let w = try lookup(path, followLast: followLast)
        if w.owned { return (w.parent, w.name) }
        let fd = fcntl(w.parent, F_DUPFD_CLOEXEC, 0)
        if fd < 0 { throw Self.error(errno, path) }
        return (fd, w.name)
    }

    /// A lookup's result: the parent directory (`owned`: the caller closes it; else it is the
    /// root's or a cached descriptor, not to be closed), the final name, and its `lstat` when the
    /// walk made one (nil: it does not exist, or the path is the root itself).
    struct Lookup {
        var parent: Int32
        var owned: Bool
        var name: String
        var stat: Glibc.stat?
        func release() { if owned { close(parent) } }
    }

    /// `locate` without the duplicate descriptor, keeping the final `lstat`.
    func lookup(_ path: String, followLast: Bool) throws(HostError) -> Lookup {
        // the walk's directories; `owned` ones were opened by this walk and are closed by it,
        // the root's and the cached ones are borrowed
        var dirs: [(fd: Int32, owned: Bool)] = [(rootFD, false)]
        var names: [String] = []  // the resolved path of dirs.last, for the cache
        var pending = Array(Self.components(path).reversed())
        var links = 0
        func cleanup() { for d in dirs where d.owned { close(d.fd) } }
        func finish(_ name: String, _ st: Glibc.stat?) -> Lookup {
            let top = dirs.removeLast()
            cleanup()
            return Lookup(parent: top.fd, owned: top.owned, name: name, stat: st)
        }
        while let comp = pending.popLast() {
            if comp == ".." {
                if dirs.count > 1 {
                    let d = dirs.removeLast()
                    if d.owned { close(d.fd) }
                    names.removeLast()
                }
                continue
            }
            let dir = dirs[dirs.count - 1].fd
            let isLast = pending.isEmpty
            let key = cachesDirectories && !isLast ? (names + [comp]).joined(separator: "/") : ""
            if !key.isEmpty, let cached = directoryCache[key] {
                dirs.append((cached, false))
                names.append(comp)
                continue
            }
            var st = Glibc.stat()
            if fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) != 0 {
                let e = errno
                if e == ENOENT && isLast {
                    // a missing final name is fine: the caller decides (read → not found, write → create)
                    return finish(comp, nil)
                }
                cleanup()
                throw Self.error(e, path)
            }
            if (st.st_mode & S_IFMT) == S_IFLNK && (!isLast || followLast) {
                links += 1
                if links > maxLinks {
                    cleanup()
                    throw .symlinkLoop(path)
                }
                var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlinkat(dir, comp, &buf, Int(PATH_MAX))
                if n < 0 {
                    let e = errno
                    cleanup()
                    throw Self.error(e, path)
                }
                let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if target.hasPrefix("/") {
                    // an absolute link means "from the root": re-root it
                    for d in dirs.dropFirst() where d.owned { close(d.fd) }
                    dirs = [dirs[0]]
                    names = []
                }
                pending.append(contentsOf: Self.components(target).reversed())
                continue
            }
            if isLast { return finish(comp, st) }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                cleanup()
                throw .notDirectory(path)
            }
            let next = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 {
                let e = errno
                cleanup()
                throw Self.error(e, path)
            }
            if !key.isEmpty && directoryCache.count < Self.directoryCacheLimit {
                directoryCache[key] = next
                dirs.append((next, false))
            } else {
                dirs.append((next, true))
            }
            names.append(comp)
        }
        // the path was the root itself (or `..` chains that end there)
        return finish("", nil)
    }

    /// `lstat` (or `stat` when `follow`) of `path` inside the root; nil when it does not exist.
    public func metadata(_ path: String, follow: Bool = true) throws(HostError) -> FileStat? {
        let w: Lookup
        do {
            w = try lookup(path, followLast: follow)
        } catch {
            if case .notFound = error { return nil }
            throw error
        }
        defer { w.release() }
        if let st = w.stat { return Self.fileStat(st) }
        if !w.name.isEmpty { return nil }  // the walk found no such name
        var st = Glibc.stat()
        if fstat(w.parent, &st) != 0 { throw Self.error(errno, path) }
        return Self.fileStat(st)
    }

    static func fileStat(_ st: Glibc.stat) -> FileStat {
        let type: HostFileType
        switch st.st_mode & S_IFMT {
        case S_IFREG: type = .regular
        case S_IFDIR: type = .directory
        case S_IFLNK: type = .symlink
        default: type = .other
        }
        return FileStat(
            type: type, mode: UInt32(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid, size: Int(st.st_size),
            inode: UInt64(st.st_ino), device: UInt64(st.st_dev),
            mtimeNanos: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    public func fileType(_ path: String) throws(HostError) -> HostFileType? {
        try metadata(path, follow: true)?.type
    }

    public func readFile(_ path: String) throws(HostError) -> [UInt8] {
        let w = try lookup(path, followLast: true)
        defer { w.release() }
        let (parent, name) = (w.parent, w.name)
        if name.isEmpty { throw .notRegularFile(path) }
        guard let st = w.stat else { throw .notFound(path) }
        // never open FIFOs or devices: opening one can block or have side effects
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile(path) }
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if fd < 0 { throw Self.error(errno, path) }
        defer { close(fd) }
        var st2 = Glibc.stat()
        guard fstat(fd, &st2) == 0, (st2.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile(path) }
        if Int(st2.st_size) > maxFileSize { throw .tooLarge(path, limit: maxFileSize) }
        var out = [UInt8]()
        out.reserveCapacity(Int(st2.st_size))
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Self.error(errno, path)
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > maxFileSize { throw .tooLarge(path, limit: maxFileSize) }
        }
        return out
    }

    public func listDirectory(_ path: String) throws(HostError) -> [String] {
        let w = try lookup(path, followLast: true)
        let (parent, name) = (w.parent, w.name)
        let fd = name.isEmpty
            ? openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            : openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        let e = errno
        w.release()
        if fd < 0 { throw e == ELOOP ? .notDirectory(path) : Self.error(e, path) }
        guard let d = fdopendir(fd) else {
            close(fd)
            throw Self.error(errno, path)
        }
        defer { closedir(d) }
        return Self.entryNames(d)
    }

    /// The names `readdir` gives for an open directory stream, without `.` and `..`.
    static func entryNames(_ d: OpaquePointer) -> [String] {
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The target of the symlink at `path` (not followed), or nil when it is not a symlink.
    public func readLink(_ path: String) throws(HostError) -> String? {
        let w = try lookup(path, followLast: false)
        defer { w.release() }
        if let st = w.stat, (st.st_mode & S_IFMT) != S_IFLNK { return nil }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(w.parent, w.name, &buf, Int(PATH_MAX))
        if n < 0 { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The path inside the root that `path` resolves to (symlinks followed, re-rooted).
    public func resolvedPath(_ path: String) throws(HostError) -> String {
        // walk again, tracking names instead of descriptors
        var resolved: [String] = []
        var pending = Array(Self.components(path).reversed())
        var links = 0
        while let comp = pending.popLast() {
            if comp == ".." {
                _ = resolved.popLast()
                continue
            }
            let here = "/" + (resolved + [comp]).joined(separator: "/")
            let st = try metadata(here, follow: false)
            if st?.type == .symlink, let target = try readLink(here) {
                links += 1
                if links > maxLinks { throw .symlinkLoop(path) }
                if target.hasPrefix("/") { resolved = [] }
                pending.append(contentsOf: Self.components(target).reversed())
                continue
            }
            resolved.append(comp)
        }
        return "/" + resolved.joined(separator: "/")
    }
}
