import Foundation
import YAMLSyntax

/// Decodes a profile document (format v1) into a `Profile`, reporting every structural
/// mistake with its file:line:col.
struct ProfileDecoder {
    static let topKeys = ["profile", "title", "description", "extends", "params", "rules", "skip"]
    static let ruleKeys = [
        "id", "title", "description", "refs", "severity", "tags", "override",
        "sshd", "sysctl", "file", "keyvalue", "pam", "audit",
    ]
    static let kinds = ["sshd", "sysctl", "file", "keyvalue", "pam", "audit"]

    var reader = NodeReader()

    /// Decode the root node; nil when the document is unusable (the diagnostics say why).
    mutating func decode(_ root: Node, path: String) -> Profile? {
        guard root.mapping != nil else {
            reader.error("a profile must be a mapping at the top level, found a \(root.kindName)", at: root.mark)
            return nil
        }
        guard let top = reader.mapping(root, what: "the profile", allowed: Self.topKeys) else { return nil }
        var name = ""
        if let n = top["profile"] {
            if let v = reader.text(n.value, what: "'profile'") {
                if Validate.isProfileName(v.text) {
                    name = v.text
                } else {
                    reader.error("profile name '\(v.text)' must be kebab-case (a-z, 0-9, '-')", at: v.mark)
                }
            }
        } else {
            reader.error("missing key 'profile' (the profile's name)", at: root.mark)
        }
        var profile = Profile(
            name: name, title: nil, description: nil, path: path, extends: [], params: [], rules: [], skips: [],
            mark: root.mark)
        if let t = top["title"] { profile.title = reader.scalar(t.value, what: "'title'")?.text }
        if let d = top["description"] { profile.description = reader.scalar(d.value, what: "'description'")?.text }
        if let e = top["extends"], let items = reader.list(e.value, what: "'extends'", single: true) {
            for item in items {
                if let problem = Validate.extendsProblem(item.text) {
                    reader.error(problem, at: item.mark)
                } else {
                    profile.extends.append(item)
                }
            }
        }
        if let p = top["params"] { profile.params = decodeParams(p.value) }
        if let r = top["rules"] {
            if let items = r.value.sequence {
                var seen: [String: Mark] = [:]
                for item in items {
                    guard let rule = decodeRule(item, profile: name) else { continue }
                    if let first = seen[rule.id] {
                        reader.error(
                            "rule '\(rule.id)' is defined twice in this profile", at: rule.mark,
                            notes: [.note("first defined here", at: first)])
                        continue
                    }
                    seen[rule.id] = rule.mark
                    profile.rules.append(rule)
                }
            } else if !r.value.isNull {
                reader.error("'rules' must be a list, found a \(r.value.kindName)", at: r.value.mark)
            }
        }
        if let s = top["skip"] { profile.skips = decodeSkips(s.value, profile: name) }
        return profile
    }

