import CHardenSys
#if canImport(Glibc)
import Glibc
#endif

/// Operations on many paths at once, relative to open directory descriptors instead of
/// resolving every path from the root again (which costs one `openat` per component per path:
/// quadratic in the depth of a tree, and slow for 30,000 files of one directory).
///
/// The confinement is the one of `locate`: the starting directory is resolved inside the root
/// (symlinks followed and re-rooted); below it every step is an `openat`/`fstatat` relative to
/// the parent's descriptor with `O_NOFOLLOW` / `AT_SYMLINK_NOFOLLOW`. A symlink below the
/// starting point is never followed by the fast path: it is either reported as a symlink or
/// handed to `locate`, which keeps it inside the root.
extension RootHost {
    /// `fileType` of each `dir/name`: one `fstatat` per name from one descriptor of `dir`; a
    /// name that is a symlink is resolved by `fileType` (inside the root, like every path).
    public func fileTypes(in dir: String, names: [String]) throws(HostError) -> [HostFileType?] {
        if names.isEmpty { return [] }
        let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        let parent: Int32
        let name: String
        do {
            (parent, name) = try locate(dir, followLast: true)
        } catch {
            if case .notFound = error { return names.map { _ in nil } }  // as `metadata` does
            throw error
        }
        let fd: Int32 =
            name.isEmpty
            ? openat(parent, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)
            : openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        let e = errno
        close(parent)
        if fd < 0 {
            if e == ENOENT { return names.map { _ in nil } }
            // what `fileType(dir/name)` reports when `dir` is not a directory
            throw Self.error(e == ELOOP ? ENOTDIR : e, base + "/" + names[0])
        }
        defer { close(fd) }
        var out: [HostFileType?] = []
        out.reserveCapacity(names.count)
        for n in names {
            // a name that is not a plain component goes the slow, general way
            if n.isEmpty || n == "." || n == ".." || n.utf8.contains(0x2F) {
                out.append(try fileType(base + "/" + n))
                continue
            }
            var st = Glibc.stat()
            if fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) != 0 {
                let err = errno
                if err == ENOENT { out.append(nil); continue }
                throw Self.error(err, base + "/" + n)
            }
            let type = Self.fileStat(st).type
            out.append(type == .symlink ? try fileType(base + "/" + n) : type)
        }
        return out
    }
}

// MARK: - Walking a tree with directory descriptors

extension RootHost {
    /// At most this many directory descriptors stay open during a walk or in a
    /// `DirectoryChain`; deeper ones are closed and opened again from the root when needed, so a
    /// tree thousands of levels deep cannot exhaust the process's descriptors.
    static let openDirectoryLimit = 64

    private struct WalkFrame {
        var path: String
        var fd: Int32
        var device: UInt64
        var inode: UInt64
        var names: [String]
        var next = 0
    }

