/// One sshd_config keyword as a profile wants it.
///
/// Values are argument text, read with sshd's own tokeniser, and written after the keyword
/// verbatim (quote inside the value to pass one argument with spaces: `"\"/etc/my banner\""`):
/// - first-wins keywords (PasswordAuthentication, IPQoS, AuthorizedKeysFile, …): one element,
///   e.g. `["no"]` or `["af21 cs1"]`; several elements are joined by a space;
/// - AllowUsers-style keywords (AllowUsers, DenyUsers, AllowGroups, DenyGroups, AcceptEnv):
///   the exact set wanted, order and duplicates irrelevant, written as one line;
///   `[]` means no such line at all;
/// - HostKey-style keywords (HostKey, HostCertificate, Port, ListenAddress, Subsystem): one
///   element per line, exactly these in this order (`Subsystem` elements are `name command…`);
///   `[]` means no such line at all.
public struct SshdDesired: Sendable, Equatable {
    /// The resource key, `sshd:` + the lowercased keyword.
    public let key: String
    /// The keyword as the profile spells it; new lines use this spelling.
    public let keyword: String
    /// The desired values (see the type's documentation).
    public let values: [String]

    /// A desired keyword; the key is derived from it.
    public init(keyword: String, values: [String]) {
        self.init(key: Self.key(for: keyword), keyword: keyword, values: values)
    }

    /// A desired single-valued keyword.
    public init(keyword: String, value: String) {
        self.init(keyword: keyword, values: [value])
    }

    /// A desired keyword with an explicit resource key.
    public init(key: String, keyword: String, values: [String]) {
        self.key = key
        self.keyword = keyword
        self.values = values
    }

    /// The resource key for a keyword: `sshd:` + lowercased keyword.
    public static func key(for keyword: String) -> String { "sshd:" + keyword.lowercased() }

    /// The argument text of each line to write (empty: no line at all).
    func argumentTexts(for keyword: SshdKeyword) -> [String] {
        switch keyword.accumulation {
        case .firstWins: return [values.joined(separator: " ")]
        case .argumentSet: return values.isEmpty ? [] : [values.joined(separator: " ")]
        case .linePerValue: return values
        }
    }

    /// The desired value as argument lists, one per line, or a reason why it is unusable.
    func argumentLines(for keyword: SshdKeyword) -> Result<[[String]], SshdPlanProblem> {
        var lines: [[String]] = []
        for text in argumentTexts(for: keyword) {
            guard !text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }) else {
                return .failure(SshdPlanProblem("desired value for \(self.keyword) contains a line break"))
            }
            guard let arguments = SshdTokenizer.splitArguments(text) else {
                return .failure(SshdPlanProblem("desired value \(text) has an unterminated quote"))
            }
            guard !arguments.isEmpty else {
                return .failure(SshdPlanProblem("desired value for \(self.keyword) is empty"))
            }
            lines.append(arguments)
        }
        return .success(lines)
    }

    /// Whether the keyword can be written as the first token of a line and read back as itself.
    var isWritableKeyword: Bool {
        guard let first = keyword.utf8.first, first != 0x23 else { return false }
        return !keyword.utf8.contains { $0 <= 0x20 || $0 == 0x3D || $0 == 0x22 || $0 == 0x27 || $0 == 0x7F }
    }

    /// The desired value for humans (same format as `SshdEffectiveValue.display`).
    func display(for keyword: SshdKeyword) -> String {
        keyword.accumulation == .linePerValue ? values.joined(separator: ", ") : values.joined(separator: " ")
    }
}

/// A reason a desired key cannot be planned.
struct SshdPlanProblem: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
