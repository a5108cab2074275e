/// What `pam-auth-update --package` (Debian libpam-runtime 1.5.x, non-interactive) reads and
/// writes, as bytes: the profiles, the five `common-*` files, its saved state and the stock
/// templates.
public struct PamAuthUpdateTree: Sendable, Equatable {
    /// The pam-auth-update types, in the order it writes them.
    public static let types = ["auth", "account", "password", "session", "session-noninteractive"]

    /// `/usr/share/pam-configs/<name>` → bytes.
    public var profiles: [String: [UInt8]]
    /// `/etc/pam.d/common-<type>` → bytes (absent types missing).
    public var conf: [String: [UInt8]]
    /// `/var/lib/pam/<type>` → bytes.
    public var saved: [String: [UInt8]]
    /// `/var/lib/pam/seen`.
    public var seen: [UInt8]?
    /// `/usr/share/pam/common-<type>` (the stock templates).
    public var stock: [String: [UInt8]]

    /// A tree from its parts.
    public init(
        profiles: [String: [UInt8]], conf: [String: [UInt8]], saved: [String: [UInt8]], seen: [UInt8]?,
        stock: [String: [UInt8]]
    ) {
        self.profiles = profiles
        self.conf = conf
        self.saved = saved
        self.seen = seen
        self.stock = stock
    }

    /// Every path of the tree with its bytes (nil: absent), for reading and for edits.
    public var files: [String: [UInt8]?] {
        var out: [String: [UInt8]?] = [:]
        for t in Self.types {
            out["/etc/pam.d/common-\(t)"] = .some(conf[t])
            out["/var/lib/pam/\(t)"] = .some(saved[t])
        }
        out["/var/lib/pam/seen"] = .some(seen)
        for (name, bytes) in profiles { out["/usr/share/pam-configs/\(name)"] = .some(bytes) }
        return out
    }

    /// Reads the tree from the target; the paths read are appended to `readPaths`.
    static func read(_ host: HostReader, readPaths: inout [String]) throws(HostError) -> PamAuthUpdateTree {
        var profiles: [String: [UInt8]] = [:]
        let dir = "/usr/share/pam-configs"
        if try host.fileType(dir) == .directory {
            for name in try host.listDirectory(dir) where PamAuthUpdate.readsProfile(name) {
                let path = dir + "/" + name
                guard try host.fileType(path) == .regular else { continue }
                profiles[name] = try host.readFile(path)
                readPaths.append(path)
            }
        }
        var conf: [String: [UInt8]] = [:]
        var saved: [String: [UInt8]] = [:]
        var stock: [String: [UInt8]] = [:]
        for t in types {
            for (path, into) in [("/etc/pam.d/common-\(t)", 0), ("/var/lib/pam/\(t)", 1), ("/usr/share/pam/common-\(t)", 2)] {
                guard let b = try host.readIfPresent(path) else { continue }
                readPaths.append(path)
                switch into {
                case 0: conf[t] = b
                case 1: saved[t] = b
                default: stock[t] = b
                }
            }
        }
        let seen = try host.readIfPresent("/var/lib/pam/seen")
        if seen != nil { readPaths.append("/var/lib/pam/seen") }
        return PamAuthUpdateTree(profiles: profiles, conf: conf, saved: saved, seen: seen, stock: stock)
    }
}

/// A port of `/usr/sbin/pam-auth-update` (libpam-runtime 1.5.2, Debian 12) run as
/// `pam-auth-update --package` with the non-interactive debconf frontend: the same profile
/// order, `-Initial` variants, `end` jumps, placeholder line, local argument merging, stock
/// template detection by MD5 and `/var/lib/pam` state, byte for byte. The debconf database is
/// not modelled: it only matters when the live files cannot be reconciled, and then
/// pam-auth-update refuses to update anyway.
enum PamAuthUpdate {
    /// What a run does.
    enum Outcome: Equatable {
        /// "Local modifications to /etc/pam.d/common-*, not updating" (or another stop).
        case refused(String)
        /// The tree after the run and the enabled profiles, in order.
        case updated(PamAuthUpdateTree, enabled: [String])
    }