    /// `MetadataReader.walk` with descriptors: the start is resolved like `metadata(start,
    /// follow: false)`; below it every entry is an `fstatat(AT_SYMLINK_NOFOLLOW)` relative to its
    /// directory's descriptor and every subdirectory an `openat(O_NOFOLLOW | O_DIRECTORY)` of
    /// the parent's (checked to be the directory just seen): linear in the number of entries
    /// whatever the depth, never following a symlink, never leaving the root.
    public func walk(
        _ start: String, prune: (String) -> Bool, limit: Int, listed: (String, [String]) -> Void
    ) throws(HostError) -> [WalkEntry] {
        if prune(start) { return [] }
        let parent: Int32
        let name: String
        do {
            (parent, name) = try locate(start, followLast: false)
        } catch {
            if case .notFound = error { return [] }
            throw error
        }
        var st = Glibc.stat()
        if (name.isEmpty ? fstat(parent, &st) : fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW)) != 0 {
            let e = errno
            close(parent)
            if e == ENOENT { return [] }
            throw Self.error(e, start)
        }
        var out = [WalkEntry(path: start, stat: Self.fileStat(st))]
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            close(parent)
            return out
        }
        let first = try openWalkDirectory(parent, name, path: start, expect: st)
        close(parent)

        var frames: [WalkFrame] = []
        // frames[lowestOpen...] have open descriptors, frames[..<lowestOpen] closed ones
        var lowestOpen = 0
        defer { for f in frames where f.fd >= 0 { close(f.fd) } }
        do {
            let names = try readNames(first, path: start)
            listed(start, names)
            frames.append(WalkFrame(path: start, fd: first, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), names: names))
        } catch {
            close(first)
            throw error
        }
        while !frames.isEmpty {
            let top = frames.count - 1
            if frames[top].next >= frames[top].names.count {
                if frames[top].fd >= 0 { close(frames[top].fd) }
                frames.removeLast()
                lowestOpen = min(lowestOpen, frames.count)
                continue
            }
            let n = frames[top].names[frames[top].next]
            frames[top].next += 1
            let path = (frames[top].path == "/" ? "" : frames[top].path) + "/" + n
            if prune(path) { continue }
            if frames[top].fd < 0 {
                frames[top].fd = try reopenWalkDirectory(frames[top])
                lowestOpen = top
            }
            let dir = frames[top].fd
            var cst = Glibc.stat()
            if fstatat(dir, n, &cst, AT_SYMLINK_NOFOLLOW) != 0 {
                let e = errno
                if e == ENOENT { continue }  // gone since the listing
                throw Self.error(e, path)
            }
            out.append(WalkEntry(path: path, stat: Self.fileStat(cst)))
            if out.count > limit { throw Self.tooManyEntries(start, limit) }
            guard (cst.st_mode & S_IFMT) == S_IFDIR else { continue }
            let child = try openWalkDirectory(dir, n, path: path, expect: cst)
            // a directory whose last entry this was is done: drop it before descending, so a
            // chain of single subdirectories holds one descriptor, not one per level
            if frames[top].next >= frames[top].names.count {
                close(frames[top].fd)
                frames.removeLast()
                lowestOpen = min(lowestOpen, frames.count)
            }
            let names: [String]
            do {
                names = try readNames(child, path: path)
            } catch {
                close(child)
                throw error
            }
            listed(path, names)
            frames.append(WalkFrame(path: path, fd: child, device: UInt64(cst.st_dev), inode: UInt64(cst.st_ino), names: names))
            while frames.count - lowestOpen > Self.openDirectoryLimit {
                close(frames[lowestOpen].fd)
                frames[lowestOpen].fd = -1
                lowestOpen += 1
            }
        }
        return out
    }

    /// Open `name` under `parent` as a directory for reading, not following a symlink, and
    /// check it is the directory `expect` describes (not swapped since it was looked at).
    private func openWalkDirectory(_ parent: Int32, _ name: String, path: String, expect: Glibc.stat) throws(HostError)
        -> Int32
    {
        let fd =
            name.isEmpty
            ? openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            : openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            throw e == ELOOP ? .notDirectory(path) : Self.error(e, path)
        }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0, st.st_dev == expect.st_dev, st.st_ino == expect.st_ino else {
            close(fd)
            throw .io(path, errno: ESTALE, message: "changed while it was being walked")
        }
        return fd
    }

    /// A directory of a walk whose descriptor was closed to save descriptors, opened again
    /// from the root (the same directory, or an error).
    private func reopenWalkDirectory(_ frame: WalkFrame) throws(HostError) -> Int32 {
        let (parent, name) = try locate(frame.path, followLast: false)
        defer { close(parent) }
        var st = Glibc.stat()
        st.st_dev = __dev_t(frame.device)
        st.st_ino = __ino_t(frame.inode)
        return try openWalkDirectory(parent, name, path: frame.path, expect: st)
    }

    /// The names in an open directory (without `.` and `..`), sorted.
    private func readNames(_ fd: Int32, path: String) throws(HostError) -> [String] {
        // a descriptor of its own: closedir closes it, `fd` stays usable
        let own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if own < 0 { throw Self.error(errno, path) }
        guard let d = fdopendir(own) else {
            let e = errno
            close(own)
            throw Self.error(e, path)
        }
        defer { closedir(d) }
        return Self.entryNames(d).sorted()
    }
}

