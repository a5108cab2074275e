/// pam-auth-update's `diff_profiles`: reconciles the live `/etc/pam.d/common-*` with the
/// state it saved in `/var/lib/pam/<type>`, yielding the enabled profiles (in the order their
/// lines appear) and the arguments the admin added to or removed from each managed line.
///
/// It fails (nil) when a managed block holds a line that matches no saved line in order, or a
/// file lacks the markers: pam-auth-update then refuses to update ("Local modifications to
/// /etc/pam.d/common-*, not updating").
struct PamAuthUpdateDiff {
    /// Local argument changes of one type, keyed by `control<ws>module` with jump numbers
    /// stripped. A reference type: `merge_one_line` consumes `add` as it goes, like the Perl
    /// hash it mirrors.
    final class TypeDiff {
        var add: [String: Set<String>] = [:]
        var remove: [String: Set<String>] = [:]
    }

    /// Profile names of the matched lines, in order (may repeat; `null` for the placeholder).
    var mods: [String] = []
    /// Per type.
    var types: [String: TypeDiff] = [:]
    /// Per type: the profile owning each line of the Primary block, in file order.
    var primaryOwners: [String: [String]] = [:]
    /// Per type: the profile owning each line of the Additional block, in file order.
    var additionalOwners: [String: [String]] = [:]

    static let primaryMarker = "# here are the per-package modules (the \"Primary\" block)"
    static let fallbackMarker = "# here's the fallback if no module succeeds"
    static let additionalMarker = "# and here are more per-package modules (the \"Additional\" block)"
    static let endMarker = "# end of pam-auth-update config"

    static func starts(_ line: [UInt8], _ marker: String) -> Bool { line.starts(with: Array(marker.utf8)) }

    /// `^((\[[^]]+\]|\w+)\s+\S+)\s*(.*)` on a profile line: (`control<ws>module`, rest).
    static func splitModLine(_ line: String) -> (mod: String, rest: String)? {
        let b = Array(line.utf8)
        var i = 0
        if b.first == UInt8(ascii: "[") {
            guard let close = b.firstIndex(of: UInt8(ascii: "]")), close > 1, !b[1..<close].contains(0x0A) else {
                return nil
            }
            i = close + 1
        } else {
            let word: (UInt8) -> Bool = { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F }
            while i < b.count && word(b[i]) { i += 1 }
            guard i > 0 else { return nil }
        }
        let wsStart = i
        while i < b.count && PamPerl.isSpace(b[i]) { i += 1 }
        guard i > wsStart else { return nil }
        let modStart = i
        while i < b.count && !PamPerl.isSpace(b[i]) { i += 1 }
        guard i > modStart else { return nil }
        let mod = PamPerl.string(Array(b[..<i]))
        while i < b.count && PamPerl.isSpace(b[i]) { i += 1 }
        let rest = PamPerl.string(Array(b[i...].prefix { $0 != 0x0A }))
        return (mod, rest)
    }

    /// Runs the reconciliation; nil when pam-auth-update would find local modifications.
    static func compute(_ tree: PamAuthUpdateTree) -> PamAuthUpdateDiff? {
        var diff = PamAuthUpdateDiff()
        for type in PamAuthUpdateTree.types {
            guard let savedBytes = tree.saved[type], let current = tree.conf[type] else { return nil }
            let typeDiff = TypeDiff()
            diff.types[type] = typeDiff
            var saved: [(String, String)] = []
            var modname = ""
            for raw in PamPerl.lines(savedBytes) {
                if starts(raw, "Module: ") {
                    modname = PamPerl.string(Array(PamPerl.chomp(raw).dropFirst(8).prefix { $0 != 0x0A }))
                    continue
                }
                let line = PamPerl.stripEnd(PamPerl.stripJumpNumber(PamPerl.string(PamPerl.chomp(raw))))
                saved.append((modname, line))
            }
            let realType = type.replacingOccurrences(of: "-noninteractive", with: "")
            var state = 0
            var owners: [[String]] = [[], []]
            for raw in PamPerl.lines(current) {
                var line = raw
                if state == 0 {
                    if starts(line, primaryMarker) { state = 1 }
                    continue
                }
                if state == 1 {
                    line = stripType(line, realType)
                    if starts(line, fallbackMarker) {
                        state = 2
                        continue
                    }
                }
                if state == 2 {
                    if starts(line, additionalMarker) { state = 3 }
                    continue
                }
                if state == 3 {
                    if starts(line, endMarker) { break }
                    line = stripType(line, realType)
                }
                var text = PamPerl.string(line)
                var found: (mod: String, opts: String, prev: [String], owner: String)? = nil
                while found == nil && !saved.isEmpty {
                    let (owner, savedLine) = saved.removeFirst()
                    guard let split = splitModLine(savedLine) else { continue }
                    text = PamPerl.stripJumpNumber(text)
                    // `/^\Q$curmod\E\s*(.*)$/`: a plain prefix test; the options are what follows
                    let bytes = Array(text.utf8)
                    if bytes.starts(with: Array(split.mod.utf8)) {
                        let after = bytes.dropFirst(split.mod.utf8.count)
                        let opts = Array(after.drop { PamPerl.isSpace($0) }.prefix { $0 != 0x0A })
                        found = (split.mod, PamPerl.string(opts), PamPerl.splitSpace(split.rest), owner)
                    }
                }
                guard let match = found else { return nil }
                diff.mods.append(match.owner)
                owners[state == 1 ? 0 : 1].append(match.owner)
                var prev = match.prev
                for opt in PamPerl.splitSpace(match.opts) {
                    var hit = false
                    var i = 0
                    while i < prev.count {
                        if prev[i] == opt {
                            hit = true
                            prev.remove(at: i)
                        }
                        i += 1  // Perl's loop does not step back after splice
                    }
                    if !hit { typeDiff.add[match.mod, default: []].insert(opt) }
                }
                for opt in prev { typeDiff.remove[match.mod, default: []].insert(opt) }
            }
            if state < 3 { return nil }
            diff.primaryOwners[type] = owners[0]
            diff.additionalOwners[type] = owners[1]
        }
        return diff
    }

    /// `s/^$type\s+//`.
    static func stripType(_ line: [UInt8], _ type: String) -> [UInt8] {
        let t = Array(type.utf8)
        guard line.starts(with: t), line.count > t.count, PamPerl.isSpace(line[t.count]) else { return line }
        return Array(line[t.count...].drop { PamPerl.isSpace($0) })
    }
}
