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

    public func listDirectory(_ path: String) throws(HostError) -> [String] { try inner.listDirectory(path) }
    public func fileType(_ path: String) throws(HostError) -> HostFileType? { try inner.fileType(path) }

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
            return out
        }
    }

    /// Hex SHA-256.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
