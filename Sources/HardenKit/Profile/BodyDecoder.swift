import YAMLSyntax

/// Decodes the structure of each resource body. Values that may hold `${param}` are checked
/// after interpolation by `BodyCheck`; keys (never interpolated) are checked here.
struct BodyDecoder {
    var reader: NodeReader

    mutating func decode(kind: String, _ node: Node) -> ResourceBody? {
        switch kind {
        case "sshd": return sshd(node).map { .sshd($0) }
        case "sysctl": return sysctl(node).map { .sysctl($0) }
        case "file": return file(node).map { .file($0) }
        case "keyvalue": return keyvalue(node).map { .keyvalue($0) }
        case "pam": return pam(node).map { .pam($0) }
        case "audit": return audit(node).map { .audit($0) }
        default: return nil
        }
    }

    private mutating func nonEmptyMapping(_ node: Node, what: String) -> [Node.Pair]? {
        guard let pairs = node.mapping else {
            reader.error("'\(what)' must be a mapping, found a \(node.kindName)", at: node.mark)
            return nil
        }
        if pairs.isEmpty {
            reader.error("'\(what)' is empty", at: node.mark)
            return nil
        }
        return pairs
    }

    private mutating func sshd(_ node: Node) -> [SshdSetting]? {
        guard let pairs = nonEmptyMapping(node, what: "sshd") else { return nil }
        var out: [SshdSetting] = []
        var ok = true
        for pair in pairs {
            let kw = pair.key.scalar ?? ""
            guard let canonical = SshdKeywords.canonical(kw) else {
                var message = "unknown sshd keyword '\(kw)' (not in OpenSSH 9.x sshd_config(5))"
                if let guess = Suggest.closest(kw, in: SshdKeywords.all) { message += "; did you mean '\(guess)'?" }
                reader.error(message, at: pair.key.mark)
                ok = false
                continue
            }
            if ["include", "match"].contains(canonical.lowercased()) {
                reader.error("'\(canonical)' is structural, not a setting harden manages", at: pair.key.mark)
                ok = false
                continue
            }
            let accumulating = SshdKeywords.isAccumulating(canonical)
            var values: [Value] = []
            if pair.value.sequence != nil {
                guard accumulating else {
                    reader.error(
                        "'\(canonical)' takes one value, not a list (only accumulating keywords such as AllowUsers take lists)",
                        at: pair.value.mark)
                    ok = false
                    continue
                }
                values = reader.list(pair.value, what: "'\(canonical)'") ?? []
            } else if let v = reader.text(pair.value, what: "the value of '\(canonical)'") {
                values = [v]
            }
            if values.isEmpty {
                if pair.value.sequence != nil { reader.error("'\(canonical)' has an empty list", at: pair.value.mark) }
                ok = false
                continue
            }
            out.append(SshdSetting(keyword: kw, keywordMark: pair.key.mark, values: values))
        }
        // partial bodies keep later checks (params, skips) from cascading; the error is already reported
        _ = ok
        return out
    }