    /// The md5sums of the stock boilerplate pam-auth-update recognises.
    static let md5sums: [String: [String]] = [
        "auth": ["8d4fe17e66ba25de16a117035d1396aa"],
        "account": ["3c0c362eaf3421848b679d63fd48c3fa"],
        "password": [
            "4d5c92d595a46b69cd61f18feb4c0574", "50fce2113dfda83ac8bdd5a6e706caec",
            "4bd7610f2e85f8ddaef79c7db7cb49eb", "9ba753d0824276b44bcadfee1f87b6bc",
        ],
        "session": [
            "f297c731a467822cbd86e1283263e8a3", "240fb92986c885b327cdb21dd641da8c",
            "4a25673e8b36f1805219027d3be02cd2",
        ],
        "session-noninteractive": ["ad2b78ce1498dd637ef36469430b6ac6"],
    ]

    /// Profile file names pam-auth-update reads (it skips `*~` and `#*#`).
    static func readsProfile(_ name: String) -> Bool {
        !(name == "." || name == ".." || name.hasSuffix("~") || (name.count > 2 && name.hasPrefix("#") && name.hasSuffix("#")))
    }

    /// Parsed, enabled-capable profiles (those naming `pam_tally` are dropped).
    static func profiles(_ tree: PamAuthUpdateTree) -> [String: PamConfigProfile] {
        var out: [String: PamConfigProfile] = [:]
        for (name, bytes) in tree.profiles {
            let p = PamConfigProfile(name: name, bytes: bytes)
            if !p.disabled { out[name] = p }
        }
        return out
    }

    /// Priority descending, then name descending (Perl `cmp`, i.e. bytes).
    static func sorted(_ names: [String], _ profiles: [String: PamConfigProfile]) -> [String] {
        names.sorted { a, b in
            let pa = profiles[a]?.priority ?? 0
            let pb = profiles[b]?.priority ?? 0
            if pa != pb { return pa > pb }
            return Array(b.utf8).lexicographicallyPrecedes(Array(a.utf8))
        }
    }

    /// `pam-auth-update --package [--enable ...] [--disable ...]`.
    static func run(_ tree: PamAuthUpdateTree, enable: Set<String> = [], disable: Set<String> = []) -> Outcome {
        let profiles = profiles(tree)
        let sortedAll = sorted(Array(profiles.keys), profiles)
        guard let diff = PamAuthUpdateDiff.compute(tree) else {
            return .refused("Local modifications to /etc/pam.d/common-*, not updating")
        }
        var seen = Set(tree.seen.map { PamPerl.lines($0).map { PamPerl.string(PamPerl.chomp($0)) } } ?? [])
        var enabled = diff.mods.filter { profiles[$0] != nil }
        enabled += sortedAll.filter { enable.contains($0) }
        enabled = enabled.filter { !disable.contains($0) }
        seen.formUnion(disable)
        if enabled.isEmpty { seen = [] }
        enabled += sortedAll.filter { profiles[$0]!.isDefault && !seen.contains($0) }
        enabled = sorted(enabled, profiles)
        var deduped: [String] = []
        for e in enabled where deduped.last != e { deduped.append(e) }
        enabled = deduped
        // conflicts: each enabled profile drops the ones it conflicts with
        var idx = 0
        while idx < enabled.count {
            let elem = enabled[idx]
            for i in stride(from: enabled.count - 1, through: 0, by: -1) where i < enabled.count {
                if profiles[elem]!.conflicts.contains(enabled[i]) { enabled.remove(at: i) }
            }
            idx += 1
        }
        if enabled.isEmpty { return .refused("no profiles enabled (pam-auth-update would keep asking)") }

        var out = tree
        out.seen = Array(sortedAll.map { $0 + "\n" }.joined().utf8)
        for type in PamAuthUpdateTree.types {
            guard var template = tree.conf[type] else { return .refused("/etc/pam.d/common-\(type) is missing") }
            if md5sums[type, default: []].contains(PamMD5.hex(PamAuthUpdateTemplate.boilerplate(template))) {
                guard let stock = tree.stock[type] else { return .refused("/usr/share/pam/common-\(type) is missing") }
                template = stock
            }
            let typeDiff = diff.types[type] ?? PamAuthUpdateDiff.TypeDiff()
            guard
                let written = PamAuthUpdateTemplate.create(
                    template: template, profiles: profiles, enabled: enabled, diff: typeDiff, type: type)
            else {
                return .refused("/etc/pam.d/common-\(type) lacks the pam-auth-update markers")
            }
            out.conf[type] = written
            out.saved[type] = PamAuthUpdateTemplate.savedState(profiles: profiles, enabled: enabled, type: type)
        }
        return .updated(out, enabled: enabled)
    }
}
