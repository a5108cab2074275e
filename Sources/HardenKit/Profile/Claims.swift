import YAMLSyntax

/// One resource key a rule sets and the value it wants, used to find conflicting rules and
/// to build the desired-state graph.
public struct Claim: Sendable, Hashable {
    /// Graph node key, e.g. `sshd:permitrootlogin`, `file:/etc/shadow`.
    public var node: String
    /// Attribute within the node (`owner`, `mode`, ... for files; empty otherwise).
    public var attribute: String
    /// Canonical value for comparison.
    public var value: String
    /// Where the value was written.
    public var mark: Mark

    /// `node` or `node#attribute`: the unit two rules may not disagree on.
    public var slot: String { attribute.isEmpty ? node : node + "#" + attribute }
}

extension ResourceBody {
    /// The claims of this body (after interpolation).
    public var claims: [Claim] {
        func ws(_ s: String) -> String { s.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        switch self {
        case .sshd(let settings):
            return settings.map { s in
                let values = s.values.map { ws($0.text) }
                return Claim(
                    node: "sshd:" + s.keyword.lowercased(), attribute: "", value: values.joined(separator: "\n"),
                    mark: s.values.first?.mark ?? s.keywordMark)
            }
        case .sysctl(let settings):
            return settings.map { Claim(node: "sysctl:" + $0.key, attribute: "", value: ws($0.value.text), mark: $0.value.mark) }
        case .keyvalue(let k):
            return k.settings.map {
                Claim(node: "keyvalue:\(k.path.text):\($0.key)", attribute: "", value: ws($0.value.text), mark: $0.value.mark)
            }
        case .file(let f):
            // a recursive rule is its own node: it and a rule on the path alone are different intents
            var node = "file:" + f.path.text + (f.recursive ? "/**" : "")
            if f.type != .any { node += "(\(f.type.rawValue))" }
            var out: [Claim] = []
            if let o = f.owner { out.append(Claim(node: node, attribute: "owner", value: o.text, mark: o.mark)) }
            if !f.group.isEmpty {
                out.append(
                    Claim(node: node, attribute: "group", value: f.group.map(\.text).joined(separator: ","), mark: f.group[0].mark))
            }
            if let m = f.mode {
                let octal = String(Validate.mode(m.text) ?? 0, radix: 8)
                let v = String(repeating: "0", count: max(0, 4 - octal.count)) + octal + (f.exactMode ? " exact" : " ceiling")
                out.append(Claim(node: node, attribute: "mode", value: v, mark: m.mark))
            }
            if f.create { out.append(Claim(node: node, attribute: "create", value: "true", mark: f.path.mark)) }
            return out
        case .pam(let p):
            // the pam kind's own key: several lines of one module (faillock preauth/authfail)
            // are told apart by a selector
            let base = p.desired.resourceKey
            if let c = p.control {
                let v = "\(p.state.rawValue) \(c.text) \(p.args.map(\.text).joined(separator: " ")) (\(p.position))"
                return [Claim(node: base, attribute: "", value: v, mark: c.mark)]
            }
            if p.state == .absent && p.control == nil && p.setArgs.isEmpty && p.addArgs.isEmpty && p.removeArgs.isEmpty {
                return [Claim(node: base, attribute: "", value: "absent", mark: p.module.mark)]
            }
            var out: [Claim] = []
            for (k, v) in p.setArgs { out.append(Claim(node: base, attribute: "arg:" + k, value: v.text, mark: v.mark)) }
            for a in p.addArgs { out.append(Claim(node: base, attribute: "arg:" + a.text, value: "present", mark: a.mark)) }
            for a in p.removeArgs {
                let name = a.text.split(separator: "=").first.map(String.init) ?? a.text
                out.append(Claim(node: base, attribute: "arg:" + name, value: "absent", mark: a.mark))
            }
            return out
        case .audit(let a):
            return a.rules.map { r in
                let tokens = AuditSyntax.tokenize(r.text) ?? []
                if let opt = tokens.first, ["-e", "-b", "-f", "-r", "--backlog_wait_time"].contains(opt), tokens.count == 2 {
                    return Claim(node: "audit:" + opt, attribute: "", value: tokens[1], mark: r.mark)
                }
                // rules equal in meaning (`-S a -S b` and `-S a,b`, `-k x` and `-F key=x`) are one node
                let text: String
                switch AuditRule.parse(r.text) {
                case .success(let rule): text = rule.canonicalText
                case .failure: text = tokens.joined(separator: " ")
                }
                return Claim(node: "audit:" + text, attribute: "", value: "present", mark: r.mark)
            }
        }
    }
}

extension PamSpec {
    /// The pam kind's input for this body.
    var desired: PamDesired {
        PamDesired(
            service: service.text, type: type.text, module: module.text, control: control?.text, args: args.map(\.text),
            state: state, position: position,
            setArgs: setArgs.map { ($0.key, $0.value.text) }, addArgs: addArgs.map(\.text),
            removeArgs: removeArgs.map(\.text))
    }
}
