import Foundation

/// Checks that refuse an apply before anything is written. Each has a name an expert can pass
/// with `--force-risk NAME`.
public struct Preflight {
    public struct Refusal: Sendable, Equatable {
        /// `lockout`, `sshd-validate`
        public var check: String
        public var message: String
    }

    public static let checks = ["lockout", "sshd-validate"]

    public let host: RootHost
    public let plan: Plan

    public init(host: RootHost, plan: Plan) {
        self.host = host
        self.plan = plan
    }

    /// Every refusal (empty: go ahead). `notes` receives what was checked or skipped.
    public func run(notes: inout [String]) -> [Refusal] {
        var out: [Refusal] = []
        if let r = lockout() { out.append(r) }
        switch SshdValidator(host: host, rootPath: plan.root, live: plan.liveRoot).validate(plan: plan) {
        case .passed(let how): notes.append("sshd -t passed (\(how))")
        case .skipped(let why): notes.append("sshd -t skipped: \(why)")
        case .failed(let message): out.append(Refusal(check: "sshd-validate", message: "sshd -t rejects the candidate configuration: \(message)"))
        }
        return out
    }

    /// The candidate tree: the root with the plan's file edits applied (in memory).
    func candidate() -> OverlayHost {
        var edits: [String: [UInt8]?] = [:]
        for c in plan.changes where c.kind == .file { edits[c.path] = c.after }
        return OverlayHost(base: SnapshotHost(host), edits: edits)
    }

    /// The lockout guard: a change that turns off SSH root login or password authentication
    /// while, afterwards, nobody could log in over SSH (no key for a user with a login shell,
    /// no password login left).
    func lockout() -> Refusal? {
        let touchesSSH = plan.changes.contains { c in c.kind == .file && c.resources.contains { $0 == "sshd:permitrootlogin" || $0 == "sshd:passwordauthentication" } }
        guard touchesSSH else { return nil }
        let before = SshdEffectiveConfig(host: SnapshotHost(host), mainConfig: "/etc/ssh/sshd_config")
        let after = SshdEffectiveConfig(host: candidate(), mainConfig: "/etc/ssh/sshd_config")
        func word(_ c: SshdEffectiveConfig, _ k: String, _ def: String) -> String {
            (c.value(for: k)?.values.first ?? def).lowercased()
        }
        let rootBefore = word(before, "permitrootlogin", "prohibit-password")
        let rootAfter = word(after, "permitrootlogin", "prohibit-password")
        let pwBefore = word(before, "passwordauthentication", "yes")
        let pwAfter = word(after, "passwordauthentication", "yes")
        let tightens = (rootAfter == "no" && rootBefore != "no") || (pwAfter == "no" && pwBefore != "no")
        guard tightens else { return nil }
        if after.value(for: "authorizedkeyscommand") != nil { return nil }  // keys come from elsewhere
        let ways = LoginPaths(host: host)
        let rootKeys = rootAfter != "no" && ways.rootHasKeys
        let rootPassword = rootAfter == "yes" && pwAfter == "yes" && ways.rootHasPassword
        let userKeys = !ways.usersWithKeys.isEmpty
        let userPasswords = pwAfter == "yes" && !ways.usersWithPasswords.isEmpty
        if rootKeys || rootPassword || userKeys || userPasswords { return nil }
        var what: [String] = []
        if rootAfter == "no" && rootBefore != "no" { what.append("PermitRootLogin no") }
        if pwAfter == "no" && pwBefore != "no" { what.append("PasswordAuthentication no") }
        return Refusal(
            check: "lockout",
            message: "\(what.joined(separator: " and ")) would lock everyone out: no non-root user with a login shell has ~/.ssh/authorized_keys\(pwAfter == "yes" ? " or a password" : "") (add a user with a key first, or --force-risk lockout)")
    }
}

/// Who could log in over SSH, from the target's passwd, shadow and home directories.
struct LoginPaths {
    var usersWithKeys: [String] = []
    var usersWithPasswords: [String] = []
    var rootHasKeys = false
    var rootHasPassword = false

    static let noLogin: Set<String> = ["/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false", "/bin/sync", ""]

    init(host: RootHost) {
        guard let accounts = try? Accounts(host: host) else { return }
        var passwords: [String: String] = [:]
        if let shadow = try? host.readIfPresent("/etc/shadow") {
            for line in String(decoding: shadow, as: UTF8.self).split(separator: "\n") {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                if f.count > 1 { passwords[String(f[0])] = String(f[1]) }
            }
        }
        for u in accounts.users {
            let hasShell = !Self.noLogin.contains(u.shell)
            let keys = ["/.ssh/authorized_keys", "/.ssh/authorized_keys2"].contains { file in
                guard let b = try? host.readFile(u.home + file) else { return false }
                return String(decoding: b, as: UTF8.self).split(separator: "\n").contains { l in
                    let t = l.trimmingCharacters(in: .whitespaces)
                    return !t.isEmpty && !t.hasPrefix("#")
                }
            }
            let pw = passwords[u.name].map { !$0.isEmpty && !$0.hasPrefix("!") && !$0.hasPrefix("*") } ?? false
            if u.uid == 0 {
                rootHasKeys = rootHasKeys || keys
                rootHasPassword = rootHasPassword || pw
            } else if hasShell {
                if keys { usersWithKeys.append(u.name) }
                if pw { usersWithPasswords.append(u.name) }
            }
        }
    }
}

