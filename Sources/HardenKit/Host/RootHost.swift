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

    /// Open the root directory. Fails when it is not a directory.
    public init(root: String, maxFileSize: Int = 64 << 20) throws(HostError) {
        self.root = root
        self.maxFileSize = maxFileSize
        let fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw Self.error(errno, root) }
        rootFD = fd
    }

    deinit { close(rootFD) }

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
        var dirs: [Int32] = [dup(rootFD)]
        var pending = Array(Self.components(path).reversed())
        var links = 0
        func cleanup() { for d in dirs { close(d) } }
        while let comp = pending.popLast() {
            if comp == ".." {
                if dirs.count > 1 { close(dirs.removeLast()) }
                continue
            }
            let dir = dirs[dirs.count - 1]
            let isLast = pending.isEmpty
            var st = Glibc.stat()
            if fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) != 0 {
                let e = errno
                if e == ENOENT && isLast {
                    // a missing final name is fine: the caller decides (read → not found, write → create)
                    let parent = dirs.removeLast()
                    cleanup()
                    return (parent, comp)
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
                    for d in dirs.dropFirst() { close(d) }
                    dirs = [dirs[0]]
                }
                pending.append(contentsOf: Self.components(target).reversed())
                continue
            }
            if isLast {
                let parent = dirs.removeLast()
                cleanup()
                return (parent, comp)
            }
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
            dirs.append(next)
        }
        // the path was the root itself (or `..` chains that end there)
        let parent = dirs.removeLast()
        cleanup()
        return (parent, "")
    }

    /// `lstat` (or `stat` when `follow`) of `path` inside the root; nil when it does not exist.
    public func metadata(_ path: String, follow: Bool = true) throws(HostError) -> FileStat? {
        let parent: Int32
        let name: String
        do {
            (parent, name) = try locate(path, followLast: follow)
        } catch {
            if case .notFound = error { return nil }
            throw error
        }
        defer { close(parent) }
        var st = Glibc.stat()
        let r = name.isEmpty ? fstat(parent, &st) : fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW)
        if r != 0 {
            if errno == ENOENT { return nil }
            throw Self.error(errno, path)
        }
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
        let (parent, name) = try locate(path, followLast: true)
        defer { close(parent) }
        if name.isEmpty { throw .notRegularFile(path) }
        var st = Glibc.stat()
        if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { throw Self.error(errno, path) }
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
        let (parent, name) = try locate(path, followLast: true)
        let fd = name.isEmpty
            ? openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            : openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        let e = errno
        close(parent)
        if fd < 0 { throw e == ELOOP ? .notDirectory(path) : Self.error(e, path) }
        guard let d = fdopendir(fd) else {
            close(fd)
            throw Self.error(errno, path)
        }
        defer { closedir(d) }
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
        let (parent, name) = try locate(path, followLast: false)
        defer { close(parent) }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(parent, name, &buf, Int(PATH_MAX))
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
