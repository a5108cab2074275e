/// One thing harden wants of a PAM service stack (the planner's input; it mirrors the
/// profile's `pam:` rule with plain strings).
///
/// It is one of:
/// - a **line** (`control` set): with `state: .present` the line `type control module args`
///   must exist (placed by `position`), with `.absent` no line of the module may exist;
/// - **argument edits** (`control` nil, any of `setArgs`/`addArgs`/`removeArgs`) on the existing
///   line of `module`;
/// - a **removal** (`control` nil, `state: .absent`, no argument edits).
///
/// Which existing line is "the line of `module`": a rule of the same type (without `-`, any
/// case) whose module file name is `module`'s and which carries every word of `selector`. When
/// `selector` is not given it is derived: for `pam_faillock.so` the mode words of `args`
/// (`preauth`, `authfail`, `authsucc`), since one stack holds several faillock lines; else none.
public struct PamDesired: Sendable, Equatable {
    /// Whether the line (or, without `control`, any line of the module) should exist.
    public enum State: String, Sendable, Equatable { case present, absent }

    /// Where a new line goes. `before`/`after` are also checked on an existing line (it must
    /// sit before the first / after the last line of that module of the same type, else it is
    /// moved); `first`/`last` only place a new line.
    public enum Position: Sendable, Equatable, CustomStringConvertible {
        case first, last
        case before(String)
        case after(String)

        /// As a profile spells it: `first`, `before pam_unix.so`.
        public var description: String {
            switch self {
            case .first: return "first"
            case .last: return "last"
            case .before(let m): return "before \(m)"
            case .after(let m): return "after \(m)"
            }
        }
    }

    /// File name in /etc/pam.d (`common-auth`, `system-auth`, `sshd`).
    public var service: String
    /// `auth`, `account`, `password`, `session`; a leading `-` asks for a `-type` line.
    public var type: String
    /// `pam_x.so` or an absolute path to it.
    public var module: String
    /// The control of a whole line; nil for argument edits and removals.
    public var control: String?
    /// The arguments of a whole line, in order.
    public var args: [String]
    /// Present or absent.
    public var state: State
    /// Where a new line goes (default `last`).
    public var position: Position
    /// `key=value` arguments to set (an existing `key=...` is replaced in place).
    public var setArgs: [(key: String, value: String)]
    /// Words to add when missing (a `key=value` word replaces an existing `key=...`).
    public var addArgs: [String]
    /// Words to remove: `name` removes `name` and every `name=...`; `name=value` only that word.
    public var removeArgs: [String]
    /// Words that identify the line among several of the same module (see the type's doc).
    public var selector: [String]

    /// An entry; `selector` nil derives it from `module` and `args` (see the type's doc).
    public init(
        service: String, type: String, module: String, control: String? = nil, args: [String] = [],
        state: State = .present, position: Position = .last, setArgs: [(key: String, value: String)] = [],
        addArgs: [String] = [], removeArgs: [String] = [], selector: [String]? = nil
    ) {
        self.service = service
        self.type = type
        self.module = module
        self.control = control
        self.args = args
        self.state = state
        self.position = position
        self.setArgs = setArgs
        self.addArgs = addArgs
        self.removeArgs = removeArgs
        self.selector = selector ?? Self.defaultSelector(module: module, args: args)
    }

    /// Field by field (`setArgs` compared pairwise).
    public static func == (a: PamDesired, b: PamDesired) -> Bool {
        a.service == b.service && a.type == b.type && a.module == b.module && a.control == b.control
            && a.args == b.args && a.state == b.state && a.position == b.position
            && a.setArgs.map(\.key) == b.setArgs.map(\.key) && a.setArgs.map(\.value) == b.setArgs.map(\.value)
            && a.addArgs == b.addArgs && a.removeArgs == b.removeArgs && a.selector == b.selector
    }

    /// Mode words of modules that appear several times in one stack.
    static let modeWords: [String: [String]] = ["pam_faillock.so": ["preauth", "authfail", "authsucc"]]

    static func defaultSelector(module: String, args: [String]) -> [String] {
        guard let modes = modeWords[PamLine.baseName(module)] else { return [] }
        return args.filter { modes.contains($0) }
    }

    /// `pam:<service>:<type>:<module>`, plus `#<selector words joined by +>` when a selector
    /// tells apart several lines of the module (`pam:common-auth:auth:pam_faillock.so#preauth`).
    /// Argument edits use the key of the line they edit.
    public var resourceKey: String {
        let base = "pam:\(service):\(type):\(module)"
        return selector.isEmpty ? base : base + "#" + selector.joined(separator: "+")
    }

    /// True for a whole line (present or absent).
    public var isLine: Bool { control != nil }
    /// True for argument edits.
    public var editsArgs: Bool { !setArgs.isEmpty || !addArgs.isEmpty || !removeArgs.isEmpty }
    /// The type without `-`, lowercased.
    public var baseType: String { Self.baseType(type) }
    /// The module's file name.
    public var moduleName: String { PamLine.baseName(module) }

    static func baseType(_ t: String) -> String {
        let l = t.lowercased()
        return l.hasPrefix("-") ? String(l.dropFirst()) : l
    }

    /// The desired state as shown to a human.
    public var summary: String {
        if state == .absent && !editsArgs { return "absent" }
        if let control {
            let line = ([type, control, module] + args).joined(separator: " ")
            if case .before = position { return "\(line) (\(position))" }
            if case .after = position { return "\(line) (\(position))" }
            return line
        }
        var parts: [String] = []
        parts += setArgs.map { "\($0.key)=\($0.value)" }
        parts += addArgs.map { "+\($0)" }
        parts += removeArgs.map { "-\($0)" }
        return "args " + parts.joined(separator: " ")
    }

    /// True when `line` is "the line of this module".
    func matches(_ line: PamLine) -> Bool {
        line.isRule && line.baseType == baseType && line.moduleName == moduleName
            && selector.allSatisfy { line.args.contains($0) }
    }
}
