import Foundation
import YAMLSyntax

/// Checks of values after `${param}` expansion: paths, modes, names, audit syntax, PAM fields.
enum BodyCheck {
    static let pamTypes = ["auth", "account", "password", "session"]

    static func check(_ body: ResourceBody) -> [Diagnostic] {
        var d: [Diagnostic] = []
        func err(_ m: String, _ v: Value) { d.append(.error(m, at: v.mark)) }
        // every value ends up on one line of a configuration file: a line break, NUL or other
        // control character (also from `--set`) could inject a line, so none is accepted
        var bad = Set<Mark>()
        for v in body.values {
            if let c = v.text.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                let name = c == "\n" ? "a line break" : c == "\r" ? "a carriage return" : c.value == 0 ? "a NUL byte" : "a control character"
                err("the value contains \(name) (U+\(String(format: "%04X", c.value))); values are one line of text", v)
                bad.insert(v.mark)
            }
        }
        if !bad.isEmpty { return d }
        switch body {
        case .sshd(let settings):
            for s in settings {
                for v in s.values where v.text.contains(where: { $0 == "\n" || $0 == "\r" }) {
                    err("an sshd value must be one line", v)
                }
                for v in s.values where v.text.isBlank {
                    err("the value of '\(s.keyword)' is empty", v)
                }
            }
        case .sysctl(let settings):
            for s in settings where s.value.text.contains(where: { $0 == "\n" || $0 == "\r" }) {
                err("a sysctl value must be one line", s.value)
            }
        case .file(let f):
            if let p = Validate.pathProblem(f.path.text, glob: true) { err(p, f.path) }
            if let o = f.owner, !Validate.isAccountName(o.text) { err("owner '\(o.text)' is not a user name or uid", o) }
            for g in f.group where !Validate.isAccountName(g.text) {
                err("group '\(g.text)' is not a group name or gid", g)
            }
            if let m = f.mode, Validate.mode(m.text) == nil {
                err("mode '\(m.text)' must be an octal string like \"0640\"", m)
            }
            for x in f.exclude {
                if let p = Validate.pathProblem(x.text, glob: true) { err(p, x) }
            }
            if f.create, f.path.text.contains(where: { "*?[".contains($0) }) {
                err("'create' cannot be used with a glob path", f.path)
            }
        case .keyvalue(let k):
            if let p = Validate.pathProblem(k.path.text, glob: false) { err(p, k.path) }
            for s in k.settings where s.value.text.contains(where: { $0 == "\n" || $0 == "\r" }) {
                err("the value of '\(s.key)' must be one line", s.value)
            }
        case .pam(let p):
            let svc = p.service.text
            if svc.isEmpty || svc.contains("/") || svc == "." || svc == ".." || svc.hasPrefix(".") {
                err("service '\(svc)' must be a file name in /etc/pam.d (no '/', no leading '.')", p.service)
            }
            let type = p.type.text.hasPrefix("-") ? String(p.type.text.dropFirst()) : p.type.text
            if !pamTypes.contains(type) {
                err("PAM type '\(p.type.text)' must be one of auth, account, password, session", p.type)
            }
            let mod = p.module.text
            let modOK =
                mod.hasSuffix(".so")
                && (mod.hasPrefix("/") ? Validate.pathProblem(mod, glob: false) == nil : !mod.contains("/"))
            if !modOK { err("module '\(mod)' must be a .so file name (or an absolute path without '..')", p.module) }
            if let c = p.control, !pamControlOK(c.text) {
                err("control '\(c.text)' must be required, requisite, sufficient, optional, include, substack or [value=action ...]", c)
            }
            for a in p.args + p.addArgs + p.removeArgs where a.text.contains(where: { $0 == "\n" }) {
                err("a PAM argument must be one line", a)
            }
        case .audit(let a):
            for r in a.rules {
                if r.text.contains(where: { $0 == "\n" || $0 == "\r" }) {
                    err("an audit rule must be one line", r)
                } else if let p = AuditSyntax.problem(r.text) {
                    err("audit rule: \(p)", r)
                } else if let p = AuditSyscalls.problem(line: r.text, arch: .x86_64, bothArches: a.bothArches) {
                    err("audit rule: \(p)", r)
                }
            }
            if let f = a.file {
                let n = f.text
                if n.contains("/") || !n.hasSuffix(".rules") || n.hasPrefix(".") {
                    err("'file' must be a file name in /etc/audit/rules.d ending in .rules", f)
                }
            }
        }
        return d
    }

    static func pamControlOK(_ c: String) -> Bool {
        if ["required", "requisite", "sufficient", "optional", "include", "substack"].contains(c) { return true }
        guard c.hasPrefix("["), c.hasSuffix("]") else { return false }
        let inner = c.dropFirst().dropLast()
        let items = inner.split(separator: " ")
        return !items.isEmpty && items.allSatisfy { $0.contains("=") }
    }
}

extension ResourceBody {
    /// Every value of the body (for marks of failed expansions).
    var values: [Value] {
        switch self {
        case .sshd(let s): return s.flatMap(\.values)
        case .sysctl(let s): return s.map(\.value)
        case .file(let f): return [f.path] + [f.owner, f.mode].compactMap { $0 } + f.group + f.exclude
        case .keyvalue(let k): return [k.path] + k.settings.map(\.value)
        case .pam(let p):
            return [p.service, p.type, p.module] + [p.control].compactMap { $0 } + p.args + p.setArgs.map(\.value)
                + p.addArgs + p.removeArgs
        case .audit(let a): return a.rules + [a.file].compactMap { $0 }
        }
    }
}