// MARK: - The directories above many paths

/// Open descriptors of the directories above the last path looked up, reused for the next
/// one: a run of paths in one directory, or a depth-first list of a tree, costs one `openat`
/// per new directory instead of one per component per path.
///
/// Every directory is opened with `O_PATH | O_DIRECTORY | O_NOFOLLOW` relative to its parent,
/// starting at the root: a symlink (or anything not a directory) above a path is reported,
/// never followed. At most `RootHost.openDirectoryLimit` descriptors below the root stay open.
final class DirectoryChain {
    /// Where the directories above a path stop.
    enum Parent {
        /// Every directory above exists and is a real directory: the (borrowed) descriptor of
        /// the last one and the path's final name.
        case directory(Int32, String)
        /// This directory above the path does not exist.
        case missing(String)
        /// This one is a symlink.
        case symlink(String)
        /// This one is neither a directory nor a symlink.
        case notDirectory(String)
        /// The root itself, a path with `.` or `..` parts, or an error: take the general way
        /// (`RootHost.locate`).
        case general
    }

    let host: RootHost
    /// The path of the deepest directory in the chain ("" for the root), as bytes, and where
    /// each level's name ends in it: level i (1-based) is chain[0..<ends[i - 1]].
    private var chain: [UInt8] = []
    private var ends: [Int] = []
    /// fds[i] is the directory of level i: fds[0] the root (always open);
    /// fds[1..<lowestOpen] are closed (-1), fds[lowestOpen...] open.
    private var fds: [Int32]
    private var lowestOpen = 1

    init(host: RootHost) {
        self.host = host
        fds = [dup(host.rootFD)]
    }

    deinit { for fd in fds where fd >= 0 { close(fd) } }

    /// The directory holding `path`'s final name. Only the part of `path` below the directories
    /// already open is looked at component by component, so paths of a deep tree in depth-first
    /// order cost O(length) each, not O(depth) of `openat`s.
    func parent(of path: String) -> Parent {
        var path = path
        return path.withUTF8 { p in parent(of: p) }
    }

