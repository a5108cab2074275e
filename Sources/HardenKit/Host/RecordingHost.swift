import Foundation

/// A test double that wraps another reader and records every call, so tests can prove which
/// paths were read (and that nothing else was).
public final class RecordingHost: HostReader, @unchecked Sendable {
    public enum Call: Equatable, Sendable {
        case read(String), list(String), type(String)
    }

    private let inner: HostReader
    private let lock = NSLock()
    private var log: [Call] = []

    public init(_ inner: HostReader) { self.inner = inner }

    /// Every call so far, in order.
    public var calls: [Call] { lock.withLock { log } }

    public func readFile(_ path: String) throws(HostError) -> [UInt8] {
        lock.withLock { log.append(.read(path)) }
        return try inner.readFile(path)
    }

    public func listDirectory(_ path: String) throws(HostError) -> [String] {
        lock.withLock { log.append(.list(path)) }
        return try inner.listDirectory(path)
    }

    public func fileType(_ path: String) throws(HostError) -> HostFileType? {
        lock.withLock { log.append(.type(path)) }
        return try inner.fileType(path)
    }

    /// Recorded as one `type` call per path, like the default.
    public func fileTypes(in dir: String, names: [String]) throws(HostError) -> [HostFileType?] {
        let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        lock.withLock { for name in names { log.append(.type(base + "/" + name)) } }
        return try inner.fileTypes(in: dir, names: names)
    }
}
