/// How a scalar was written; `"no"` (double-quoted) and `no` (plain) are different to a profile.
public enum ScalarStyle: String, Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded

    /// Any quoted or block style: the text is meant literally, never as a bool or number.
    public var isQuoted: Bool { self != .plain }
}

/// A YAML node with its 1-based position. Aliases are resolved to the anchored node.
public struct Node: Sendable {
    public indirect enum Kind: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([Node])
        case mapping([Pair])
    }

    /// One `key: value` entry of a mapping, in document order.
    public struct Pair: Sendable {
        public var key: Node
        public var value: Node
        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    public var kind: Kind
    public var mark: Mark
    /// Explicit tag (e.g. `tag:yaml.org,2002:str`), nil when none was written.
    public var tag: String?

    public init(_ kind: Kind, mark: Mark, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.tag = tag
    }

    /// The scalar text, or nil for a collection.
    public var scalar: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    /// The scalar style, or nil for a collection.
    public var style: ScalarStyle? {
        if case .scalar(_, let st) = kind { return st }
        return nil
    }

    /// The items of a sequence, or nil.
    public var sequence: [Node]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The pairs of a mapping, or nil.
    public var mapping: [Pair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// A plain scalar that YAML reads as null (`~`, `null`, empty).
    public var isNull: Bool {
        guard case .scalar(let s, .plain) = kind, tag == nil else { return false }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    /// "scalar", "sequence" or "mapping" (for messages).
    public var kindName: String {
        switch kind {
        case .scalar: return isNull ? "null" : "scalar"
        case .sequence: return "sequence"
        case .mapping: return "mapping"
        }
    }
}
