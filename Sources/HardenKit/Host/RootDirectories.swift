#if canImport(Glibc)
import Glibc
#endif

extension RootHost {
    /// Open (creating when missing, with `mode`) the directory `path` inside the root for
    /// reading and *at operations. Every component must be a real directory: a symlink anywhere
    /// on the way is refused, so state written there can never land outside the root.
    public func openDirectory(_ path: String, create: Bool, mode: UInt32 = 0o700) throws(HostError) -> Int32 {
        var fd = openat(rootFD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw Self.error(errno, path) }
        let comps = Self.components(path)
        for (i, comp) in comps.enumerated() {
            // missing parents are ordinary directories; only the last one gets `mode`
            let dirMode = i == comps.count - 1 ? mode : 0o755
            if comp == ".." {
                close(fd)
                throw .io(path, errno: EINVAL, message: "'..' in a state directory path")
            }
            var next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(fd, comp, mode_t(dirMode)) != 0 && errno != EEXIST {
                    let e = errno
                    close(fd)
                    throw .io(path, errno: e, message: "cannot create \(comp): \(String(cString: strerror(e)))")
                }
                next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let e = errno
            close(fd)
            if next < 0 {
                if e == ELOOP || e == ENOTDIR {
                    throw .io(path, errno: e, message: "\(comp) is not a real directory (symlinks are refused here)")
                }
                throw Self.error(e, path)
            }
            fd = next
        }
        return fd
    }
}
