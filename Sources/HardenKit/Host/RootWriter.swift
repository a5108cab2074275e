import CHardenSys
import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Everything the journal records about a path before it is touched.
public struct FileSnapshot: Sendable, Equatable {
    public var exists: Bool
    public var bytes: [UInt8]?
    public var uid: UInt32
    public var gid: UInt32
    public var mode: UInt32
    public var type: HostFileType?
    /// name → value (`security.selinux` matters on Alibaba Cloud Linux and RHEL).
    public var xattrs: [String: [UInt8]]
    public var sha256: String?

    public static let absent = FileSnapshot(
        exists: false, bytes: nil, uid: 0, gid: 0, mode: 0, type: nil, xattrs: [:], sha256: nil)
}

/// The write side of the root: atomic replacement (temp in the same directory, fsync, rename,
/// fsync of the directory), owner/mode/xattrs kept unless the change is about them, never
/// through a symlink, and a re-check of the current bytes just before replacing.
extension RootHost {
    /// Hex SHA-256 of `b`.
    public static func sha(_ b: [UInt8]) -> String {
        hex(SHA256.hash(data: b))
    }

    /// Lowercase hex of a digest's bytes.
    static func hex<D: Sequence<UInt8>>(_ digest: D) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func ioError(_ path: String, _ what: String, _ e: Int32) -> HostError {
        switch e {
        case ENOENT: return .notFound(path)
        case ELOOP: return .io(path, errno: e, message: "\(what): is a symlink (harden never writes through one)")
        default: return .io(path, errno: e, message: "\(what): \(String(cString: strerror(e)))")
        }
    }

