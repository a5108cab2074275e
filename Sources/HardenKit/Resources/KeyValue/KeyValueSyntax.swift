import Foundation

// `KeyValueFormat` (whitespace, equals, shell) is defined with the profile model.

/// Which occurrence of a repeated key the reading program uses.
public enum KeyValueWinner: String, Sendable, Equatable {
    case lastWins
    case firstWins
}

/// The reading rules of one kind of file: separator, which duplicate wins, key case,
/// inline comments, how integers are read and which keys are bare flags.
/// `defaults(for:format:)` holds what was checked in each reader's source:
///
/// - /etc/login.defs — shadow `lib/getdef.c`: `def_load` calls `putdef_str` per line, which
///   frees the old value and stores the new one: **last wins**; keys by `strcmp`
///   (case-sensitive); a `#` after the key is part of the value; a leading `"` is skipped and
///   the value ends at the next `"`; numbers via `strtol(…, 0)` (`0…` octal, `0x…` hex).
///   libpam's `pam_modutil_search_key` (pam_umask, pam_unix) reads the same file
///   **first-wins** and case-insensitively, so the planner never leaves a contradicting
///   active occurrence behind: after an edit both readers agree.
/// - pwquality.conf — libpwquality `read_config_file` → `set_name_value` overwrites: last
///   wins; keys by `strcasecmp`; `#` anywhere starts a comment; `strtol(…, 10)`; flags
///   `enforce_for_root`, `local_users_only` are set by presence. `pwquality.conf.d/*.conf` is
///   read *before* the main file, so the main file wins over the drop-ins.
/// - faillock.conf — pam_faillock `read_config_file` → `set_conf_opt` overwrites: last wins;
///   `strcmp`; `#` starts a comment; flags (`even_deny_root`, `audit`, `silent`, `no_log_info`,
///   `local_users_only`, `nodelay`) are OR-ed in by presence, whatever value follows.
/// - pwhistory.conf — pam_pwhistory `parse_config_file` uses `pam_modutil_search_key` per
///   option: **first wins**, case-insensitive, `#` starts a comment; flags `debug`,
///   `enforce_for_root`.
/// - auditd.conf — auditd `load_config`: one keyword parser call per line, each overwrites:
///   last wins; `strcasecmp`; `=` must be its own space-separated token and extra tokens are
///   an error (so no inline comments); `strtoul(…, 10)`.
/// - /etc/default/useradd — shadow `useradd.c` `get_defaults`: each matching line overwrites:
///   last wins; case-sensitive; no spaces around `=`.
public struct KeyValueSyntax: Sendable, Equatable {
    /// How key and value are separated.
    public var format: KeyValueFormat
    /// Which occurrence of a repeated key the reader uses.
    public var winner: KeyValueWinner
    /// Keys compare case-insensitively (also when matching a commented default).
    public var caseInsensitiveKeys: Bool
    /// A `#` anywhere on a line starts a comment.
    public var inlineComments: Bool
    /// Integers are read like C `strtol(s, 0)`: leading `0` octal, `0x` hex.
    public var cIntegers: Bool
    /// New lines must be written `key = value` with spaces (auditd tokenizes on spaces).
    public var spacedEquals: Bool
    /// Keys that are bare flags: set by their presence alone.
    public var flags: Set<String>

    /// Rules spelled out; see `defaults(for:format:)` for the known files.
    public init(
        format: KeyValueFormat, winner: KeyValueWinner = .lastWins, caseInsensitiveKeys: Bool = false,
        inlineComments: Bool = false, cIntegers: Bool = false, spacedEquals: Bool = false,
        flags: Set<String> = []
    ) {
        self.format = format
        self.winner = winner
        self.caseInsensitiveKeys = caseInsensitiveKeys
        self.inlineComments = inlineComments
        self.cIntegers = cIntegers
        self.spacedEquals = spacedEquals
        self.flags = flags
    }

    /// The rules for a known path (see the table above), with `format` as given; unknown
    /// paths get `lastWins`, case-sensitive keys, no inline comments, decimal integers.
    public static func defaults(for path: String, format: KeyValueFormat) -> KeyValueSyntax {
        let pwquality: Set<String> = ["enforce_for_root", "local_users_only"]
        switch path {
        case "/etc/login.defs":
            return KeyValueSyntax(format: format, cIntegers: true)
        case "/etc/security/pwquality.conf":
            return KeyValueSyntax(format: format, caseInsensitiveKeys: true, inlineComments: true, flags: pwquality)
        case _ where path.hasPrefix("/etc/security/pwquality.conf.d/"):
            return KeyValueSyntax(format: format, caseInsensitiveKeys: true, inlineComments: true, flags: pwquality)
        case "/etc/security/faillock.conf":
            return KeyValueSyntax(
                format: format, inlineComments: true,
                flags: ["even_deny_root", "audit", "silent", "no_log_info", "local_users_only", "nodelay"])
        case "/etc/security/pwhistory.conf":
            return KeyValueSyntax(
                format: format, winner: .firstWins, caseInsensitiveKeys: true, inlineComments: true,
                flags: ["debug", "enforce_for_root"])
        case "/etc/audit/auditd.conf":
            return KeyValueSyntax(format: format, caseInsensitiveKeys: true, spacedEquals: true)
        default:
            return KeyValueSyntax(format: format)
        }
    }

    /// Whether `key` is one of this file's bare flags.
    public func isFlag(_ key: String) -> Bool {
        flags.contains { keysMatch($0, key) }
    }

    /// Whether two keys name the same setting.
    public func keysMatch(_ a: String, _ b: String) -> Bool {
        caseInsensitiveKeys ? a.lowercased() == b.lowercased() : a == b
    }

    /// Value equality: trimmed strings are equal, or both read as the same integer
    /// (`cIntegers` decides whether `0365` is octal 245 or decimal 365).
    public func valuesEqual(_ a: String, _ b: String) -> Bool {
        let x = a.trimmingCharacters(in: .whitespaces)
        let y = b.trimmingCharacters(in: .whitespaces)
        if x == y { return true }
        guard let i = integer(x), let j = integer(y) else { return false }
        return i == j
    }

    /// The integer `s` reads as, or nil when it is not entirely an integer.
    public func integer(_ s: String) -> Int? {
        var body = Substring(s)
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty else { return nil }
        var radix = 10
        if cIntegers {
            if body.hasPrefix("0x") || body.hasPrefix("0X") {
                radix = 16
                body = body.dropFirst(2)
            } else if body.count > 1 && body.hasPrefix("0") {
                radix = 8
                body = body.dropFirst()
            }
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit }),
            let magnitude = Int(body, radix: radix)
        else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// The separator a new line uses when the file offers no example.
    var defaultSeparator: String {
        switch format {
        case .whitespace: return " "
        case .equals: return " = "
        case .shell: return "="
        }
    }
}
