import Foundation

/// An in-memory tree for tests: files by absolute path, directories implied by their files.
/// It records every path read, so tests can prove what was (and was not) touched.
public final class MemoryHost: HostReader, @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: [UInt8]]
    private var extraDirectories: Set<String>
    private var reads: [String] = []

    /// Files given as text (UTF-8).
    public init(_ files: [String: String], directories: [String] = []) {
        self.files = files.mapValues { Array($0.utf8) }
        self.extraDirectories = Set(directories)
    }

    /// Files given as bytes.
    public init(bytes: [String: [UInt8]], directories: [String] = []) {
        self.files = bytes
        self.extraDirectories = Set(directories)
    }

    /// Every path passed to `readFile`, in order.
    public var readLog: [String] { lock.withLock { reads } }

    /// Replace or add a file.
    public func write(_ path: String, _ text: String) {
        lock.withLock { files[path] = Array(text.utf8) }
    }

    public func readFile(_ path: String) throws(HostError) -> [UInt8] {
        let found: [UInt8]? = lock.withLock {
            reads.append(path)
            return files[path]
        }
        if let found { return found }
        if isDirectory(path) { throw .notRegularFile(path) }
        throw .notFound(path)
    }

    public func listDirectory(_ path: String) throws(HostError) -> [String] {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        if files[path] != nil { throw .notDirectory(path) }
        guard isDirectory(path) else { throw .notFound(path) }
        var names = Set<String>()
        let all = lock.withLock { Array(files.keys) + Array(extraDirectories) }
        for p in all where p.hasPrefix(prefix) {
            let rest = p.dropFirst(prefix.count)
            if let first = rest.split(separator: "/").first { names.insert(String(first)) }
        }
        return Array(names)
    }

    public func fileType(_ path: String) throws(HostError) -> HostFileType? {
        if lock.withLock({ files[path] != nil }) { return .regular }
        return isDirectory(path) ? .directory : nil
    }

    private func isDirectory(_ path: String) -> Bool {
        if path == "/" { return true }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return lock.withLock {
            extraDirectories.contains(path) || files.keys.contains { $0.hasPrefix(prefix) }
                || extraDirectories.contains { $0.hasPrefix(prefix) }
        }
    }
}
