/// The global value sshd ends up with for one keyword, and the lines it comes from.
public struct SshdEffectiveValue: Sendable, Equatable {
    /// The keyword (canonical name, accumulation and comparison rules).
    public let keyword: SshdKeyword
    /// The arguments of each contributing line: only the first line for first-wins keywords,
    /// every global line for accumulating ones.
    public let lines: [[String]]
    /// The contributing entries, parallel to `lines`.
    public let sources: [SshdEntry]

    /// The value as a list: the first line's arguments (first-wins), all arguments
    /// (AllowUsers-style), or one string per line (HostKey-style).
    public var values: [String] {
        switch keyword.accumulation {
        case .firstWins: return lines.first ?? []
        case .argumentSet: return lines.flatMap { $0 }
        case .linePerValue: return lines.map { $0.joined(separator: " ") }
        }
    }

    /// The value for humans: arguments joined by spaces; HostKey-style lines joined by ", ".
    public var display: String {
        keyword.accumulation == .linePerValue ? values.joined(separator: ", ") : values.joined(separator: " ")
    }

    /// `path:line` of the (first) line the value comes from.
    public var source: String { sources.first?.location ?? "" }
}

/// A Match block that sets a keyword for the connections it matches.
public struct SshdMatchOverride: Sendable, Equatable {
    /// The Match block.
    public let block: SshdMatchBlock
    /// The value the block sets (same accumulation rules as globally, within the block).
    public let value: SshdEffectiveValue

    /// "Match User foo at /etc/ssh/sshd_config:120 overrides PasswordAuthentication (yes)".
    public func warning(keyword: String) -> String {
        "\(block) overrides \(keyword) (\(value.display))"
    }
}

/// Effective global values of a loaded configuration, with OpenSSH semantics: in the global
/// context (lines outside Match blocks, in Include-expanded order) the first obtained value of a
/// keyword wins, except for accumulating keywords whose lines are concatenated in order (see
/// `SshdKeyword`). Lines sshd would reject (e.g. unterminated quotes) are skipped here; the
/// planner reports them.
public struct SshdEffectiveConfig: Sendable {
    /// The loaded configuration the values come from.
    public let loaded: SshdLoadedConfig

    /// Evaluate an already loaded configuration.
    public init(_ loaded: SshdLoadedConfig) {
        self.loaded = loaded
    }

    /// Load and evaluate in one step.
    public init(host: HostReader, mainConfig: String = "/etc/ssh/sshd_config", sshDirectory: String = "/etc/ssh") {
        self.init(SshdConfigLoader(host: host, sshDirectory: sshDirectory).load(mainConfig: mainConfig))
    }

    /// The loading error, if sshd's configuration could not be read completely.
    public var error: SshdLoadError? { loaded.error }

    /// The effective global value of `keyword` (any case, aliases allowed), or nil when no
    /// global line sets it (sshd's default applies).
    public func value(for keyword: String) -> SshdEffectiveValue? {
        value(for: SshdKeyword(keyword))
    }

    /// The effective global value of `keyword`, or nil when unset.
    public func value(for keyword: SshdKeyword) -> SshdEffectiveValue? {
        let entries = loaded.globalEntries(for: keyword).filter { $0.directive.problem == nil }
        guard let first = entries.first else { return nil }
        if keyword.accumulation == .firstWins {
            return SshdEffectiveValue(keyword: keyword, lines: [first.directive.arguments], sources: [first])
        }
        return SshdEffectiveValue(keyword: keyword, lines: entries.map { $0.directive.arguments }, sources: entries)
    }

    /// Match-block lines that set `keyword`, in processing order.
    public func matchOverrides(for keyword: String) -> [SshdMatchOverride] {
        matchOverrides(for: SshdKeyword(keyword))
    }

    /// Match blocks that set `keyword`, in processing order.
    public func matchOverrides(for keyword: SshdKeyword) -> [SshdMatchOverride] {
        var order: [SshdMatchBlock] = []
        var byBlock: [String: [SshdEntry]] = [:]
        for entry in loaded.matchEntries(for: keyword) where entry.directive.problem == nil {
            guard case .match(let block) = entry.context else { continue }
            let id = block.description
            if byBlock[id] == nil { order.append(block) }
            byBlock[id, default: []].append(entry)
        }
        return order.map { block in
            let entries = byBlock[block.description] ?? []
            let used = keyword.accumulation == .firstWins ? Array(entries.prefix(1)) : entries
            return SshdMatchOverride(
                block: block,
                value: SshdEffectiveValue(keyword: keyword, lines: used.map { $0.directive.arguments }, sources: used))
        }
    }
}
