/// One planning pass over a loaded configuration: decides, key by key, the observation and the
/// line changes (see `SshdPlanner` for the rules), collecting them per file.
struct SshdPlanPass {
    /// A planned key whose result must be verified.
    struct Check {
        let key: String
        let keyword: SshdKeyword
        let lines: [[String]]
    }

    let loaded: SshdLoadedConfig
    let dropIn: SshdDropIn?
    /// Keys that failed verification earlier, with the reason.
    let failed: [String: String]
    let effective: SshdEffectiveConfig
    private(set) var observations: [Observation] = []
    private(set) var checks: [Check] = []
    private var editors: [String: SshdFileEditor] = [:]
    private var claimed: [String: String] = [:]  // canonical keyword -> key

    init(loaded: SshdLoadedConfig, dropIn: SshdDropIn?, failed: [String: String]) {
        self.loaded = loaded
        self.dropIn = dropIn
        self.failed = failed
        self.effective = SshdEffectiveConfig(loaded)
    }

    /// Plan one desired keyword.
    mutating func plan(_ desired: SshdDesired) {
        let keyword = SshdKeyword(desired.keyword)
        var observation = Observation(
            key: desired.key, desired: desired.display(for: keyword), current: nil, status: .pending)
        let current = effective.value(for: keyword)
        observation.current = current?.display
        observation.source = current?.source
        if let problem = problem(desired, keyword: keyword) {
            observation.status = .error(problem)
            observations.append(observation)
            return
        }
        claimed[keyword.canonical] = desired.key
        let lines: [[String]]
        switch desired.argumentLines(for: keyword) {
        case .success(let parsed):
            lines = parsed
        case .failure(let problem):
            observation.status = .error(problem.message)
            observations.append(observation)
            return
        }
        observation.warnings = effective.matchOverrides(for: keyword)
            .filter {
                keyword.accumulation == .linePerValue
                    || !SshdValueComparator.valueEqual(current: $0.value.lines, desired: lines, keyword: keyword)
            }
            .map { $0.warning(keyword: desired.keyword) }
        checks.append(Check(key: desired.key, keyword: keyword, lines: lines))
        if SshdValueComparator.valueEqual(current: current?.lines ?? [], desired: lines, keyword: keyword) {
            observation.status = .compliant
        } else {
            place(desired, keyword: keyword, lines: lines)
        }
        observations.append(observation)
    }

    /// Why a key cannot be planned at all, or nil.
    private func problem(_ desired: SshdDesired, keyword: SshdKeyword) -> String? {
        if let reason = failed[desired.key] { return reason }
        if !desired.isWritableKeyword { return "\"\(desired.keyword)\" is not an sshd_config keyword" }
        if keyword.isStructural { return "\(desired.keyword) cannot be managed as a value" }
        if let other = claimed[keyword.canonical] { return "\(desired.keyword) is the same sshd option as \(other)" }
        let broken = loaded.entries.first {
            $0.kind == .directive && $0.canonicalKeyword == keyword.canonical && $0.directive.problem != nil
        }
        if let broken, let problem = broken.directive.problem { return "\(broken.location): \(problem)" }
        return nil
    }

    /// Write the desired value where sshd will obtain it first and neutralise other global lines.
    private mutating func place(_ desired: SshdDesired, keyword: SshdKeyword, lines: [[String]]) {
        let texts = desired.argumentTexts(for: keyword)
        let globals = loaded.entries.indices.filter {
            let entry = loaded.entries[$0]
            return entry.kind == .directive && entry.context.isGlobal && entry.canonicalKeyword == keyword.canonical
        }
        var anchor: Int?
        if let dropIn, globals.first.map({ $0 >= dropIn.position }) ?? true {
            if dropIn.exists {
                anchor = globals.first { loaded.entries[$0].path == dropIn.path }
            }
            if anchor == nil {
                insertIntoDropIn(dropIn, texts.map { desired.keyword + " " + $0 }, key: desired.key)
            }
        } else if let first = globals.first {
            anchor = first
        } else {
            let main = loaded.mainPath
            let index = loaded.files[main]?.globalInsertionIndex ?? 0
            edit(main) { $0.insert(texts.map { desired.keyword + " " + $0 }, before: index, key: desired.key) }
        }
        var handled: Set<String> = []
        if let anchor {
            let entry = loaded.entries[anchor]
            handled.insert(entry.location)
            edit(entry.path) { editor in
                guard let first = texts.first else {
                    editor.commentOut(at: entry.lineIndex, marker: SshdPlanner.commentMarker, key: desired.key)
                    return
                }
                editor.replaceArguments(at: entry.lineIndex, with: first, key: desired.key)
                let line = editor.original.lines[entry.lineIndex]
                let prefix = String(decoding: line.indentation, as: UTF8.self) + entry.directive.keyword + " "
                editor.insert(texts.dropFirst().map { prefix + $0 }, before: entry.lineIndex + 1, key: desired.key)
            }
        }
        for index in globals where index != anchor {
            let entry = loaded.entries[index]
            guard handled.insert(entry.location).inserted else { continue }
            let agrees =
                keyword.accumulation == .firstWins && lines.first.map {
                    SshdValueComparator.argumentsEqual(entry.directive.arguments, $0, keyword: keyword)
                } ?? false
            if !agrees {
                edit(entry.path) {
                    $0.commentOut(at: entry.lineIndex, marker: SshdPlanner.commentMarker, key: desired.key)
                }
            }
        }
    }

    private mutating func insertIntoDropIn(_ dropIn: SshdDropIn, _ lines: [String], key: String) {
        guard !lines.isEmpty else { return }
        if editors[dropIn.path] == nil, !dropIn.exists {
            var editor = SshdFileEditor(newFile: dropIn.path)
            editor.insert([SshdDropIn.header], before: 0, key: key)
            editors[dropIn.path] = editor
        }
        edit(dropIn.path) { editor in
            editor.insert(lines, before: dropIn.exists ? editor.original.globalInsertionIndex : 0, key: key)
        }
    }

    private mutating func edit(_ path: String, _ change: (inout SshdFileEditor) -> Void) {
        var editor =
            editors[path]
            ?? SshdFileEditor(
                path: path, original: loaded.files[path] ?? SshdConfigFile(lines: []),
                originalBytes: loaded.bytes[path] ?? [])
        change(&editor)
        editors[path] = editor
    }

    /// The file edits: files in the order they were read, new files last.
    func edits() -> [FileEdit] {
        let order = Dictionary(uniqueKeysWithValues: loaded.readPaths.enumerated().map { ($1, $0) })
        return editors.values
            .sorted { (order[$0.path] ?? Int.max, $0.path) < (order[$1.path] ?? Int.max, $1.path) }
            .compactMap { $0.fileEdit() }
    }
}