    /// The state of `path` without following a final symlink (a symlink is an error: harden
    /// never writes through one). Regular files include their bytes.
    public func snapshot(_ path: String) throws(HostError) -> FileSnapshot {
        let (parent, name) = try locate(path, followLast: false)
        defer { close(parent) }
        var st = Glibc.stat()
        if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT { return .absent }
            throw ioError(path, "stat", errno)
        }
        let type = Self.fileStat(st).type
        if type == .symlink { throw .io(path, errno: ELOOP, message: "is a symlink (harden never writes through one)") }
        var snap = FileSnapshot(
            exists: true, bytes: nil, uid: st.st_uid, gid: st.st_gid, mode: UInt32(st.st_mode & 0o7777), type: type,
            xattrs: [:], sha256: nil)
        guard type == .regular || type == .directory else { return snap }
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (type == .directory ? O_DIRECTORY : 0))
        if fd < 0 { throw ioError(path, "open", errno) }
        defer { close(fd) }
        snap.xattrs = Self.readXattrs(fd)
        if type == .regular {
            let bytes = try Self.readAll(fd, path: path, limit: maxFileSize)
            snap.bytes = bytes
            snap.sha256 = Self.sha(bytes)
        }
        return snap
    }

    static func readAll(_ fd: Int32, path: String, limit: Int) throws(HostError) -> [UInt8] {
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw error(errno, path)
            }
            if n == 0 { return out }
            out.append(contentsOf: buf[0..<n])
            if out.count > limit { throw .tooLarge(path, limit: limit) }
        }
    }

    static func readXattrs(_ fd: Int32) -> [String: [UInt8]] {
        var list = [CChar](repeating: 0, count: 65536)
        let n = harden_flistxattr(fd, &list, UInt(list.count))
        guard n > 0 else { return [:] }
        var out: [String: [UInt8]] = [:]
        var start = 0
        for i in 0..<n where list[i] == 0 {
            let name = String(decoding: list[start..<i].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            start = i + 1
            var value = [UInt8](repeating: 0, count: 65536)
            let len = harden_fgetxattr(fd, name, &value, UInt(value.count))
            if len >= 0 { out[name] = Array(value[0..<len]) }
        }
        return out
    }

    /// Atomically give `path` the content `bytes`. `expect` is the SHA-256 the current file must
    /// still have (nil: it must not exist); owner, group, mode and xattrs are the given ones.
    /// `inject` simulates a failing write (fault-injection tests only).
    public func replaceFile(
        _ path: String, bytes: [UInt8], uid: UInt32, gid: UInt32, mode: UInt32, xattrs: [String: [UInt8]],
        expect: String?, inject: Int32? = nil
    ) throws(HostError) {
        let (parent, name) = try locate(path, followLast: false)
        defer { close(parent) }
        if name.isEmpty { throw .notRegularFile(path) }
        try checkCurrent(parent: parent, name: name, path: path, expect: expect)
        let tmp = ".harden-\(name.prefix(40))-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(parent, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { throw ioError(path, "create temporary file", errno) }
        var done = false
        defer {
            if !done { unlinkat(parent, tmp, 0) }
        }
        // fault injection: write half, then fail as a full disk would
        let limit = inject == nil ? bytes.count : bytes.count / 2
        var off = 0
        while off < limit {
            let n = bytes[off..<limit].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw ioError(path, "write", e)
            }
            off += n
        }
        if let inject {
            close(fd)
            throw ioError(path, "write", inject)
        }
        if fchown(fd, uid, gid) != 0 {
            let e = errno
            close(fd)
            throw ioError(path, "set owner/mode", e)
        }
        // after the chown, which drops a file capability (security.capability) set before it
        for (k, v) in xattrs.sorted(by: { $0.key < $1.key }) {
            // security.selinux and the like; failures on filesystems without xattrs are not fatal
            _ = v.withUnsafeBytes { harden_fsetxattr(fd, k, $0.baseAddress, UInt($0.count)) }
        }
        if fchmod(fd, mode_t(mode)) != 0 || fsync(fd) != 0 {
            let e = errno
            close(fd)
            throw ioError(path, "set owner/mode", e)
        }
        close(fd)
        // re-check just before replacing: a file swapped (or turned into a symlink) since the
        // plan is refused, not overwritten
        try checkCurrent(parent: parent, name: name, path: path, expect: expect)
        if renameat(parent, tmp, parent, name) != 0 { throw ioError(path, "rename", errno) }
        done = true
        Self.syncDirectory(parent)
    }

    /// fsync a directory given by an O_PATH descriptor (which cannot be synced itself).
    static func syncDirectory(_ dir: Int32) {
        let d = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if d >= 0 {
            fsync(d)
            close(d)
        }
    }

    /// Refuse when the current state of `name` is not what the plan saw.
    func checkCurrent(parent: Int32, name: String, path: String, expect: String?) throws(HostError) {
        var st = Glibc.stat()
        let exists = fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0
        guard let expect else {
            if exists { throw .io(path, errno: EEXIST, message: "appeared since the plan was made") }
            return
        }
        guard exists else { throw .io(path, errno: ENOENT, message: "disappeared since the plan was made") }
        if (st.st_mode & S_IFMT) == S_IFLNK {
            throw .io(path, errno: ELOOP, message: "was replaced by a symlink since the plan was made")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw .io(path, errno: EISDIR, message: "is no longer a regular file")
        }
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { throw ioError(path, "open", errno) }
        defer { close(fd) }
        let now = try Self.readAll(fd, path: path, limit: maxFileSize)
        if Self.sha(now) != expect { throw .io(path, errno: ESTALE, message: "changed since the plan was made") }
    }

    /// Remove temporary files a killed write may have left beside `path` (`.harden-NAME-*`).
    public func removeTemporaries(for path: String) {
        guard let (parent, name) = try? locate(path, followLast: false), !name.isEmpty else { return }
        defer { close(parent) }
        let prefix = ".harden-\(name.prefix(40))-"
        let dfd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0, let d = fdopendir(dfd) else { return }
        defer { closedir(d) }
        var found: [String] = []
        while let e = readdir(d) {
            let n = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if n.hasPrefix(prefix) { found.append(n) }
        }
        for n in found { unlinkat(parent, n, 0) }
        if !found.isEmpty { Self.syncDirectory(parent) }
    }

    /// Remove a regular file whose bytes still hash to `expect`.
    public func removeFile(_ path: String, expect: String) throws(HostError) {
        let (parent, name) = try locate(path, followLast: false)
        defer { close(parent) }
        try checkCurrent(parent: parent, name: name, path: path, expect: expect)
        if unlinkat(parent, name, 0) != 0 { throw ioError(path, "remove", errno) }
        Self.syncDirectory(parent)
    }

    /// Remove an empty directory (undo of a created one).
    public func removeDirectory(_ path: String) throws(HostError) {
        let (parent, name) = try locate(path, followLast: false)
        defer { close(parent) }
        if unlinkat(parent, name, AT_REMOVEDIR) != 0 { throw ioError(path, "remove directory", errno) }
        Self.syncDirectory(parent)
    }

    /// Create a directory with owner and mode; it must not exist.
    public func makeDirectory(_ path: String, uid: UInt32, gid: UInt32, mode: UInt32) throws(HostError) {
        let (parent, name) = try locate(path, followLast: false)
        defer { close(parent) }
        if mkdirat(parent, name, 0o700) != 0 { throw ioError(path, "create directory", errno) }
        try setMetadata(path, uid: uid, gid: gid, mode: mode)
        Self.syncDirectory(parent)
    }

    /// chown/chmod through a descriptor opened with O_NOFOLLOW (a symlink is refused, never
    /// followed); only regular files and directories.
    public func setMetadata(_ path: String, uid: UInt32?, gid: UInt32?, mode: UInt32?, inject: Int32? = nil) throws(HostError) {
        let (parent, name) = try locate(path, followLast: false)
        defer { close(parent) }
        var st = Glibc.stat()
        if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { throw ioError(path, "stat", errno) }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFDIR else {
            throw .io(path, errno: EINVAL, message: kind == S_IFLNK ? "is a symlink (never followed for chmod/chown)" : "is not a regular file or directory")
        }
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (kind == S_IFDIR ? O_DIRECTORY : 0))
        if fd < 0 { throw ioError(path, "open", errno) }
        defer { close(fd) }
        if let inject { throw ioError(path, "chmod", inject) }
        if uid != nil || gid != nil {
            if fchown(fd, uid ?? UInt32.max, gid ?? UInt32.max) != 0 { throw ioError(path, "chown", errno) }
        }
        // chown clears setuid/setgid bits: set the mode after it
        if let mode, fchmod(fd, mode_t(mode)) != 0 { throw ioError(path, "chmod", errno) }
        fsync(fd)
    }
}