    private func parent(of p: UnsafeBufferPointer<UInt8>) -> Parent {
        guard fds[0] >= 0, p.count > 1, p[0] == 0x2F, Self.isPlainAbsolute(p) else { return .general }
        var lastSlash = p.count - 1
        while p[lastSlash] != 0x2F { lastSlash -= 1 }
        let dirCount = lastSlash  // p[0..<lastSlash] is the directory ("" for the root)
        let name = String(decoding: UnsafeBufferPointer(rebasing: p[(lastSlash + 1)...]), as: UTF8.self)
        // the levels of the chain that are a prefix of the directory (at a component boundary)
        var common = 0
        let limit = min(chain.count, dirCount)
        if limit == chain.count && (limit == 0 || memcmp(chain, p.baseAddress!, limit) == 0) {
            common = limit  // below the chain's deepest directory: the usual case, one memcmp
        } else {
            while common < limit && chain[common] == p[common] { common += 1 }
        }
        while let end = ends.last, end > common || (end < dirCount && p[end] != 0x2F) {
            ends.removeLast()
            let fd = fds.removeLast()
            if fd >= 0 { close(fd) }
        }
        chain.removeSubrange((ends.last ?? 0)...)
        lowestOpen = min(lowestOpen, fds.count)
        let k = ends.count
        if fds[k] < 0 {
            // closed to save descriptors: open that directory again from the root
            let prefix = String(decoding: chain, as: UTF8.self)
            guard let (parent, last) = try? host.locate(prefix, followLast: false) else { return .general }
            let fd = openat(parent, last, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(parent)
            if fd < 0 { return .general }
            fds[k] = fd
            lowestOpen = k
        }
        // the rest of the directory, one component at a time
        var at = chain.count + 1
        while at <= dirCount {
            var end = at
            while end < dirCount && p[end] != 0x2F { end += 1 }
            let component = String(decoding: UnsafeBufferPointer(rebasing: p[at..<end]), as: UTF8.self)
            let shown = String(decoding: UnsafeBufferPointer(rebasing: p[0..<end]), as: UTF8.self)
            let dir = fds[fds.count - 1]
            var st = Glibc.stat()
            if fstatat(dir, component, &st, AT_SYMLINK_NOFOLLOW) != 0 {
                return errno == ENOENT ? .missing(shown) : .general
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: break
            case S_IFLNK: return .symlink(shown)
            default: return .notDirectory(shown)
            }
            let fd = openat(dir, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 { return .general }
            fds.append(fd)
            chain.append(contentsOf: UnsafeBufferPointer(rebasing: p[(at - 1)..<end]))
            ends.append(chain.count)
            while fds.count - lowestOpen > RootHost.openDirectoryLimit {
                close(fds[lowestOpen])
                fds[lowestOpen] = -1
                lowestOpen += 1
            }
            at = end + 1
        }
        return .directory(fds[fds.count - 1], name)
    }

    /// `/a/b/c`: no empty, `.` or `..` component and no trailing slash (others take the general
    /// way, which normalizes them).
    private static func isPlainAbsolute(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 1  // index after a '/'
        var i = 1
        while i <= p.count {
            if i == p.count || p[i] == 0x2F {
                let n = i - start
                if n == 0 { return false }
                if n <= 2 && p[start] == 0x2E && (n == 1 || p[start + 1] == 0x2E) { return false }
                start = i + 1
            }
            i += 1
        }
        return true
    }

    /// Run `body` with the directory descriptor and final name of `path` as
    /// `locate(path, followLast: false)` finds them, through the chain when it can.
    func withParent<T>(_ path: String, _ body: (Int32, String) throws(HostError) -> T) throws(HostError) -> T {
        if case .directory(let fd, let name) = parent(of: path) { return try body(fd, name) }
        let (parent, name) = try host.locate(path, followLast: false)
        defer { close(parent) }
        return try body(parent, name)
    }
}

// MARK: - Owner and mode of many paths

/// Owner, group and mode to give one path (nil: leave as is), and extended attributes to put
/// back (undo of a chown, which drops `security.capability`).
public struct MetadataTarget: Sendable, Equatable {
    public var path: String
    public var uid: UInt32?
    public var gid: UInt32?
    public var mode: UInt32?
    public var xattrs: [String: [UInt8]]?

    public init(path: String, uid: UInt32?, gid: UInt32?, mode: UInt32?, xattrs: [String: [UInt8]]? = nil) {
        self.path = path
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.xattrs = xattrs
    }
}

extension RootHost {
    private func batchError(_ path: String, _ what: String, _ e: Int32) -> HostError {
        switch e {
        case ENOENT: return .notFound(path)
        case ELOOP: return .io(path, errno: e, message: "\(what): is a symlink (harden never writes through one)")
        default: return .io(path, errno: e, message: "\(what): \(String(cString: strerror(e)))")
        }
    }

    /// What `snapshot` records of each path, without the bytes: type, owner, group, mode and
    /// extended attributes (`.absent` for a missing path; a symlink is an error). The
    /// directories above consecutive paths are opened once (`DirectoryChain`).
    public func metadataSnapshots(_ paths: [String]) throws(HostError) -> [FileSnapshot] {
        let chain = DirectoryChain(host: self)
        var out: [FileSnapshot] = []
        out.reserveCapacity(paths.count)
        for path in paths {
            let snap = try chain.withParent(path) { (parent, name) throws(HostError) -> FileSnapshot in
                if name.isEmpty { throw .notRegularFile(path) }
                var st = Glibc.stat()
                if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
                    if errno == ENOENT { return .absent }
                    throw batchError(path, "stat", errno)
                }
                let type = Self.fileStat(st).type
                if type == .symlink { throw .io(path, errno: ELOOP, message: "is a symlink (harden never writes through one)") }
                var snap = FileSnapshot(
                    exists: true, bytes: nil, uid: st.st_uid, gid: st.st_gid, mode: UInt32(st.st_mode & 0o7777),
                    type: type, xattrs: [:], sha256: nil)
                guard type == .regular || type == .directory else { return snap }
                let fd = openat(
                    parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (type == .directory ? O_DIRECTORY : 0))
                if fd < 0 { throw batchError(path, "open", errno) }
                defer { close(fd) }
                // the size first: most files have no attributes, and no 64 KiB buffer is needed
                if harden_flistxattr(fd, nil, 0) > 0 { snap.xattrs = Self.readXattrs(fd) }
                return snap
            }
            out.append(snap)
        }
        return out
    }

    /// Batches of at most this many paths fsync each path instead of one syncfs at the end.
    static let batchFsyncLimit = 64

    /// `setMetadata` of each target, in order: chown, the extended attributes to put back,
    /// then chmod (chown clears setuid/setgid bits), through a descriptor opened with
    /// `O_NOFOLLOW` (a symlink is refused, never followed; only regular files and directories).
    /// Instead of an fsync per path, each file system touched is synced once at the end (for
    /// more than `batchFsyncLimit` paths).
    /// `inject` (fault-injection tests) fails the batch after half of it, `halfway` runs there.
    public func setMetadataBatch(_ targets: [MetadataTarget], inject: Int32? = nil, halfway: (() -> Void)? = nil)
        throws(HostError)
    {
        let chain = DirectoryChain(host: self)
        // A small batch syncs each file as it goes; a large one syncs each file system once at
        // the end (syncfs also writes out every other dirty file there, which costs more than a
        // few fsyncs right after a big unpack, but far less than 10,000 of them).
        let syncEach = targets.count <= Self.batchFsyncLimit
        var syncFDs: [UInt64: Int32] = [:]  // one descriptor per file system touched
        defer { for fd in syncFDs.values { close(fd) } }
        for (i, t) in targets.enumerated() {
            if i == targets.count / 2 {
                halfway?()
                if let inject { throw batchError(t.path, "chmod", inject) }
            }
            try chain.withParent(t.path) { (parent, name) throws(HostError) in
                if name.isEmpty { throw .notRegularFile(t.path) }
                var st = Glibc.stat()
                if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { throw batchError(t.path, "stat", errno) }
                let kind = st.st_mode & S_IFMT
                guard kind == S_IFREG || kind == S_IFDIR else {
                    throw .io(
                        t.path, errno: EINVAL,
                        message: kind == S_IFLNK ? "is a symlink (never followed for chmod/chown)" : "is not a regular file or directory")
                }
                let fd = openat(
                    parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (kind == S_IFDIR ? O_DIRECTORY : 0))
                if fd < 0 { throw batchError(t.path, "open", errno) }
                var keep = false
                defer { if !keep { close(fd) } }
                if t.uid != nil || t.gid != nil {
                    if fchown(fd, t.uid ?? UInt32.max, t.gid ?? UInt32.max) != 0 { throw batchError(t.path, "chown", errno) }
                }
                for (k, v) in (t.xattrs ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let r = v.withUnsafeBytes { harden_fsetxattr(fd, k, $0.baseAddress, UInt($0.count)) }
                    if r != 0 { throw batchError(t.path, "set attribute \(k)", errno) }
                }
                if let mode = t.mode, fchmod(fd, mode_t(mode)) != 0 { throw batchError(t.path, "chmod", errno) }
                if syncEach {
                    if fsync(fd) != 0 { throw batchError(t.path, "sync", errno) }
                } else if syncFDs[UInt64(st.st_dev)] == nil {
                    syncFDs[UInt64(st.st_dev)] = fd
                    keep = true
                }
            }
        }
        for (_, fd) in syncFDs.sorted(by: { $0.key < $1.key }) where harden_syncfs(fd) != 0 {
            throw batchError(targets.first?.path ?? root, "sync", errno)
        }
    }
}
