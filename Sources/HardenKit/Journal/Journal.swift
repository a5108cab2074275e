import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The transaction journal under the target's `/var/lib/harden/journal` (0700; backups 0600).
/// Every record is written and fsynced before the step it describes runs.
public final class Journal {
    public static let stateDirectory = "/var/lib/harden"
    public let host: RootHost
    let stateFD: Int32
    let journalFD: Int32

    /// The journal of the root when it exists (nil: no transaction was ever made there).
    public static func existing(host: RootHost) throws(HostError) -> Journal? {
        guard try host.metadata(stateDirectory + "/journal", follow: false) != nil else { return nil }
        return try Journal(host: host, create: false)
    }

    /// Open the state and journal directories inside the root, creating them (0700) when asked.
    public init(host: RootHost, create: Bool = true) throws(HostError) {
        self.host = host
        stateFD = try host.openDirectory(Self.stateDirectory, create: create, mode: 0o700)
        do {
            journalFD = try host.openDirectory(Self.stateDirectory + "/journal", create: create, mode: 0o700)
        } catch {
            close(stateFD)
            throw error
        }
        fchmod(stateFD, 0o700)
        fchmod(journalFD, 0o700)
    }

    deinit {
        close(stateFD)
        close(journalFD)
    }

    /// Transactions, oldest first.
    public func list() -> [TransactionMeta] {
        // a fresh open file description: a dup would share (and exhaust) the directory offset
        guard let d = fdopendir(openat(journalFD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) else { return [] }
        defer { closedir(d) }
        var ids: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if !name.hasPrefix(".") { ids.append(name) }
        }
        return ids.sorted().compactMap { try? open($0).meta }
    }

    /// An existing transaction.
    public func open(_ id: String) throws(HostError) -> Transaction {
        guard !id.contains("/"), !id.hasPrefix(".") else { throw .notFound(id) }
        let fd = openat(journalFD, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { throw .notFound("transaction \(id)") }
        return try Transaction(fd: fd, id: id)
    }

    /// A new open transaction with its meta and plan written (and fsynced) first.
    public func begin(kind: TransactionMeta.Kind, profiles: [String], root: String, undoes: String?, plan: [UInt8], changes: Int, files: Int)
        throws(HostError) -> Transaction
    {
        let id = Self.newID()
        if mkdirat(journalFD, id, 0o700) != 0 { throw .io(id, errno: errno, message: "cannot create transaction directory") }
        let fd = openat(journalFD, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { throw .io(id, errno: errno, message: "cannot open transaction directory") }
        if mkdirat(fd, "backups", 0o700) != 0 { throw .io(id, errno: errno, message: "cannot create backups directory") }
        let meta = TransactionMeta(
            id: id, kind: kind, state: .open, created: Self.isoNow(), profiles: profiles, root: root, undoes: undoes,
            undoneBy: nil, changes: changes, files: files)
        try Transaction.writeAtomic(fd, "plan.json", plan)
        try Transaction.writeAtomic(fd, "meta.json", Transaction.encode(meta))
        RootHost.syncDirectory(journalFD)
        return try Transaction(fd: fd, id: id)
    }

    static func newID() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        func p(_ v: Int32, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        let stamp = "\(p(tm.tm_year + 1900, 4))\(p(tm.tm_mon + 1, 2))\(p(tm.tm_mday, 2))T\(p(tm.tm_hour, 2))\(p(tm.tm_min, 2))\(p(tm.tm_sec, 2))Z"
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let micro = String(ts.tv_nsec / 1000)
        let rand = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return stamp + "-" + String(repeating: "0", count: 6 - micro.count) + micro + String(repeating: "0", count: 4 - rand.count) + rand
    }

    static func isoNow() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
    }
}
