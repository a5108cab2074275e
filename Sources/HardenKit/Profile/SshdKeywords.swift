/// The sshd_config keywords of OpenSSH 9.x (sshd_config(5)), plus the distribution patches'
/// keywords seen on Debian and RHEL, and deprecated ones sshd still accepts with a warning.
public enum SshdKeywords {
    /// Canonical spellings.
    public static let all: [String] = [
        "AcceptEnv", "AddressFamily", "AllowAgentForwarding", "AllowGroups", "AllowStreamLocalForwarding",
        "AllowTcpForwarding", "AllowUsers", "AuthenticationMethods", "AuthorizedKeysCommand",
        "AuthorizedKeysCommandUser", "AuthorizedKeysFile", "AuthorizedPrincipalsCommand",
        "AuthorizedPrincipalsCommandUser", "AuthorizedPrincipalsFile", "Banner", "CASignatureAlgorithms",
        "ChannelTimeout", "ChrootDirectory", "Ciphers", "ClientAliveCountMax", "ClientAliveInterval",
        "Compression", "DenyGroups", "DenyUsers", "DisableForwarding", "ExposeAuthInfo", "FingerprintHash",
        "ForceCommand", "GatewayPorts", "GSSAPIAuthentication", "GSSAPICleanupCredentials",
        "GSSAPIKexAlgorithms", "GSSAPIKeyExchange", "GSSAPIStoreCredentialsOnRekey",
        "GSSAPIStrictAcceptorCheck", "GSSAPIEnablek5users", "HostbasedAcceptedAlgorithms",
        "HostbasedAuthentication", "HostbasedUsesNameFromPacketOnly", "HostCertificate", "HostKey",
        "HostKeyAgent", "HostKeyAlgorithms", "IgnoreRhosts", "IgnoreUserKnownHosts", "IPQoS",
        "KbdInteractiveAuthentication", "KerberosAuthentication", "KerberosGetAFSToken",
        "KerberosOrLocalPasswd", "KerberosTicketCleanup", "KexAlgorithms", "ListenAddress",
        "LoginGraceTime", "LogLevel", "LogVerbose", "MACs", "MaxAuthTries", "MaxSessions", "MaxStartups",
        "ModuliFile", "PasswordAuthentication", "PermitEmptyPasswords", "PermitListen", "PermitOpen",
        "PermitRootLogin", "PermitTTY", "PermitTunnel", "PermitUserEnvironment", "PermitUserRC",
        "PerSourceMaxStartups", "PerSourceNetBlockSize", "PerSourcePenalties", "PerSourcePenaltyExemptList",
        "PidFile", "Port", "PrintLastLog", "PrintMotd", "PubkeyAcceptedAlgorithms", "PubkeyAuthOptions",
        "PubkeyAuthentication", "RDomain", "RekeyLimit", "RequiredRSASize", "RevokedKeys",
        "SecurityKeyProvider", "SetEnv", "SshdSessionPath", "StreamLocalBindMask", "StreamLocalBindUnlink",
        "StrictModes", "Subsystem", "SyslogFacility", "TCPKeepAlive", "TrustedUserCAKeys",
        "UnusedConnectionTimeout", "UseDNS", "UsePAM", "VersionAddendum", "X11DisplayOffset",
        "X11Forwarding", "X11UseLocalhost", "XAuthLocation", "DebianBanner", "Include", "Match",
        // deprecated or renamed, still parsed by sshd 9.x
        "ChallengeResponseAuthentication", "HostbasedAcceptedKeyTypes", "PubkeyAcceptedKeyTypes",
        "Protocol", "UsePrivilegeSeparation", "RSAAuthentication", "RhostsRSAAuthentication",
        "ServerKeyBits", "KeyRegenerationInterval", "UseLogin",
    ]

    private static let byLower: [String: String] = Dictionary(
        all.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })

    /// The canonical spelling of `keyword` (case-insensitive), or nil when sshd does not know it.
    public static func canonical(_ keyword: String) -> String? { byLower[keyword.lowercased()] }

    /// True for keywords that accumulate (lists) rather than first-wins — the sshd kind's own rule.
    public static func isAccumulating(_ keyword: String) -> Bool { SshdKeyword(keyword).accumulates }
}
