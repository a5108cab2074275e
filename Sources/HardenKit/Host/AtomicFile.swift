#if canImport(Glibc)
import Glibc
#endif

/// Atomic replacement of a file on the machine running harden (saved plans): a temporary file
/// in the same directory, fsync, rename, fsync of the directory.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let tmp = (dir.isEmpty ? "" : dir) + "/.harden-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 { throw Failure(description: String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw Failure(description: String(cString: strerror(e)))
            }
            off += n
        }
        if fsync(fd) != 0 || fchmod(fd, mode) != 0 {
            let e = errno
            close(fd)
            throw Failure(description: String(cString: strerror(e)))
        }
        close(fd)
        if rename(tmp, path) != 0 { throw Failure(description: String(cString: strerror(errno))) }
        ok = true
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
