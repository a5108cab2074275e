/// The persisted value one loader ends up writing for one key.
public struct SysctlResolution: Sendable, Equatable {
    /// The value written last, or nil when the loader leaves the key alone (kernel default).
    public var value: String?
    /// The line that decided `value` (or the exclusion that left the key unset).
    public var location: SysctlLocation?
    /// True when a glob assignment, not an assignment of the key itself, decided the value.
    public var fromGlob: Bool

    /// A resolution as a loader reaches it.
    public init(value: String?, location: SysctlLocation?, fromGlob: Bool = false) {
        self.value = value
        self.location = location
        self.fromGlob = fromGlob
    }

    /// Same effective value (whitespace-normalized), regardless of where it comes from.
    public func sameValue(as other: SysctlResolution) -> Bool {
        switch (value, other.value) {
        case (nil, nil): return true
        case (let a?, let b?): return SysctlValue.equal(a, b)
        default: return false
        }
    }
}

/// Replays a loader's assignments for one key.
///
/// systemd-sysctl (`parse_file`, `apply_all`) keeps an ordered map from key (or glob) to
/// option: an assignment of a key already in the map with the *same* value keeps the old
/// entry and position; a different value (or `-key` with no value) removes the old entry and
/// appends the new one. It then writes every entry in map order, skipping negative entries;
/// a glob entry writes each matching key that has **no explicit entry** in the map. So an
/// explicit assignment of a key beats every glob wherever it stands, a later `-key` erases an
/// earlier explicit value, and among globs the last in map order wins. A negative glob
/// (`-net.ipv4.conf.*.rp_filter`) excludes nothing (systemd only tests exact keys).
///
/// procps (`write_setting_list`) keeps every line in a list and writes in order; explicit
/// assignments are always written, so the last explicit one wins and `-key` never erases
/// it; a glob skips every key that has any list node with that exact path (explicit or
/// `-key`) or that matches an exclusion glob (fnmatch, procps ≥ 4.0.3).
enum SysctlResolver {
    private struct Entry {
        var key: String
        var value: String?
        var location: SysctlLocation
    }

    static func resolve(_ key: String, sources: [SysctlSource], order: SysctlOrder) -> SysctlResolution {
        var relevant: [Entry] = []
        for source in sources {
            for (i, line) in source.file.lines.enumerated() {
                let loc = SysctlLocation(path: source.path, line: i + 1)
                switch line.entry {
                case .assignment(let a) where a.key == key || a.isGlob:
                    relevant.append(Entry(key: a.key, value: a.value, location: loc))
                case .exclusion(let k) where k == key || SysctlKey.isGlob(k):
                    relevant.append(Entry(key: k, value: nil, location: loc))
                default:
                    continue
                }
            }
        }
        return order == .systemd ? systemd(key, relevant) : procps(key, relevant)
    }

    private static func systemd(_ key: String, _ entries: [Entry]) -> SysctlResolution {
        var map: [Entry] = []
        for e in entries {
            if let i = map.firstIndex(where: { $0.key == e.key }) {
                if map[i].value == e.value { continue }
                map.remove(at: i)
            }
            map.append(e)
        }
        if let explicit = map.first(where: { $0.key == key }) {
            return SysctlResolution(value: explicit.value, location: explicit.location)
        }
        let glob = map.last { $0.value != nil && SysctlKey.isGlob($0.key) && SysctlKey.glob($0.key, matches: key) }
        return SysctlResolution(value: glob?.value, location: glob?.location, fromGlob: glob != nil)
    }

    private static func procps(_ key: String, _ entries: [Entry]) -> SysctlResolution {
        if let explicit = entries.last(where: { $0.key == key && $0.value != nil }) {
            return SysctlResolution(value: explicit.value, location: explicit.location)
        }
        let excluded = entries.last {
            $0.value == nil && ($0.key == key || SysctlKey.glob($0.key, matches: key, crossSlash: true))
        }
        if let excluded {
            return SysctlResolution(value: nil, location: excluded.location)
        }
        let glob = entries.last { $0.value != nil && SysctlKey.isGlob($0.key) && SysctlKey.glob($0.key, matches: key) }
        return SysctlResolution(value: glob?.value, location: glob?.location, fromGlob: glob != nil)
    }
}