    private mutating func decodeParams(_ node: Node) -> [(name: String, value: Value)] {
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            reader.error("'params' must be a mapping of name to default value, found a \(node.kindName)", at: node.mark)
            return []
        }
        var out: [(name: String, value: Value)] = []
        for pair in pairs {
            let name = pair.key.scalar ?? ""
            guard Validate.isParamName(name) else {
                reader.error("param name '\(name)' must be letters, digits and '_'", at: pair.key.mark)
                continue
            }
            if let v = reader.scalar(pair.value, what: "param '\(name)'") { out.append((name, v)) }
        }
        return out
    }

    private mutating func decodeSkips(_ node: Node, profile: String) -> [Skip] {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            reader.error("'skip' must be a list of {id, reason, expires}, found a \(node.kindName)", at: node.mark)
            return []
        }
        var out: [Skip] = []
        for item in items {
            guard let m = reader.mapping(item, what: "a skip", allowed: ["id", "reason", "expires"]) else { continue }
            let id = m["id"].flatMap { reader.text($0.value, what: "'id'") }
            if m["id"] == nil { reader.error("a skip needs 'id'", at: item.mark) }
            let reason = m["reason"].flatMap { reader.text($0.value, what: "'reason'") }
            if m["reason"] == nil { reader.error("a skip needs a 'reason'", at: item.mark) }
            var expires: String?
            if let e = m["expires"], let v = reader.text(e.value, what: "'expires'") {
                if Validate.isDate(v.text) {
                    expires = v.text
                } else {
                    reader.error("'expires' must be a date YYYY-MM-DD, found '\(v.text)'", at: v.mark)
                }
            }
            if let id, let reason {
                out.append(Skip(id: id.text, reason: reason.text, expires: expires, mark: id.mark, profile: profile))
            }
        }
        return out
    }

    private mutating func decodeRule(_ node: Node, profile: String) -> Rule? {
        let errorsBefore = reader.diagnostics.count
        guard let m = reader.mapping(node, what: "a rule", allowed: Self.ruleKeys) else { return nil }
        var ok = true
        var id = ""
        if let n = m["id"] {
            if let v = reader.text(n.value, what: "'id'") {
                if Validate.isRuleID(v.text) {
                    id = v.text
                } else {
                    reader.error("rule id '\(v.text)' must be kebab-case (a-z, 0-9, '-')", at: v.mark)
                    ok = false
                }
            } else {
                ok = false
            }
        } else {
            reader.error("a rule needs an 'id'", at: node.mark)
            ok = false
        }
        let bodies = Self.kinds.compactMap { m[$0] }
        var body: ResourceBody?
        if bodies.isEmpty {
            reader.error(
                "rule '\(id)' has no resource body; give exactly one of \(Self.kinds.joined(separator: ", "))",
                at: node.mark)
            ok = false
        } else if bodies.count > 1 {
            let names = bodies.map { $0.key.scalar ?? "" }.sorted { a, b in
                Self.kinds.firstIndex(of: a)! < Self.kinds.firstIndex(of: b)!
            }
            reader.error(
                "rule '\(id)' has \(bodies.count) resource bodies (\(names.joined(separator: ", "))); a rule has exactly one",
                at: bodies.map(\.key.mark).max()!)
            ok = false
        } else {
            var bd = BodyDecoder(reader: reader)
            body = bd.decode(kind: bodies[0].key.scalar!, bodies[0].value)
            reader = bd.reader
            if body == nil { ok = false }
        }
        var rule = Rule(
            id: id, title: nil, description: nil, refs: [], severity: .medium, tags: [], override: false,
            body: body ?? .sshd([]), mark: node.mark, profile: profile)
        if let t = m["title"] { rule.title = reader.scalar(t.value, what: "'title'")?.text }
        if let d = m["description"] { rule.description = reader.scalar(d.value, what: "'description'")?.text }
        if let s = m["severity"], let sev = reader.oneOf(s.value, what: "'severity'", as: Severity.self) {
            rule.severity = sev
        }
        if let t = m["tags"], let tags = reader.list(t.value, what: "'tags'") { rule.tags = tags.map(\.text) }
        if let o = m["override"], let b = reader.bool(o.value, what: "'override'") { rule.override = b }
        if let r = m["refs"] {
            if let pairs = r.value.mapping {
                for pair in pairs {
                    let bench = pair.key.scalar ?? ""
                    if !Validate.isRuleID(bench) {
                        reader.error("benchmark name '\(bench)' in 'refs' must be kebab-case", at: pair.key.mark)
                    }
                    if let item = reader.text(pair.value, what: "the item of '\(bench)' in 'refs'") {
                        rule.refs.append((bench, item.text))
                    }
                }
            } else {
                reader.error(
                    "'refs' must be a mapping of benchmark to item, found a \(r.value.kindName)", at: r.value.mark)
            }
        }
        rule.broken = !ok || reader.diagnostics.count > errorsBefore
        return id.isEmpty ? nil : rule
    }
}
