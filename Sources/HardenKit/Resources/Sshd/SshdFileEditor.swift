/// Collects line-level changes to one sshd_config file and renders the result, touching no
/// byte of a line it was not asked to change.
///
/// Changes refer to the original line indices: replace a line, comment it out, insert new lines
/// before an index (`lines.count` appends). A last line without final newline gets one (in the
/// file's line-ending style) only when lines are added after it.
struct SshdFileEditor {
    let path: String
    /// The file as read, or an empty file for one to be created.
    let original: SshdConfigFile
    /// Original bytes, nil when the file does not exist yet.
    let originalBytes: [UInt8]?
    private(set) var replacements: [Int: SshdLine] = [:]
    private(set) var insertions: [Int: [SshdLine]] = [:]
    /// Resource keys served, in first-touch order.
    private(set) var keys: [String] = []

    init(path: String, original: SshdConfigFile, originalBytes: [UInt8]) {
        self.path = path
        self.original = original
        self.originalBytes = originalBytes
    }

    /// An editor for a file that does not exist yet.
    init(newFile path: String) {
        self.path = path
        self.original = SshdConfigFile(lines: [])
        self.originalBytes = nil
    }

    var isNewFile: Bool { originalBytes == nil }

    private mutating func note(_ key: String) {
        if !keys.contains(key) { keys.append(key) }
    }

    /// Replace the arguments of the directive at `index`, keeping the rest of the line.
    mutating func replaceArguments(at index: Int, with text: String, key: String) {
        let line = replacements[index] ?? original.lines[index]
        guard let updated = line.replacingArguments(with: text), updated != line else { return }
        replacements[index] = updated
        note(key)
    }

    /// Prefix the line at `index` with `marker` (after its indentation).
    mutating func commentOut(at index: Int, marker: String, key: String) {
        guard replacements[index] == nil else { return }
        replacements[index] = original.lines[index].commentedOut(marker: marker)
        note(key)
    }

    /// Insert new lines (text without line ending) before original line `index`.
    mutating func insert(_ texts: [String], before index: Int, key: String) {
        guard !texts.isEmpty else { return }
        insertions[index, default: []] += texts.map { original.makeLine($0) }
        note(key)
    }

    /// Whether any change was recorded.
    var hasChanges: Bool { !replacements.isEmpty || !insertions.isEmpty }

    /// The edited file.
    func render() -> [UInt8] {
        var lines: [SshdLine] = []
        lines.reserveCapacity(original.lines.count + insertions.values.reduce(0) { $0 + $1.count })
        for index in 0...original.lines.count {
            if let added = insertions[index] { lines += added }
            if index < original.lines.count { lines.append(replacements[index] ?? original.lines[index]) }
        }
        // Only a line that was last in the original can lack its newline; if lines now follow
        // it, terminate it like the rest of the file.
        let crlf = original.usesCRLF
        for i in lines.indices.dropLast() where !lines[i].hasNewline {
            var raw = lines[i].raw
            if crlf && !lines[i].endsWithCR { raw.append(0x0D) }
            lines[i] = SshdLine(raw: raw, hasNewline: true)
        }
        return SshdConfigFile(lines: lines).render()
    }

    /// The `FileEdit` for this file, or nil when nothing changes.
    func fileEdit() -> FileEdit? {
        guard hasChanges else { return nil }
        let after = render()
        if after == originalBytes { return nil }
        return FileEdit(path: path, before: originalBytes, after: after, keys: keys)
    }
}
