/// What sshd does with repeated lines of a keyword, and how its values compare.
///
/// Verified against servconf.c of OpenSSH 9.1 (`process_server_config_line_depth`):
/// - Most keywords are "first obtained value wins": `if (*activep && *intptr == -1) *intptr = value`.
///   That includes keywords taking several arguments on *one* line where later lines are ignored:
///   AuthorizedKeysFile, SetEnv (`uvalue != 0` → skip), PermitOpen, PermitListen, LogVerbose,
///   AuthenticationMethods, ChannelTimeout, IPQoS, RekeyLimit, Ciphers/MACs/KexAlgorithms.
///   (Checked with `sshd -T` of Debian 12's 9.2p1 for SetEnv, PermitOpen, PermitListen,
///   LogVerbose, AuthorizedKeysFile and ChannelTimeout.)
/// - Accumulating keywords append every line's values: AllowUsers, DenyUsers, AllowGroups,
///   DenyGroups, AcceptEnv (each argument appended) and HostKey, HostCertificate, Port,
///   ListenAddress, Subsystem (one entry per line; a repeated Subsystem name is fatal).
public struct SshdKeyword: Sendable, Equatable {
    /// How lines of one keyword combine in the global context.
    public enum Accumulation: Sendable, Equatable {
        /// The first line wins; its arguments are the value.
        case firstWins
        /// Every line's arguments are appended to one list; compared as a set
        /// (AllowUsers-style; written as one line with space-separated values).
        case argumentSet
        /// Each line adds one entry (its whole argument text); compared in order
        /// (HostKey-style; written one line per value).
        case linePerValue
    }

    /// How two values of the keyword compare.
    public enum Comparison: Sendable, Equatable {
        /// Byte-exact arguments.
        case exact
        /// Enumerations compared case-insensitively, with sshd's synonyms folded
        /// (e.g. `without-password` = `prohibit-password`).
        case enumeration([String: String])
        /// Decimal integers compared by value.
        case integer
        /// sshd time values (`convtime`): `60` = `1m` = `60s`.
        case time
        /// Comma-separated algorithm lists, compared element by element in order.
        case commaList
    }

    /// The canonical lowercase name (aliases folded, e.g. `pubkeyacceptedkeytypes` →
    /// `pubkeyacceptedalgorithms`).
    public let canonical: String
    /// How repeated global lines combine.
    public let accumulation: Accumulation
    /// How values compare.
    public let comparison: Comparison

    /// Look up a keyword (any case, aliases allowed).
    public init(_ keyword: String) {
        let lower = keyword.lowercased()
        let canonical = Self.aliases[lower] ?? lower
        self.canonical = canonical
        if Self.argumentSets.contains(canonical) {
            accumulation = .argumentSet
        } else if Self.linePerValue.contains(canonical) {
            accumulation = .linePerValue
        } else {
            accumulation = .firstWins
        }
        if let synonyms = Self.enumerations[canonical] {
            comparison = .enumeration(synonyms)
        } else if Self.integers.contains(canonical) {
            comparison = .integer
        } else if Self.times.contains(canonical) {
            comparison = .time
        } else if Self.commaLists.contains(canonical) {
            comparison = .commaList
        } else {
            comparison = .exact
        }
    }

    /// Whether the keyword accumulates across lines.
    public var accumulates: Bool { accumulation != .firstWins }

    /// Keywords the planner refuses to manage (they structure the file rather than set a value).
    public var isStructural: Bool { canonical == "include" || canonical == "match" }

    /// Keyword spellings sshd treats as the same option in every OpenSSH version that knows both.
    /// (`ChallengeResponseAuthentication` is an alias of `KbdInteractiveAuthentication` only
    /// since 8.7 — on RHEL 7/8 it is a separate option — so it is deliberately kept apart.)
    static let aliases: [String: String] = [
        "hostdsakey": "hostkey",
        "pubkeyacceptedkeytypes": "pubkeyacceptedalgorithms",
        "hostbasedacceptedkeytypes": "hostbasedacceptedalgorithms",
        "dsaauthentication": "pubkeyauthentication",
        "keepalive": "tcpkeepalive",
    ]

    static let argumentSets: Set<String> = ["allowusers", "denyusers", "allowgroups", "denygroups", "acceptenv"]

    static let linePerValue: Set<String> = ["hostkey", "hostcertificate", "port", "listenaddress", "subsystem"]

    static let enumerations: [String: [String: String]] = {
        let flags = [
            "passwordauthentication", "permitemptypasswords", "pubkeyauthentication",
            "hostbasedauthentication", "hostbasedusesnamefrompacketonly", "ignoreuserknownhosts",
            "x11forwarding", "x11uselocalhost", "permittty", "permituserrc", "strictmodes",
            "tcpkeepalive", "usedns", "usepam", "printmotd", "printlastlog",
            "kbdinteractiveauthentication", "challengeresponseauthentication",
            "gssapiauthentication", "gssapicleanupcredentials", "gssapistrictacceptorcheck",
            "gssapikeyexchange", "gssapistorecredentialsonrekey", "kerberosauthentication",
            "kerberosorlocalpasswd", "kerberosticketcleanup", "kerberosgetafstoken",
            "allowagentforwarding", "disableforwarding", "exposeauthinfo", "streamlocalbindunlink",
            "addressfamily", "gatewayports", "permittunnel", "syslogfacility", "fingerprinthash",
        ]
        var table: [String: [String: String]] = [:]
        for flag in flags { table[flag] = [:] }
        table["permitrootlogin"] = ["without-password": "prohibit-password"]
        table["ignorerhosts"] = [:]
        table["compression"] = ["delayed": "yes"]
        table["allowtcpforwarding"] = ["all": "yes"]
        table["allowstreamlocalforwarding"] = ["all": "yes"]
        table["loglevel"] = ["debug1": "debug"]
        return table
    }()

    static let integers: Set<String> = [
        "maxauthtries", "maxsessions", "clientalivecountmax", "x11displayoffset", "requiredrsasize",
        "port", "persourcemaxstartups",
    ]

    static let times: Set<String> = ["logingracetime", "clientaliveinterval", "unusedconnectiontimeout"]

    static let commaLists: Set<String> = [
        "ciphers", "macs", "kexalgorithms", "hostkeyalgorithms", "pubkeyacceptedalgorithms",
        "hostbasedacceptedalgorithms", "casignaturealgorithms", "gssapikexalgorithms",
    ]
}
