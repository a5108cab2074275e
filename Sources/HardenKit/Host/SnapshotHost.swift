import Crypto
import Foundation

/// Wraps the root reader for one planning run: every file is read once (later reads hit the
/// cache, so two kinds probing the same file cost one read) and its SHA-256 is recorded, so a
/// saved plan can be refused when the host changed since.
public final class SnapshotHost: HostReader, @unchecked Sendable {
    public let inner: HostReader
    private let lock = NSLock()
    private var cache: [String: Result<[UInt8], HostError>] = [:]

    public init(_ inner: HostReader) { self.inner = inner }

    public func readFile(_ path: String) throws(HostError) -> [UInt8] {
        if let hit = lock.withLock({ cache[path] }) { return try hit.get() }
        let result: Result<[UInt8], HostError>
        do {
            result = .success(try inner.readFile(path))
        } catch {
            result = .failure(error)
        }
        lock.withLock { cache[path] = result }
        return try result.get()
    }

    private var listings: [String: String] = [:]

    /// Listings are recorded too: a file added to a scanned directory (a new sysctl.d drop-in)
    /// makes a saved plan stale.
    public func listDirectory(_ path: String) throws(HostError) -> [String] {
        do {
            let names = try inner.listDirectory(path)
            recordListing(path, names)
            return names
        } catch {
            if case .notFound = error { lock.withLock { listings["dir:" + path] = "absent" } }
            throw error
        }
    }

    /// Remember the names of a directory read (for `digests`).
    func recordListing(_ path: String, _ names: [String]) {
        let digest = Self.sha256(Array(names.sorted().joined(separator: "\n").utf8))
        lock.withLock { listings["dir:" + path] = digest }
    }

    /// SHA-256 of the sorted names of a directory inside `host`, or `absent`.
    public static func listingDigest(_ path: String, host: HostReader) -> String {
        guard let names = try? host.listDirectory(path) else { return "absent" }
        return sha256(Array(names.sorted().joined(separator: "\n").utf8))
    }
    public func fileType(_ path: String) throws(HostError) -> HostFileType? { try inner.fileType(path) }
    public func fileTypes(in dir: String, names: [String]) throws(HostError) -> [HostFileType?] {
        try inner.fileTypes(in: dir, names: names)
    }

    /// Every path read so far → hex SHA-256 of its bytes, or `absent` when it did not exist
    /// (other errors are left out: the plan reports them).
    public var digests: [String: String] {
        lock.withLock {
            var out: [String: String] = [:]
            for (path, result) in cache {
                switch result {
                case .success(let bytes): out[path] = Self.sha256(bytes)
                case .failure(.notFound): out[path] = "absent"
                case .failure: break
                }
            }
            for (k, v) in listings { out[k] = v }
            return out
        }
    }

    /// Hex SHA-256.
    public static func sha256(_ bytes: [UInt8]) -> String {
        RootHost.sha(bytes)
    }
}