    private mutating func sysctl(_ node: Node) -> [SysctlSetting]? {
        guard let pairs = nonEmptyMapping(node, what: "sysctl") else { return nil }
        var out: [SysctlSetting] = []
        var ok = true
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if let problem = Validate.sysctlKeyProblem(key) {
                reader.error(problem, at: pair.key.mark)
                ok = false
                continue
            }
            guard let v = reader.text(pair.value, what: "the value of sysctl '\(key)'") else {
                ok = false
                continue
            }
            out.append(SysctlSetting(key: Validate.normalizeSysctlKey(key), keyMark: pair.key.mark, value: v))
        }
        _ = ok
        return out
    }

    static let fileKeys = ["path", "owner", "group", "mode", "exact_mode", "recursive", "type", "create", "exclude"]

    private mutating func file(_ node: Node) -> FileSpec? {
        let before = reader.diagnostics.count
        guard let m = reader.mapping(node, what: "'file'", allowed: Self.fileKeys) else { return nil }
        guard let pathNode = m["path"] else {
            reader.error("'file' needs a 'path'", at: node.mark)
            return nil
        }
        let path = reader.text(pathNode.value, what: "'path'")
        var spec = FileSpec(
            path: path ?? Value("", mark: node.mark), owner: nil, group: [], mode: nil, exactMode: false,
            recursive: false, type: .any, create: false, exclude: [])
        if let o = m["owner"] { spec.owner = reader.text(o.value, what: "'owner'") }
        if let g = m["group"] { spec.group = reader.list(g.value, what: "'group'", single: true) ?? [] }
        if let md = m["mode"] { spec.mode = reader.text(md.value, what: "'mode'") }
        if let e = m["exact_mode"] { spec.exactMode = reader.bool(e.value, what: "'exact_mode'") ?? false }
        if let r = m["recursive"] { spec.recursive = reader.bool(r.value, what: "'recursive'") ?? false }
        if let c = m["create"] { spec.create = reader.bool(c.value, what: "'create'") ?? false }
        if let t = m["type"], let v = reader.text(t.value, what: "'type'") {
            if let ty = FileTypeFilter(rawValue: v.text) {
                spec.type = ty
            } else {
                reader.error("'type' must be one of file, directory, any, found '\(v.text)'", at: v.mark)
            }
        }
        if let x = m["exclude"] { spec.exclude = reader.list(x.value, what: "'exclude'", single: true) ?? [] }
        if spec.owner == nil && spec.group.isEmpty && spec.mode == nil && m["owner"] == nil && m["group"] == nil
            && m["mode"] == nil
        {
            reader.error("'file' needs at least one of owner, group, mode", at: node.mark)
        }
        if spec.exactMode && m["mode"] == nil {
            reader.error("'exact_mode' without 'mode'", at: m["exact_mode"]!.key.mark)
        }
        _ = before  // a partial spec lets BodyCheck report the value mistakes too
        return spec
    }

    private mutating func keyvalue(_ node: Node) -> KeyValueSpec? {
        let before = reader.diagnostics.count
        guard let m = reader.mapping(node, what: "'keyvalue'", allowed: ["path", "format", "set", "create"]) else {
            return nil
        }
        guard let pathNode = m["path"] else {
            reader.error("'keyvalue' needs a 'path'", at: node.mark)
            return nil
        }
        let path = reader.text(pathNode.value, what: "'path'")
        var format = KeyValueSpec.inferFormat(path?.text ?? "")
        if let f = m["format"], let v = reader.text(f.value, what: "'format'") {
            if let ff = KeyValueFormat(rawValue: v.text) {
                format = ff
            } else {
                reader.error("'format' must be one of whitespace, equals, shell, found '\(v.text)'", at: v.mark)
            }
        }
        if format == nil, m["format"] == nil {
            reader.error(
                "'keyvalue' needs a 'format' (whitespace, equals or shell) for '\(path?.text ?? "")'",
                at: pathNode.value.mark)
        }
        var settings: [(key: String, keyMark: Mark, value: Value)] = []
        if let s = m["set"] {
            if let pairs = nonEmptyMapping(s.value, what: "set") {
                for pair in pairs {
                    let key = pair.key.scalar ?? ""
                    if key.isEmpty || key.contains(where: { $0 == " " || $0 == "\t" || $0 == "=" || $0 == "#" }) {
                        reader.error("key '\(key)' must not be empty or hold spaces, '=' or '#'", at: pair.key.mark)
                        continue
                    }
                    if let v = reader.scalar(pair.value, what: "the value of '\(key)'") {
                        settings.append((key, pair.key.mark, v))
                    }
                }
            }
        } else {
            reader.error("'keyvalue' needs 'set' (a mapping of key to value)", at: node.mark)
        }
        let create = m["create"].flatMap { reader.bool($0.value, what: "'create'") } ?? false
        _ = before
        guard let path else { return nil }
        return KeyValueSpec(path: path, format: format ?? .equals, settings: settings, create: create)
    }

    static let pamKeys = [
        "service", "type", "module", "control", "args", "state", "position", "set_args", "add_args", "remove_args",
    ]

    private mutating func pam(_ node: Node) -> PamSpec? {
        let before = reader.diagnostics.count
        guard let m = reader.mapping(node, what: "'pam'", allowed: Self.pamKeys) else { return nil }
        for req in ["service", "type", "module"] where m[req] == nil {
            reader.error("'pam' needs '\(req)'", at: node.mark)
        }
        let service = m["service"].flatMap { reader.text($0.value, what: "'service'") }
        let type = m["type"].flatMap { reader.text($0.value, what: "'type'") }
        let module = m["module"].flatMap { reader.text($0.value, what: "'module'") }
        let control = m["control"].flatMap { reader.text($0.value, what: "'control'") }
        let args = m["args"].flatMap { reader.list($0.value, what: "'args'") } ?? []
        var state = PamSpec.State.present
        if let s = m["state"], let v = reader.text(s.value, what: "'state'") {
            if let st = PamSpec.State(rawValue: v.text) {
                state = st
            } else {
                reader.error("'state' must be present or absent, found '\(v.text)'", at: v.mark)
            }
        }
        var position = PamSpec.Position.last
        if let p = m["position"] {
            if let word = p.value.scalar {
                switch word {
                case "first": position = .first
                case "last": position = .last
                default: reader.error("'position' must be first, last, {before: MODULE} or {after: MODULE}", at: p.value.mark)
                }
            } else if let pm = reader.mapping(p.value, what: "'position'", allowed: ["before", "after"]) {
                if pm.count != 1 {
                    reader.error("'position' takes exactly one of before, after", at: p.value.mark)
                } else if let b = pm["before"], let v = reader.text(b.value, what: "'before'") {
                    position = .before(v.text)
                } else if let a = pm["after"], let v = reader.text(a.value, what: "'after'") {
                    position = .after(v.text)
                }
            }
        }
        var setArgs: [(key: String, value: Value)] = []
        if let s = m["set_args"], let pairs = nonEmptyMapping(s.value, what: "set_args") {
            for pair in pairs {
                if let v = reader.text(pair.value, what: "the value of '\(pair.key.scalar ?? "")'") {
                    setArgs.append((pair.key.scalar ?? "", v))
                }
            }
        }
        let addArgs = m["add_args"].flatMap { reader.list($0.value, what: "'add_args'") } ?? []
        let removeArgs = m["remove_args"].flatMap { reader.list($0.value, what: "'remove_args'") } ?? []
        let editsArgs = m["set_args"] != nil || m["add_args"] != nil || m["remove_args"] != nil
        if control == nil && !editsArgs && state == .present && m["control"] == nil {
            reader.error("'pam' needs 'control' (to add a line) or set_args/add_args/remove_args", at: node.mark)
        }
        if control != nil && editsArgs {
            let at = ["set_args", "add_args", "remove_args"].compactMap { m[$0]?.key.mark }.min() ?? node.mark
            reader.error("'pam' states either a whole line (control, args) or argument edits, not both", at: at)
        }
        _ = before
        guard let service, let type, let module else { return nil }
        return PamSpec(
            service: service, type: type, module: module, control: control, args: args, state: state,
            position: position, setArgs: setArgs, addArgs: addArgs, removeArgs: removeArgs)
    }

    private mutating func audit(_ node: Node) -> AuditSpec? {
        let before = reader.diagnostics.count
        guard let m = reader.mapping(node, what: "'audit'", allowed: ["rules", "file", "both_arches"]) else { return nil }
        guard let r = m["rules"] else {
            reader.error("'audit' needs 'rules' (a list of audit rule lines)", at: node.mark)
            return nil
        }
        let rules = reader.list(r.value, what: "'rules'", single: true) ?? []
        if rules.isEmpty && r.value.sequence != nil { reader.error("'rules' is empty", at: r.value.mark) }
        let file = m["file"].flatMap { reader.text($0.value, what: "'file'") }
        _ = before
        var spec = AuditSpec(rules: rules, file: file)
        if let b = m["both_arches"] { spec.bothArches = reader.bool(b.value, what: "'both_arches'") ?? false }
        return spec
    }
}

extension KeyValueSpec {
    /// The separator style of well-known files, or nil when the profile must say.
    static func inferFormat(_ path: String) -> KeyValueFormat? {
        switch path {
        case "/etc/login.defs": return .whitespace
        case "/etc/security/pwquality.conf", "/etc/security/faillock.conf", "/etc/audit/auditd.conf",
            "/etc/security/pwhistory.conf":
            return .equals
        case "/etc/default/useradd": return .shell
        default:
            if path.hasPrefix("/etc/security/pwquality.conf.d/") { return .equals }
            if path.hasPrefix("/etc/profile.d/") { return .shell }
            return nil
        }
    }
}
