/// A pam-auth-update profile from `/usr/share/pam-configs/` (see pam-auth-update(8)), read
/// exactly as `parse_pam_profile` in `/usr/sbin/pam-auth-update` reads it, and written for
/// the profiles harden owns (`harden-*`).
///
/// Fields are `Name: value` lines; a field's further lines are indented and hold one PAM
/// `control module args` line each (`Auth:`, `Auth-Initial:`, `Account:`, `Password:`,
/// `Session:`; `-Final` suffixes are dropped). `Priority` orders profiles (higher first, then
/// name descending), `<Type>-Type` is `Primary` or `Additional`, and a profile without
/// `Session-Interactive-Only` also feeds common-session-noninteractive. A profile mentioning
/// `pam_tally` is ignored, as pam-auth-update does.
public struct PamConfigProfile: Sendable, Equatable {
    /// File name in /usr/share/pam-configs.
    public var name: String
    /// Field name → value (continuation lines joined with `\n`, trimmed).
    public var fields: [String: String]
    /// Profile names listed in `Conflicts:`.
    public var conflicts: Set<String>
    /// True when pam-auth-update ignores the profile (it mentions `pam_tally`).
    public var disabled: Bool

    /// Parses profile bytes.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        var fields: [String: String] = [:]
        var conflicts = Set<String>()
        var disabled = false
        var field = ""
        for raw in PamPerl.lines(bytes) {
            if let (key, value) = Self.fieldLine(raw) {
                field = key.hasSuffix("-Final") ? String(key.dropLast(6)) : key
                if field == "Conflicts" {
                    for c in value.components(separatedBy: ", ") { conflicts.insert(c) }
                } else {
                    // a successful `s/-Final$//` resets Perl's $2: the same-line value is lost
                    fields[field] = key.hasSuffix("-Final") ? "" : value
                }
            } else {
                let line = PamPerl.string(PamPerl.trim(PamPerl.chomp(raw)))
                if !line.isEmpty && line != "0" { fields[field, default: ""] += "\n" + line }
                if let v = fields[field], v.contains("pam_tally") { disabled = true }
                if let v = fields[field] {
                    fields[field] = PamPerl.string(Array(Array(v.utf8).drop { PamPerl.isSpace($0) }))
                }
            }
        }
        if fields["Session-Interactive-Only"] == nil {
            fields["Session-noninteractive-Type"] = fields["Session-Type"]
            fields["Session-noninteractive"] = fields["Session"]
            fields["Session-noninteractive-Initial"] = fields["Session-Initial"]
        }
        self.fields = fields
        self.conflicts = conflicts
        self.disabled = disabled
    }

    /// `^(\S+):\s+(.*)\s*$` on one line (with its `\n`): the field and its same-line value.
    static func fieldLine(_ b: [UInt8]) -> (String, String)? {
        var end = 0
        while end < b.count && !PamPerl.isSpace(b[end]) { end += 1 }
        // \S+ then ':' then \s+: the ':' can only be the last byte of the leading word
        guard end >= 2, end < b.count, b[end - 1] == UInt8(ascii: ":") else { return nil }
        var v = end
        while v < b.count && PamPerl.isSpace(b[v]) && b[v] != 0x0A { v += 1 }
        return (PamPerl.string(Array(b[..<(end - 1)])), PamPerl.string(PamPerl.chomp(Array(b[v...]))))
    }

    /// `Priority` as Perl's `<=>` sees it (0 when missing).
    public var priority: Double { PamPerl.number(fields["Priority"]) }
    /// True when `Default: yes`.
    public var isDefault: Bool { fields["Default"] == "yes" }

    /// `Primary`, `Additional` or nil for a pam-auth-update type (`Auth`, `Session-noninteractive`).
    func blockType(_ ucType: String) -> String? { fields[ucType + "-Type"] }

    /// `lines_for_module_and_type`: the `-Initial` variant for the first profile of a block.
    func lines(_ ucType: String, position: Int) -> String {
        if position == 0, let initial = fields[ucType + "-Initial"], !initial.isEmpty, initial != "0" { return initial }
        return fields[ucType] ?? ""
    }

    /// The text of a profile harden owns: one line of one pam-auth-update type.
    static func render(
        description: String, priority: Int, ucType: String, block: String, line: String
    ) -> [UInt8] {
        var text = "Name: \(description)\nDefault: yes\nPriority: \(priority)\n"
        if ucType == "Session" || ucType == "Session-noninteractive" { text += "Session-Interactive-Only: yes\n" }
        text += "\(ucType)-Type: \(block)\n\(ucType):\n\t\(line)\n"
        return Array(text.utf8)
    }
}
