/// The edits being assembled by `SysctlPlanner`: harden's own files and in-place fixes of
/// later /etc files, merged per path.
struct SysctlFix {
    private let precedence: SysctlPrecedence
    private let wanted: [SysctlDesired]
    /// Keys routed to each of harden's files.
    private var routed: [String: Set<String>] = [:]
    /// In-place edited files by the path the edit is written to.
    private var edited: [String: SysctlFile] = [:]
    private var original: [String: [UInt8]] = [:]
    private var editKeys: [String: [String]] = [:]
    private var touchedLines: Set<String> = []
    /// Keys that cannot be fixed, with the reason.
    private(set) var failures: [String: String] = [:]

    private static let dropInName = "60-harden.conf"
    private static let overrideName = "99-zz-harden-override.conf"

    init(precedence: SysctlPrecedence, wanted: [SysctlDesired]) {
        self.precedence = precedence
        self.wanted = wanted
    }

    /// Plans the fix of one non-compliant key (or records why it cannot be fixed).
    mutating func add(_ d: SysctlDesired) {
        // Package-owned or runtime files after 60-harden.conf that would replace the value.
        var vendor: [SysctlSource] = []
        for order in SysctlOrder.allCases {
            for src in precedence.sources(order)
            where !src.isUnderEtc && sysctlNameOrder(Self.dropInName, src.name)
                && overrides(src, d, order) && !vendor.contains(where: { $0.path == src.path })
            {
                vendor.append(src)
            }
        }
        let late = vendor.filter { !sysctlNameOrder($0.name, Self.overrideName) }
        if !late.isEmpty {
            let paths = late.map(\.path).joined(separator: ", ")
            failures[d.key] =
                "\(paths) sorts after \(SysctlPlanner.overridePath) and sets \(d.key); "
                + "mask it with a same-named file in /etc/sysctl.d"
            return
        }
        let anchor = vendor.isEmpty ? SysctlPlanner.dropInPath : SysctlPlanner.overridePath
        let anchorName = vendor.isEmpty ? Self.dropInName : Self.overrideName
        let owned = [SysctlPlanner.dropInPath, SysctlPlanner.overridePath]
        for path in owned {
            if let src = ownedSource(path), src.bytes == nil {
                failures[d.key] = "\(path) exists but is not a regular file (masked?)"
                return
            }
        }
        var lineEdits: [(source: SysctlSource, line: Int, assignment: Bool)] = []
        for order in SysctlOrder.allCases {
            for src in precedence.sources(order) {
                let isMain = src.path == SysctlPrecedence.mainFile
                guard src.isUnderEtc, !owned.contains(src.path),
                    isMain || sysctlNameOrder(anchorName, src.name)
                else { continue }
                for (i, line) in src.file.lines.enumerated() {
                    switch line.entry {
                    case .assignment(let a) where a.key == d.key && !SysctlValue.equal(a.value, d.value):
                        lineEdits.append((src, i, true))
                    case .exclusion(let k) where k == d.key:
                        lineEdits.append((src, i, false))
                    default:
                        continue
                    }
                }
            }
        }
        routed[anchor, default: []].insert(d.key)
        // A stale copy of the key in the other owned file that is read later is refreshed too.
        if anchor == SysctlPlanner.dropInPath, let o = ownedSource(SysctlPlanner.overridePath),
            o.file.assignments.contains(where: { $0.assignment.key == d.key })
        {
            routed[SysctlPlanner.overridePath, default: []].insert(d.key)
        }
        for (src, i, isAssignment) in lineEdits {
            let path = src.editPath
            guard touchedLines.insert("\(path)#\(i)").inserted else { continue }
            if edited[path] == nil {
                edited[path] = src.file
                original[path] = src.bytes ?? []
            }
            if isAssignment {
                edited[path]!.setValue(d.value, atLine: i)
            } else {
                edited[path]!.commentOut(line: i)
            }
            if !(editKeys[path] ?? []).contains(d.resourceKey) { editKeys[path, default: []].append(d.resourceKey) }
        }
    }

    /// New bytes of every file this fix writes (for replaying the loaders over them).
    var newBytes: [String: [UInt8]] {
        var out = edited.mapValues { $0.render() }
        for path in routed.keys { out[path] = renderOwned(path) }
        return out
    }

    /// The file edits, harden's files first, then in-place edits by path; unchanged files omitted.
    func edits() -> [FileEdit] {
        var result: [FileEdit] = []
        for path in [SysctlPlanner.dropInPath, SysctlPlanner.overridePath] {
            guard let keys = routed[path] else { continue }
            let before = ownedSource(path)?.bytes
            let after = renderOwned(path)
            guard before != after else { continue }
            let served = wanted.filter { keys.contains($0.key) }.map(\.resourceKey)
            result.append(FileEdit(path: path, before: before, after: after, keys: served))
        }
        for path in edited.keys.sorted() {
            let after = edited[path]!.render()
            guard after != original[path] else { continue }
            result.append(FileEdit(path: path, before: original[path], after: after, keys: editKeys[path] ?? []))
        }
        return result
    }

    private func ownedSource(_ path: String) -> SysctlSource? {
        precedence.systemdSources.first { $0.path == path }
    }

    /// Whether `src` would replace an earlier explicit `d.key = d.value` under `order`.
    private func overrides(_ src: SysctlSource, _ d: SysctlDesired, _ order: SysctlOrder) -> Bool {
        src.file.lines.contains { line in
            switch line.entry {
            case .assignment(let a): return a.key == d.key && !SysctlValue.equal(a.value, d.value)
            case .exclusion(let k): return order == .systemd && k == d.key
            default: return false
            }
        }
    }

    /// Header, then one line per desired key that is routed here or already present here
    /// (present but not routed keeps its current value), in the order the keys were given.
    private func renderOwned(_ path: String) -> [UInt8] {
        let keys = routed[path] ?? []
        let existing = ownedSource(path)?.file
        var present: [String: String] = [:]
        for (_, a) in existing?.assignments ?? [] where !a.isGlob { present[a.key] = a.value }
        var text = SysctlPlanner.header + "\n"
        if path == SysctlPlanner.overridePath { text += SysctlPlanner.overrideNote + "\n" }
        for d in wanted {
            if keys.contains(d.key) {
                text += "\(d.key) = \(d.value)\n"
            } else if let value = present[d.key] {
                text += "\(d.key) = \(value)\n"
            }
        }
        return Array(text.utf8)
    }
}
