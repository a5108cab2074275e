import YAMLSyntax

/// `${name}` expansion of profile values from resolved params. `$${` stands for a literal `${`.
struct Interpolator {
    let params: [String: String]
    var diagnostics: [Diagnostic] = []
    /// Values that could not be expanded; later checks skip them (the error is already said).
    var failed: Set<Mark> = []

    /// Expanded copy of `value`; an unknown or unterminated reference is reported at its column.
    mutating func expand(_ value: Value) -> Value {
        guard value.text.containsBytes("${") else { return value }
        var out = ""
        let chars = Array(value.text)
        var i = 0
        while i < chars.count {
            if chars[i] == "$", i + 2 < chars.count, chars[i + 1] == "$", chars[i + 2] == "{" {
                out += "${"
                i += 3
                continue
            }
            if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "{" {
                guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                    diagnostics.append(.error("unterminated '${' in value", at: markAt(value, i)))
                    failed.insert(value.mark)
                    return value
                }
                let name = String(chars[(i + 2)..<close])
                if let v = params[name] {
                    out += v
                } else {
                    var message = "unknown param '\(name)'"
                    if let guess = Suggest.closest(name, in: Array(params.keys).sorted()) {
                        message += "; did you mean '\(guess)'?"
                    } else if !Validate.isParamName(name) {
                        message = "'${\(name)}' is not a param reference (names are letters, digits and '_')"
                    }
                    diagnostics.append(.error(message, at: markAt(value, i)))
                    failed.insert(value.mark)
                }
                i = close + 1
                continue
            }
            out.append(chars[i])
            i += 1
        }
        if failed.contains(value.mark) { return value }
        var copy = value
        copy.text = out
        return copy
    }

    /// The mark of character `offset` inside a single-line scalar (best effort: block scalars
    /// and multi-line values point at the scalar's start).
    private func markAt(_ value: Value, _ offset: Int) -> Mark {
        guard !value.text.contains("\n"), value.style != .literal, value.style != .folded else { return value.mark }
        let quote = value.style == .plain ? 0 : 1
        let prefix = value.text.prefix(offset)
        // double-quoted escapes make exact columns unknowable; only simple text is precise
        if value.style == .doubleQuoted || value.style == .singleQuoted {
            // escapes ('\t', "''") make decoded offsets differ from source columns
            let raw = value.mark.file.lineText(value.mark.line).dropFirst(value.mark.column - 1)
            if raw.contains("\\") || raw.contains("''") { return value.mark }
        }
        _ = prefix
        return Mark(file: value.mark.file, line: value.mark.line, column: value.mark.column + quote + offset)
    }

    /// The body with every value expanded.
    mutating func expand(_ body: ResourceBody) -> ResourceBody {
        switch body {
        case .sshd(let settings):
            return .sshd(settings.map { s in
                var s = s
                s.values = s.values.map { expand($0) }
                return s
            })
        case .sysctl(let settings):
            return .sysctl(settings.map { s in
                var s = s
                s.value = expand(s.value)
                return s
            })
        case .file(var f):
            f.path = expand(f.path)
            f.owner = f.owner.map { expand($0) }
            f.group = f.group.map { expand($0) }
            f.mode = f.mode.map { expand($0) }
            f.exclude = f.exclude.map { expand($0) }
            return .file(f)
        case .keyvalue(var k):
            k.path = expand(k.path)
            k.settings = k.settings.map { ($0.key, $0.keyMark, expand($0.value)) }
            return .keyvalue(k)
        case .pam(var p):
            p.service = expand(p.service)
            p.type = expand(p.type)
            p.module = expand(p.module)
            p.control = p.control.map { expand($0) }
            p.args = p.args.map { expand($0) }
            p.setArgs = p.setArgs.map { ($0.key, expand($0.value)) }
            p.addArgs = p.addArgs.map { expand($0) }
            p.removeArgs = p.removeArgs.map { expand($0) }
            return .pam(p)
        case .audit(var a):
            a.rules = a.rules.map { expand($0) }
            a.file = a.file.map { expand($0) }
            return .audit(a)
        }
    }
}
