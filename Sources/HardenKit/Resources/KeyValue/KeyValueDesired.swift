/// One setting harden wants in a key/value file.
public struct KeyValueDesired: Sendable, Equatable {
    /// What the setting must be.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        /// `key <sep> value`.
        case string(String)
        /// A bare word (`even_deny_root`, `audit`): true = an active line with the key exists,
        /// false = no active line with it.
        case flag(Bool)

        /// The value, or `present` / `absent` for a flag.
        public var description: String {
            switch self {
            case .string(let s): return s
            case .flag(let on): return on ? "present" : "absent"
            }
        }
    }

    /// Absolute path of the file inside the root.
    public var path: String
    /// The key, spelled as it should be written when a line is added.
    public var key: String
    /// The desired value or flag state.
    public var value: Value
    /// Create the file (with just this setting) when it does not exist; otherwise a missing
    /// file is an error.
    public var create: Bool
    /// Reading rules; by default `KeyValueSyntax.defaults(for: path, format: format)`.
    public var syntax: KeyValueSyntax

    /// - Parameter winner: overrides which duplicate the file's reader uses.
    public init(
        path: String, key: String, value: Value, format: KeyValueFormat, create: Bool = false,
        winner: KeyValueWinner? = nil
    ) {
        self.path = path
        self.key = key
        self.value = value
        self.create = create
        var syntax = KeyValueSyntax.defaults(for: path, format: format)
        if let winner { syntax.winner = winner }
        self.syntax = syntax
    }

    /// Convenience for a string value.
    public init(path: String, key: String, value: String, format: KeyValueFormat, create: Bool = false) {
        self.init(path: path, key: key, value: .string(value), format: format, create: create)
    }

    /// Builds a setting from a profile's `set:` text: on a key the file's reader treats as a
    /// bare flag (`KeyValueSyntax.flags`, e.g. faillock's `even_deny_root`), `true` and
    /// `false` mean present and absent; any other text is a value.
    public init(path: String, key: String, text: String, format: KeyValueFormat, create: Bool = false) {
        let isFlag = KeyValueSyntax.defaults(for: path, format: format).isFlag(key)
        let value: Value = isFlag && (text == "true" || text == "false") ? .flag(text == "true") : .string(text)
        self.init(path: path, key: key, value: value, format: format, create: create)
    }

    /// The format lines are separated with.
    public var format: KeyValueFormat { syntax.format }

    /// `keyvalue:<path>:<key>`.
    public var resourceKey: String { "keyvalue:\(path):\(key)" }
}
