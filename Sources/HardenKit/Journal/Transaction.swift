import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One transaction directory: `meta.json`, `plan.json`, the append-only `steps.jsonl` and
/// `backups/` of original bytes (0600).
public final class Transaction {
    public let id: String
    public private(set) var meta: TransactionMeta
    let fd: Int32
    private var stepsFD: Int32 = -1

    init(fd: Int32, id: String) throws(HostError) {
        self.fd = fd
        self.id = id
        let bytes: [UInt8]
        do {
            bytes = try Self.read(fd, "meta.json", display: "\(Journal.stateDirectory)/journal/\(id)/meta.json")
        } catch {
            close(fd)
            throw error
        }
        guard let meta = try? JSONDecoder().decode(TransactionMeta.self, from: Data(bytes)) else {
            close(fd)
            throw .io("transaction \(id)", errno: EINVAL, message: "meta.json is unreadable")
        }
        self.meta = meta
    }

    deinit {
        if stepsFD >= 0 { close(stepsFD) }
        close(fd)
    }

    static func encode<T: Encodable>(_ v: T) -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return Array((try? e.encode(v)) ?? Data())
    }

    /// Where a journal file of this transaction is, for messages.
    func display(_ name: String) -> String { "\(Journal.stateDirectory)/journal/\(id)/\(name)" }

    /// Open a journal file for reading. Whatever is not a regular file is refused without being
    /// opened (opening a device can have side effects); then the open itself uses
    /// `O_NOFOLLOW | O_NONBLOCK` (a symlink is refused, a FIFO swapped in meanwhile cannot block
    /// it) and `fstat` of the descriptor must show a regular file. Nil when it does not exist.
    static func openRegular(_ dir: Int32, _ name: String, display: String) throws(HostError) -> Int32? {
        var before = stat()
        if fstatat(dir, name, &before, AT_SYMLINK_NOFOLLOW) != 0 {
            let e = errno
            if e == ENOENT { return nil }
            throw RootHost.error(e, "journal file " + display)
        }
        guard (before.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile("journal file " + display) }
        let f = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if f < 0 {
            let e = errno
            if e == ENOENT { return nil }
            // O_NOFOLLOW on a symlink fails with ELOOP: not a regular file either
            if e == ELOOP { throw .notRegularFile("journal file " + display) }
            throw RootHost.error(e, "journal file " + display)
        }
        var st = stat()
        guard fstat(f, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(f)
            throw .notRegularFile("journal file " + display)
        }
        return f
    }

    /// A journal file: a regular file only (a FIFO or device planted in a hostile journal is
    /// refused, never opened in blocking mode), at most 256 MiB.
    static func read(_ dir: Int32, _ name: String, display: String? = nil) throws(HostError) -> [UInt8] {
        let shown = display ?? name
        guard let f = try openRegular(dir, name, display: shown) else { throw .notFound(shown) }
        defer { close(f) }
        return try RootHost.readAll(f, path: "journal file " + shown, limit: 256 << 20)
    }

    /// temp + fsync + rename + fsync of the directory.
    static func writeAtomic(_ dir: Int32, _ name: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws(HostError) {
        let tmp = ".\(name).tmp"
        unlinkat(dir, tmp, 0)
        let f = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode)
        if f < 0 { throw .io(name, errno: errno, message: "cannot write \(name)") }
        var st = stat()
        guard fstat(f, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {  // O_EXCL made it: cannot fail
            close(f)
            unlinkat(dir, tmp, 0)
            throw .notRegularFile("journal file " + name)
        }
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(f, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(f)
                unlinkat(dir, tmp, 0)
                throw .io(name, errno: e, message: "cannot write \(name): \(String(cString: strerror(e)))")
            }
            off += n
        }
        if fsync(f) != 0 {
            let e = errno
            close(f)
            unlinkat(dir, tmp, 0)
            throw .io(name, errno: e, message: "cannot sync \(name)")
        }
        close(f)
        if renameat(dir, tmp, dir, name) != 0 { throw .io(name, errno: errno, message: "cannot rename \(name)") }
        fsync(dir)
    }

    /// The plan this transaction applied (JSON bytes).
    public func planBytes() throws(HostError) -> [UInt8] { try Self.read(fd, "plan.json", display: display("plan.json")) }

    /// Append one record and fsync it before returning.
    public func append(_ record: StepRecord) throws(HostError) {
        if stepsFD < 0 {
            // an existing log must be a regular file before it is opened; O_NONBLOCK: a FIFO
            // swapped in meanwhile fails the open (ENXIO) instead of blocking it
            var st = stat()
            if fstatat(fd, "steps.jsonl", &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) != S_IFREG {
                throw .notRegularFile("journal file " + display("steps.jsonl"))
            }
            let f = openat(fd, "steps.jsonl", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0o600)
            if f < 0 { throw .io(display("steps.jsonl"), errno: errno, message: "cannot open the step log") }
            guard fstat(f, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                close(f)
                throw .notRegularFile("journal file " + display("steps.jsonl"))
            }
            stepsFD = f
            fsync(fd)
        }
        let line = Self.encode(record) + [0x0A]
        let n = line.withUnsafeBytes { Glibc.write(stepsFD, $0.baseAddress, $0.count) }
        if n != line.count || fsync(stepsFD) != 0 {
            throw .io("steps.jsonl", errno: errno, message: "cannot write the step log: \(String(cString: strerror(errno)))")
        }
    }

    /// Every record, in order (a torn last line from a crash is ignored). No log yet means no
    /// steps; a log that cannot be read (not a regular file, unreadable, too large) is an error:
    /// treating it as empty would mark a transaction rolled back without undoing anything.
    public func steps() throws(HostError) -> [StepRecord] {
        guard let f = try Self.openRegular(fd, "steps.jsonl", display: display("steps.jsonl")) else { return [] }
        defer { close(f) }
        let bytes = try RootHost.readAll(f, path: "journal file " + display("steps.jsonl"), limit: 256 << 20)
        let decoder = JSONDecoder()
        return bytes.split(separator: 0x0A).compactMap { try? decoder.decode(StepRecord.self, from: Data($0)) }
    }

    /// Store original bytes for step `n`; returns the backup's name.
    public func saveBackup(_ n: Int, _ bytes: [UInt8]) throws(HostError) -> String {
        let name = "backups/" + String(format: "%05d", n)
        let dir = openat(fd, "backups", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if dir < 0 { throw .io(name, errno: errno, message: "cannot open backups") }
        defer { close(dir) }
        try Self.writeAtomic(dir, String(name.dropFirst("backups/".count)), bytes, mode: 0o600)
        return name
    }

    public func backup(_ name: String) throws(HostError) -> [UInt8] {
        guard name.hasPrefix("backups/"), !name.contains("..") else { throw .notFound(name) }
        let dir = openat(fd, "backups", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if dir < 0 { throw .notFound(name) }
        defer { close(dir) }
        return try Self.read(dir, String(name.dropFirst("backups/".count)), display: display(name))
    }

    /// Change the state (atomic rewrite of meta.json).
    public func setState(_ state: TransactionMeta.State, undoneBy: String? = nil) throws(HostError) {
        meta.state = state
        if let undoneBy { meta.undoneBy = undoneBy }
        try Self.writeAtomic(fd, "meta.json", Self.encode(meta))
    }
}
