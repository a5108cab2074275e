/// Why a read under the target root failed; reported per resource, never fatal for the whole plan.
public enum HostError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(String)
    case permissionDenied(String)
    case notRegularFile(String)
    case notDirectory(String)
    case tooLarge(String, limit: Int)
    case symlinkLoop(String)
    case io(String, errno: Int32, message: String)

    /// The path (inside the root) the error is about.
    public var path: String {
        switch self {
        case .notFound(let p), .permissionDenied(let p), .notRegularFile(let p), .notDirectory(let p),
            .tooLarge(let p, _), .symlinkLoop(let p), .io(let p, _, _):
            return p
        }
    }

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file or directory"
        case .permissionDenied(let p): return "\(p): permission denied"
        case .notRegularFile(let p): return "\(p): not a regular file"
        case .notDirectory(let p): return "\(p): not a directory"
        case .tooLarge(let p, let limit): return "\(p): file larger than \(limit) bytes"
        case .symlinkLoop(let p): return "\(p): too many levels of symbolic links"
        case .io(let p, let e, let m): return e == 0 ? "\(p): \(m)" : "\(p): \(m) (errno \(e))"
        }
    }
}

/// What a path is, after resolving symlinks inside the root.
public enum HostFileType: Sendable, Equatable {
    case regular, directory, symlink, other
}

/// Read-only view of the target tree. Every path is absolute and interpreted inside the root
/// (`--root`); implementations never read outside it.
public protocol HostReader: AnyObject, Sendable {
    /// Bytes of the regular file at `path` (symlinks resolved inside the root).
    func readFile(_ path: String) throws(HostError) -> [UInt8]
    /// Names (not paths) of the entries of the directory at `path`, in no particular order.
    func listDirectory(_ path: String) throws(HostError) -> [String]
    /// The type of `path` after resolving symlinks inside the root, or nil when it does not exist.
    func fileType(_ path: String) throws(HostError) -> HostFileType?
    /// `fileType` of each `dir + "/" + name`, in the order given: one call for a whole listing
    /// (the real root answers it from one open descriptor of `dir` instead of resolving every
    /// path from the root again).
    func fileTypes(in dir: String, names: [String]) throws(HostError) -> [HostFileType?]
}

extension HostReader {
    /// One `fileType` per name (readers without a faster way).
    public func fileTypes(in dir: String, names: [String]) throws(HostError) -> [HostFileType?] {
        let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        var out: [HostFileType?] = []
        out.reserveCapacity(names.count)
        for name in names { out.append(try fileType(base + "/" + name)) }
        return out
    }

    /// Bytes of the file, or nil when it does not exist.
    public func readIfPresent(_ path: String) throws(HostError) -> [UInt8]? {
        do {
            return try readFile(path)
        } catch {
            if case .notFound = error { return nil }
            throw error
        }
    }
}
