import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One harden at a time per root: an exclusive `flock` on the root directory itself, so taking
/// the lock writes nothing (a compliant host is not touched at all). A second harden waits
/// briefly, then fails naming the holder's pid (found in /proc/locks).
public final class RootLock {
    private let fd: Int32

    /// Take the lock, waiting up to `wait` seconds.
    public init(root: String, wait: Double = 3) throws(HostError) {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw RootHost.error(errno, root) }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if Date() >= deadline {
                let holder = Self.holder(fd) ?? "unknown"
                close(fd)
                throw .io(root, errno: 0, message: "another harden is running on this root (pid \(holder))")
            }
            usleep(50_000)
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// The pid holding a flock on the same inode, from /proc/locks.
    static func holder(_ fd: Int32) -> String? {
        var st = stat()
        guard fstat(fd, &st) == 0, let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        let dev = UInt64(st.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        let want = String(format: "%02llx:%02llx:%llu", major, minor, UInt64(st.st_ino))
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            // "1: FLOCK  ADVISORY  WRITE 1234 fe:00:5308968 0 EOF"
            if f.count >= 6, f[1] == "FLOCK", f[5] == want { return String(f[4]) }
        }
        return nil
    }
}
