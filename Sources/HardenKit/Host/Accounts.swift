/// Users and groups of the target, read from its own `/etc/passwd` and `/etc/group` (never the
/// machine running harden: a chroot or image has its own ids).
public struct Accounts: Sendable {
    public struct User: Sendable, Equatable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        public var home: String
        public var shell: String
    }

    public private(set) var users: [User] = []
    private var uidByName: [String: UInt32] = [:]
    private var nameByUID: [UInt32: String] = [:]
    private var gidByName: [String: UInt32] = [:]
    private var nameByGID: [UInt32: String] = [:]

    /// Read both files; a missing file means no names (numeric ids still work).
    public init(host: HostReader) throws(HostError) {
        if let passwd = try host.readIfPresent("/etc/passwd") {
            for line in Self.lines(passwd) {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                guard f.count >= 7, let uid = UInt32(f[2]), let gid = UInt32(f[3]) else { continue }
                let name = String(f[0])
                users.append(User(name: name, uid: uid, gid: gid, home: String(f[5]), shell: String(f[6])))
                if uidByName[name] == nil { uidByName[name] = uid }
                if nameByUID[uid] == nil { nameByUID[uid] = name }
            }
        }
        if let group = try host.readIfPresent("/etc/group") {
            for line in Self.lines(group) {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                guard f.count >= 3, let gid = UInt32(f[2]) else { continue }
                let name = String(f[0])
                if gidByName[name] == nil { gidByName[name] = gid }
                if nameByGID[gid] == nil { nameByGID[gid] = name }
            }
        }
    }

    private static func lines(_ bytes: [UInt8]) -> [Substring] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .filter { !$0.hasPrefix("#") && !$0.hasPrefix("+") && !$0.hasPrefix("-") }
    }

    /// uid of a user name or numeric string.
    public func uid(_ nameOrID: String) -> UInt32? { uidByName[nameOrID] ?? UInt32(nameOrID) }
    /// gid of a group name or numeric string.
    public func gid(_ nameOrID: String) -> UInt32? { gidByName[nameOrID] ?? UInt32(nameOrID) }
    /// The user name for a uid, or the number as text.
    public func userName(_ uid: UInt32) -> String { nameByUID[uid] ?? String(uid) }
    /// The group name for a gid, or the number as text.
    public func groupName(_ gid: UInt32) -> String { nameByGID[gid] ?? String(gid) }
}
