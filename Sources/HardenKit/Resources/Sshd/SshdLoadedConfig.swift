/// The Match block a line belongs to.
public struct SshdMatchBlock: Sendable, Equatable, CustomStringConvertible {
    /// File holding the `Match` line.
    public let path: String
    /// 1-based line number of the `Match` line.
    public let line: Int
    /// The `Match` line as sshd reads it, e.g. `Match User anoncvs`.
    public let header: String

    /// A block started by the `Match` line at `path:line`.
    public init(path: String, line: Int, header: String) {
        self.path = path
        self.line = line
        self.header = header
    }

    /// `Match User anoncvs at /etc/ssh/sshd_config:120`.
    public var description: String { "\(header) at \(path):\(line)" }
}

/// Whether a line applies to every connection (global) or only inside a Match block.
public enum SshdContext: Sendable, Equatable {
    /// Applies to every connection.
    case global
    /// Applies only to connections the block matches.
    case match(SshdMatchBlock)

    /// True outside Match blocks.
    public var isGlobal: Bool { self == .global }
}

/// One directive line in Include-expanded order, as sshd processes it.
public struct SshdEntry: Sendable, Equatable {
    /// The file the line is in.
    public let path: String
    /// 0-based index into that file's `SshdConfigFile.lines`.
    public let lineIndex: Int
    /// `.directive`, `.include` or `.match`.
    public let kind: SshdLine.Kind
    /// The parsed directive.
    public let directive: SshdDirective
    /// Global, or the Match block the line belongs to.
    public let context: SshdContext
    /// Include depth of the file (0 for the main config).
    public let depth: Int
    /// The canonical keyword name (lowercase, aliases folded).
    public let canonicalKeyword: String

    /// An entry for line `lineIndex` of `path`.
    public init(
        path: String, lineIndex: Int, kind: SshdLine.Kind, directive: SshdDirective, context: SshdContext,
        depth: Int
    ) {
        self.path = path
        self.lineIndex = lineIndex
        self.kind = kind
        self.directive = directive
        self.context = context
        self.depth = depth
        self.canonicalKeyword = SshdKeyword(directive.keyword).canonical
    }

    /// 1-based line number.
    public var line: Int { lineIndex + 1 }
    /// `path:line`.
    public var location: String { "\(path):\(line)" }
}

/// The files one `Include` pattern brought in, with the entries each produced.
public struct SshdIncludeExpansion: Sendable, Equatable {
    /// One included file and the range of `SshdLoadedConfig.entries` it (and its own includes)
    /// produced.
    public struct File: Sendable, Equatable {
        /// The included file.
        public let path: String
        /// Its entries (and those of files it includes).
        public let entries: Range<Int>
    }

    /// Index in `SshdLoadedConfig.entries` of the `Include` line.
    public let includeEntry: Int
    /// The pattern as written.
    public let pattern: String
    /// The absolute pattern (relative ones are taken relative to the ssh directory).
    public let absolutePattern: String
    /// Matched files in the order sshd reads them.
    public let files: [File]
    /// The range of `SshdLoadedConfig.entries` the whole pattern produced (empty, at the point
    /// where it was processed, when nothing matched).
    public let entries: Range<Int>
}

/// Why the configuration sshd would load cannot be determined (sshd itself would refuse it too).
public enum SshdLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file could not be read (for the main config: also when it does not exist).
    case unreadable(HostError, includedAt: String?)
    /// A file includes itself, directly or through others; `chain` ends with the repeated file.
    case includeLoop(chain: [String], at: String)
    /// Includes nested deeper than sshd allows.
    case tooDeep(path: String, at: String, limit: Int)

    /// A one-line message for humans.
    public var description: String {
        switch self {
        case .unreadable(let error, let at):
            return at.map { "\(error) (included at \($0))" } ?? error.description
        case .includeLoop(let chain, let at):
            return "Include loop at \(at): " + chain.joined(separator: " -> ")
        case .tooDeep(let path, let at, let limit):
            return "Include nesting deeper than \(limit) at \(at) (including \(path))"
        }
    }
}

/// Everything sshd would read for one main config: parsed files, directives in processing
/// order with their context, and the Include expansions. Produced by `SshdConfigLoader`.
public struct SshdLoadedConfig: Sendable {
    /// The main config path.
    public let mainPath: String
    /// Parsed files by path.
    public var files: [String: SshdConfigFile] = [:]
    /// Original bytes by path.
    public var bytes: [String: [UInt8]] = [:]
    /// Directive lines (including `Include` and `Match`) in the order sshd processes them. A
    /// file included twice appears twice.
    public var entries: [SshdEntry] = []
    /// Include expansions in processing order.
    public var expansions: [SshdIncludeExpansion] = []
    /// Every path passed to `readFile`, first read first, without duplicates.
    public private(set) var readPaths: [String] = []
    /// The same paths as a set: the duplicate check stays O(1) with thousands of drop-ins.
    private var readPathSet: Set<String> = []
    /// Set when loading stopped: the effective configuration is then unknown.
    public var error: SshdLoadError?

    /// An empty result for `mainPath`.
    public init(mainPath: String) {
        self.mainPath = mainPath
    }

    /// Record that `path` is about to be read (once, in first-read order).
    mutating func noteRead(_ path: String) {
        if readPathSet.insert(path).inserted { readPaths.append(path) }
    }

    /// Global directive entries for a keyword (aliases folded), in processing order.
    public func globalEntries(for keyword: SshdKeyword) -> [SshdEntry] {
        entries.filter { $0.kind == .directive && $0.context.isGlobal && $0.canonicalKeyword == keyword.canonical }
    }

    /// Entries inside Match blocks for a keyword, in processing order.
    public func matchEntries(for keyword: SshdKeyword) -> [SshdEntry] {
        entries.filter { $0.kind == .directive && !$0.context.isGlobal && $0.canonicalKeyword == keyword.canonical }
    }
}