/// The root seen through a set of pending edits (path → new bytes, nil = removed). New files
/// have the metadata apply gives them (root:root 0644, 0640 under /etc/audit).
final class OverlayHost: MetadataReader, @unchecked Sendable {
    let base: HostReader
    let edits: [String: [UInt8]?]

    init(base: HostReader, edits: [String: [UInt8]?]) {
        self.base = base
        self.edits = edits
    }

    func readFile(_ path: String) throws(HostError) -> [UInt8] {
        if let e = edits[path] {
            guard let bytes = e else { throw .notFound(path) }
            return bytes
        }
        return try base.readFile(path)
    }

    func listDirectory(_ path: String) throws(HostError) -> [String] {
        var names = Set((try? base.listDirectory(path)) ?? [])
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for (p, e) in edits where p.hasPrefix(prefix) && !p.dropFirst(prefix.count).contains("/") {
            let name = String(p.dropFirst(prefix.count))
            if e == nil { names.remove(name) } else { names.insert(name) }
        }
        if names.isEmpty, (try? base.fileType(path)) == nil { throw .notFound(path) }
        return Array(names)
    }

    func fileType(_ path: String) throws(HostError) -> HostFileType? {
        if let e = edits[path] { return e == nil ? nil : .regular }
        return try base.fileType(path)
    }

    func metadata(_ path: String, follow: Bool) throws(HostError) -> FileStat? {
        let current = try (base as? MetadataReader)?.metadata(path, follow: follow)
        guard let e = edits[path] else { return current }
        guard let bytes = e else { return nil }
        if var c = current {
            c.size = bytes.count
            return c
        }
        return FileStat(
            type: .regular, mode: Applier.newFileMode(path), uid: 0, gid: 0, size: bytes.count, inode: 0, device: 0,
            mtimeNanos: 0)
    }

    /// The base's walk with the pending edits laid over it, as the one-path-at-a-time walk over
    /// this overlay's `metadata` and `listDirectory` would see it: removed files left out,
    /// edited ones with their new size, new files (in a directory the walk lists) in their
    /// place among their siblings.
    func walk(
        _ start: String, prune: (String) -> Bool, limit: Int, listed: (String, [String]) -> Void
    ) throws(HostError) -> [WalkEntry] {
        if edits[start] != nil || !(base is MetadataReader) {
            // the start itself is edited (or no fast walk below): the general way
            return try walkByPath(start, prune: prune, limit: limit, listed: listed)
        }
        let prefix = start == "/" ? "/" : start + "/"
        let below = edits.keys.filter { $0.hasPrefix(prefix) }
        var entries = try (base as! MetadataReader).walk(start, prune: prune, limit: limit) { dir, names in
            var all = Set(names)
            let dirPrefix = dir == "/" ? "/" : dir + "/"
            for p in below where p.hasPrefix(dirPrefix) && !p.dropFirst(dirPrefix.count).contains("/") {
                let name = String(p.dropFirst(dirPrefix.count))
                if edits[p]! == nil { all.remove(name) } else { all.insert(name) }
            }
            listed(dir, all.sorted())
        }
        if below.isEmpty { return entries }
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() { index[e.path] = i }
        var removed = Set<String>()
        var added: [String] = []
        for p in below {
            if let i = index[p] {
                if let st = try metadata(p, follow: false) { entries[i].stat = st } else { removed.insert(p) }
            } else if edits[p]! != nil {
                added.append(p)
            }
        }
        if !removed.isEmpty { entries.removeAll { removed.contains($0.path) } }
        for p in added.sorted() {
            let slash = p.lastIndex(of: "/")!
            let dir = slash == p.startIndex ? "/" : String(p[..<slash])
            let name = String(p[p.index(after: slash)...])
            // only into a directory the walk lists (the overlay's listDirectory adds names to
            // existing directories only), and not where an exclude prunes it
            guard let d = entries.firstIndex(where: { $0.path == dir }), entries[d].stat.type == .directory,
                !prune(p), let st = try metadata(p, follow: false)
            else { continue }
            // after the directory, its entries sorting before `name` and their subtrees
            let childPrefix = dir == "/" ? "/" : dir + "/"
            var at = d + 1
            while at < entries.count, entries[at].path.hasPrefix(childPrefix) {
                let rest = entries[at].path.dropFirst(childPrefix.count)
                let sibling = rest.firstIndex(of: "/").map { String(rest[..<$0]) } ?? String(rest)
                if sibling > name { break }
                at += 1
            }
            entries.insert(WalkEntry(path: p, stat: st), at: at)
        }
        if entries.count > limit { throw Self.tooManyEntries(start, limit) }
        return entries
    }
}
