import YAMLSyntax

/// A scalar from a profile with where it was written; `${param}` is expanded in `text` after
/// resolution.
public struct Value: Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var mark: Mark
    public var style: ScalarStyle

    public init(_ text: String, mark: Mark, style: ScalarStyle = .plain) {
        self.text = text
        self.mark = mark
        self.style = style
    }

    public var description: String { text }

    /// Plain `true`/`false` (YAML 1.1 also `yes`/`no`/`on`/`off`) read as a bool; quoted text never is.
    public var bool: Bool? {
        guard style == .plain else { return nil }
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    public static func == (a: Value, b: Value) -> Bool { a.text == b.text }
    public func hash(into h: inout Hasher) { h.combine(text) }
}

/// One loaded profile file.
public struct Profile: Sendable {
    public var name: String
    public var title: String?
    public var description: String?
    public var path: String
    public var extends: [Value]
    public var params: [(name: String, value: Value)]
    public var rules: [Rule]
    public var skips: [Skip]
    public var mark: Mark
}

/// How severe a failing rule is.
public enum Severity: String, Sendable, CaseIterable { case low, medium, high }

/// One rule: metadata plus exactly one resource body.
public struct Rule: Sendable {
    public var id: String
    public var title: String?
    public var description: String?
    public var refs: [(benchmark: String, item: String)]
    public var severity: Severity
    public var tags: [String]
    public var override: Bool
    public var body: ResourceBody
    /// Where the rule's mapping starts.
    public var mark: Mark
    /// The profile that defined it.
    public var profile: String
    /// The rule had errors; it is kept so its id resolves, but it is never planned.
    public var broken: Bool = false
    /// The body's claims, computed once after `${}` expansion (the resolver fills it).
    public var claims: [Claim] = []
}

/// A skip of a rule by id, with a reason and optional expiry date (YYYY-MM-DD).
public struct Skip: Sendable {
    public var id: String
    public var reason: String
    public var expires: String?
    public var mark: Mark
    public var profile: String
}

/// The desired state a rule states, one case per resource kind.
public enum ResourceBody: Sendable {
    case sshd([SshdSetting])
    case sysctl([SysctlSetting])
    case file(FileSpec)
    case keyvalue(KeyValueSpec)
    case pam(PamSpec)
    case audit(AuditSpec)

    /// The kind's name as written in a profile.
    public var kindName: String {
        switch self {
        case .sshd: return "sshd"
        case .sysctl: return "sysctl"
        case .file: return "file"
        case .keyvalue: return "keyvalue"
        case .pam: return "pam"
        case .audit: return "audit"
        }
    }
}

/// `sshd: {Keyword: value}` — one keyword and its desired value(s).
public struct SshdSetting: Sendable {
    /// As spelled in the profile.
    public var keyword: String
    public var keywordMark: Mark
    /// One element for ordinary keywords; several for accumulating ones (AllowUsers, ...).
    public var values: [Value]
}

/// `sysctl: {key: value}`.
public struct SysctlSetting: Sendable {
    /// Normalized to the dotted form.
    public var key: String
    public var keyMark: Mark
    public var value: Value
}

/// `file: {path, owner, group, mode, ...}`.
public struct FileSpec: Sendable {
    public var path: Value
    public var owner: Value?
    /// Acceptable groups; the first is the one set when the current group is not among them.
    public var group: [Value]
    public var mode: Value?
    /// Mode is exact instead of a ceiling.
    public var exactMode: Bool
    public var recursive: Bool
    /// Which entries a glob or recursion touches.
    public var type: FileTypeFilter
    /// Create the path (as `type`) when it is missing.
    public var create: Bool
    /// Paths (or globs) left alone by globs and recursion.
    public var exclude: [Value]
}

/// Which file types a `file` rule applies to.
public enum FileTypeFilter: String, Sendable { case file, directory, any }

/// `keyvalue: {path, format, set: {key: value}, create}`.
public struct KeyValueSpec: Sendable {
    public var path: Value
    public var format: KeyValueFormat
    /// Plain `true`/`false` on a bare flag means present/absent; anything else is a value.
    public var settings: [(key: String, keyMark: Mark, value: Value)]
    public var create: Bool
}

/// Separator style of a key/value file.
public enum KeyValueFormat: String, Sendable {
    /// `KEY value` (login.defs)
    case whitespace
    /// `key = value` (pwquality.conf, faillock.conf, auditd.conf)
    case equals
    /// `KEY=value` (shell-style: /etc/default/useradd, /etc/profile.d)
    case shell
}

/// `pam:` — a module line present/absent, or module arguments edited.
public struct PamSpec: Sendable {
    /// The pam kind's own vocabulary.
    public typealias State = PamDesired.State
    public typealias Position = PamDesired.Position

    public var service: Value
    public var type: Value
    public var module: Value
    /// Set for a line rule; nil for an argument-only rule.
    public var control: Value?
    public var args: [Value]
    public var state: State
    public var position: Position
    public var setArgs: [(key: String, value: Value)]
    public var addArgs: [Value]
    public var removeArgs: [Value]
}

/// `audit: {rules: [...], file}`.
public struct AuditSpec: Sendable {
    public var rules: [Value]
    /// Generate `-F arch=b32` and `-F arch=b64` forms of syscall rules stated without `arch=`.
    public var bothArches: Bool = false
    /// Owned rules.d file name, e.g. `50-harden-identity.rules`.
    public var file: Value?
}
