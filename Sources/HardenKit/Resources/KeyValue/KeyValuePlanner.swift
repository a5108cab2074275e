/// Plans the smallest edit of simple key/value files (login.defs, pwquality.conf,
/// faillock.conf, auditd.conf, /etc/default/useradd, …).
///
/// Per desired setting, against the file as it is:
/// - compliant when the occurrence the reader uses (`KeyValueSyntax.winner`) has the desired
///   value **and** no other active occurrence contradicts it (libpam reads login.defs
///   first-wins while shadow reads it last-wins, so a contradicting duplicate is a finding);
/// - otherwise the winning line's value is changed in place (key spelling, separator and any
///   trailing comment kept), other contradicting active lines are commented out with the
///   `# harden: ` prefix, and when the key has no active line a new one is inserted right after
///   its commented default (`# minlen = 8`, `# INACTIVE=-1`) or, failing that, appended at
///   the end (after terminating an unterminated last line);
/// - a flag (`even_deny_root`) wanted true is compliant when any active line has the key (the
///   readers set flags on presence, whatever follows the key); wanted false, every active line
///   with the key is commented out.
///
/// A missing file is an error unless the setting says `create`; then the file is created
/// with the settings that ask for it. Files are rewritten only when their bytes change; all
/// settings of one file share one `FileEdit`.
public enum KeyValuePlanner {
    /// Probes and plans; never throws (read problems become error observations).
    public static func plan(desired: [KeyValueDesired], host: HostReader) -> KindPlan {
        var paths: [String] = []
        var byPath: [String: [Int]] = [:]
        for (i, d) in desired.enumerated() {
            if byPath[d.path] == nil { paths.append(d.path) }
            byPath[d.path, default: []].append(i)
        }
        var observations = [Observation?](repeating: nil, count: desired.count)
        var edits: [FileEdit] = []
        var readPaths: [String] = []
        for path in paths {
            let indices = byPath[path] ?? []
            let syntax = desired[indices[0]].syntax
            let bytes: [UInt8]?
            do {
                bytes = try host.readIfPresent(path)
                readPaths.append(path)
            } catch {
                for i in indices { observations[i] = failed(desired[i], error.description) }
                continue
            }
            let original = bytes.map { KeyValueFile(bytes: $0, syntax: syntax) }
            var working = original ?? KeyValueFile(bytes: [], syntax: syntax)
            var served: [String] = []
            for i in indices {
                let d = desired[i]
                if let other = indices.first(where: { j in
                    j != i && syntax.keysMatch(desired[j].key, d.key) && !sameValue(desired[j].value, d.value, syntax)
                }) {
                    observations[i] = failed(d, "also desired as \(desired[other].value) in the same file")
                    continue
                }
                if indices.contains(where: { j in j < i && syntax.keysMatch(desired[j].key, d.key) }) {
                    // A repeated identical setting: same finding, planned once.
                    let first = indices.first { syntax.keysMatch(desired[$0].key, d.key) }!
                    observations[i] = observations[first].map { o in
                        var copy = o
                        copy.key = d.resourceKey
                        return copy
                    }
                    continue
                }
                guard let original else {
                    if d.value == .flag(false) {
                        observations[i] = Observation(
                            key: d.resourceKey, desired: d.value.description, current: nil, status: .compliant)
                    } else if d.create {
                        observations[i] = Observation(
                            key: d.resourceKey, desired: d.value.description, current: nil, status: .pending,
                            warnings: ["\(path) does not exist and will be created"])
                        apply(d, to: &working)
                        served.append(d.resourceKey)
                    } else {
                        observations[i] = failed(d, "\(path): file missing")
                    }
                    continue
                }
                let obs = observe(d, in: original)
                observations[i] = obs
                if obs.status == .pending {
                    apply(d, to: &working)
                    served.append(d.resourceKey)
                }
            }
            let after = working.render()
            if !served.isEmpty, bytes == nil || after != bytes {
                edits.append(FileEdit(path: path, before: bytes, after: after, keys: served))
            }
        }
        return KindPlan(observations: observations.compactMap { $0 }, edits: edits, readPaths: readPaths)
    }

    /// The observation of one setting in `file` (status `.compliant` or `.pending`).
    static func observe(_ d: KeyValueDesired, in file: KeyValueFile) -> Observation {
        let entries = file.entries(for: d.key)
        let location: (Int) -> String = { "\(d.path):\($0 + 1)" }
        switch d.value {
        case .flag(let on):
            let present = !entries.isEmpty
            return Observation(
                key: d.resourceKey, desired: d.value.description, current: present ? "present" : nil,
                source: entries.first.map { location($0.index) }, status: present == on ? .compliant : .pending)
        case .string(let want):
            let winner = self.winner(entries, file)
            let current = winner.flatMap { file.effectiveValue($0.entry) }
            let contradicting = entries.filter { e in
                e.index != winner?.index && !agrees(e.entry, want, file)
            }
            var warnings: [String] = []
            if !contradicting.isEmpty {
                let lines = contradicting.map { location($0.index) }.joined(separator: ", ")
                warnings.append("other active lines set \(d.key): " + lines)
            }
            let ok = current.map { file.syntax.valuesEqual($0, want) } ?? false
            return Observation(
                key: d.resourceKey, desired: want, current: current, source: winner.map { location($0.index) },
                status: ok && contradicting.isEmpty ? .compliant : .pending, warnings: warnings)
        }
    }

    /// Applies the fix of one setting to `file`.
    static func apply(_ d: KeyValueDesired, to file: inout KeyValueFile) {
        let entries = file.entries(for: d.key)
        switch d.value {
        case .flag(true):
            if entries.isEmpty { insertNew(d.key, key: d.key, into: &file) }
        case .flag(false):
            for e in entries { file.commentOut(line: e.index) }
        case .string(let want):
            let winner = self.winner(entries, file)
            for e in entries where e.index != winner?.index && !agrees(e.entry, want, file) {
                file.commentOut(line: e.index)
            }
            if let winner {
                if !agrees(winner.entry, want, file) { file.setValue(want, atLine: winner.index) }
            } else {
                insertNew(d.key + file.separator(for: d.key) + want, key: d.key, into: &file)
            }
        }
    }

    /// The occurrence the reader uses among entries that carry a value.
    private static func winner(
        _ entries: [(index: Int, entry: KeyValueEntry)], _ file: KeyValueFile
    ) -> (index: Int, entry: KeyValueEntry)? {
        let valued = entries.filter { $0.entry.value != nil }
        return file.syntax.winner == .lastWins ? valued.last : valued.first
    }

    /// Whether the entry's effective value is `want` (a bare key never is).
    private static func agrees(_ e: KeyValueEntry, _ want: String, _ file: KeyValueFile) -> Bool {
        file.effectiveValue(e).map { file.syntax.valuesEqual($0, want) } ?? false
    }

    private static func insertNew(_ text: String, key: String, into file: inout KeyValueFile) {
        if let c = file.commentedDefault(for: key) {
            file.insert(text, after: c)
        } else {
            file.append(text)
        }
    }

    private static func sameValue(_ a: KeyValueDesired.Value, _ b: KeyValueDesired.Value, _ s: KeyValueSyntax) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return s.valuesEqual(x, y)
        case (.flag(let x), .flag(let y)): return x == y
        default: return false
        }
    }

    private static func failed(_ d: KeyValueDesired, _ reason: String) -> Observation {
        Observation(key: d.resourceKey, desired: d.value.description, current: nil, status: .error(reason))
    }
}
