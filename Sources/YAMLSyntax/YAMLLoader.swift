internal import CYAML

/// Limits that keep hostile documents (billion laughs, deep nesting) cheap to refuse.
public struct YAMLLimits: Sendable {
    /// Most nodes a document may expand to, counting every alias use as a copy of its anchor.
    public var maxNodes: Int = 100_000
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int = 64
    /// Largest input in bytes.
    public var maxBytes: Int = 16 << 20

    public init() {}
}

/// Turns bytes into one `Node` tree through libyaml's event API.
///
/// Refused with a `Diagnostic` (never a crash): invalid UTF-8, NUL bytes, an empty document,
/// more than one document, duplicate mapping keys, unknown aliases, alias expansion beyond
/// `maxNodes`, nesting beyond `maxDepth`, and every libyaml syntax error.
public enum YAMLLoader {
    /// Parse one document from `bytes`; `path` is used in marks and messages.
    public static func load(bytes: [UInt8], path: String, limits: YAMLLimits = YAMLLimits()) throws(Diagnostic) -> Node {
        let source = SourceFile(path: path, bytes: bytes)
        return try load(source: source, limits: limits)
    }

    /// Parse one document from a `SourceFile`.
    public static func load(source: SourceFile, limits: YAMLLimits = YAMLLimits()) throws(Diagnostic) -> Node {
        let bytes = source.bytes
        func at(_ offset: Int) -> Mark {
            let p = source.position(ofByte: offset)
            return Mark(file: source, line: p.line, column: p.column)
        }
        if bytes.count > limits.maxBytes {
            throw .error("file is larger than \(limits.maxBytes) bytes", at: Mark(file: source, line: 1, column: 1))
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw .error("NUL byte in input; a profile is text", at: at(nul))
        }
        if let bad = UTF8Check.firstInvalid(bytes) {
            throw .error(
                "invalid UTF-8 byte 0x\(String(bytes[bad], radix: 16, uppercase: true)); a profile must be UTF-8",
                at: at(bad))
        }
        let parser = EventParser(source: source)
        var builder = TreeBuilder(source: source, limits: limits)
        var documents = 0
        while true {
            let event = try parser.next()
            switch event.kind {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                guard let root = builder.root else {
                    let blank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
                    throw .error(
                        blank ? "empty file: expected a profile mapping" : "no document in the file (only comments); expected a profile mapping",
                        at: Mark(file: source, line: 1, column: 1))
                }
                return root
            case .documentStart:
                documents += 1
                if documents > 1 {
                    throw .error("more than one document in the file; a profile is one document", at: event.mark)
                }
            default:
                try builder.handle(event)
            }
        }
    }

    /// Read a file and parse it; an unreadable file is a diagnostic with the OS reason.
    public static func load(file path: String, limits: YAMLLimits = YAMLLimits()) throws(Diagnostic) -> Node {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path, limit: limits.maxBytes)
        } catch {
            throw Diagnostic(.error, error.message, path: path)
        }
        return try load(bytes: bytes, path: path, limits: limits)
    }
}

/// One libyaml event, copied into Swift values.
struct Event {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias(anchor: String)
        case scalar(value: String, style: ScalarStyle, anchor: String?, tag: String?)
        case sequenceStart(anchor: String?, tag: String?)
        case sequenceEnd
        case mappingStart(anchor: String?, tag: String?)
        case mappingEnd
    }
    var kind: Kind
    var mark: Mark
}

/// Owns a libyaml parser and the input buffer it reads; both freed in `deinit`.
final class EventParser {
    private var parser = yaml_parser_t()
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let source: SourceFile

    init(source: SourceFile) {
        self.source = source
        input = .allocate(capacity: max(1, source.bytes.count))
        _ = input.initialize(from: source.bytes)
        yaml_parser_initialize(&parser)
        yaml_parser_set_input_string(&parser, input.baseAddress, source.bytes.count)
    }

    deinit {
        yaml_parser_delete(&parser)
        input.deallocate()
    }

    private func mark(_ m: yaml_mark_t) -> Mark {
        Mark(file: source, line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
    }

    func next() throws(Diagnostic) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { throw parseError() }
        defer { yaml_event_delete(&event) }
        let m = mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT: return Event(kind: .streamStart, mark: m)
        case YAML_STREAM_END_EVENT: return Event(kind: .streamEnd, mark: m)
        case YAML_DOCUMENT_START_EVENT: return Event(kind: .documentStart, mark: m)
        case YAML_DOCUMENT_END_EVENT: return Event(kind: .documentEnd, mark: m)
        case YAML_ALIAS_EVENT:
            return Event(kind: .alias(anchor: Self.string(event.data.alias.anchor) ?? ""), mark: m)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value: String
            if let p = s.value {
                value = String(decoding: UnsafeBufferPointer(start: p, count: Int(s.length)), as: UTF8.self)
            } else {
                value = ""
            }
            let style: ScalarStyle
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            return Event(
                kind: .scalar(value: value, style: style, anchor: Self.string(s.anchor), tag: Self.string(s.tag)),
                mark: m)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return Event(kind: .sequenceStart(anchor: Self.string(s.anchor), tag: Self.string(s.tag)), mark: m)
        case YAML_SEQUENCE_END_EVENT: return Event(kind: .sequenceEnd, mark: m)
        case YAML_MAPPING_START_EVENT:
            let s = event.data.mapping_start
            return Event(kind: .mappingStart(anchor: Self.string(s.anchor), tag: Self.string(s.tag)), mark: m)
        case YAML_MAPPING_END_EVENT: return Event(kind: .mappingEnd, mark: m)
        default:
            return Event(kind: .documentEnd, mark: m)
        }
    }

    private func parseError() -> Diagnostic {
        var problem = Self.cString(parser.problem) ?? "syntax error"
        let at = Int(parser.problem_mark.index)
        if parser.error == YAML_SCANNER_ERROR,
            (at < source.bytes.count && source.bytes[at] == UInt8(ascii: "\t")) || problem.contains("tab character")
        {
            problem = "a tab character where YAML expects indentation or a token; indent with spaces"
        }
        var message = problem
        if let context = Self.cString(parser.context), !problem.hasPrefix("a tab") { message = "\(problem) \(context)" }
        let m: Mark
        if parser.error == YAML_READER_ERROR {
            let p = source.position(ofByte: Int(parser.problem_offset))
            m = Mark(file: source, line: p.line, column: p.column)
        } else {
            m = mark(parser.problem_mark)
        }
        var notes: [Diagnostic] = []
        if parser.context != nil, parser.context_mark.line != parser.problem_mark.line, !problem.hasPrefix("a tab") {
            notes.append(.note("the construct started here", at: mark(parser.context_mark)))
        }
        return .error(message, at: m, notes: notes)
    }

    private static func cString(_ p: UnsafePointer<CChar>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }
}
