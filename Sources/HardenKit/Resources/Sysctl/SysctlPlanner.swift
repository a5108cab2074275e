/// Plans the smallest set of file edits that makes each desired sysctl key persist with its
/// value under **both** loaders (systemd-sysctl at boot and `sysctl --system`).
///
/// Strategy, per key that is not already compliant:
/// 1. The key goes into harden's drop-in `/etc/sysctl.d/60-harden.conf` (its *anchor*).
/// 2. Every assignment read after the anchor (by either loader) that would replace it is
///    fixed where it stands, when it lives under /etc: its value is edited in place (same key
///    spelling, same spacing, same line), so the admin's file keeps saying what is enforced;
///    a `-key` exclusion (which makes systemd-sysctl forget the key) is commented out with
///    the `# harden: ` prefix. This covers later drop-ins such as `99-sysctl.conf` and
///    /etc/sysctl.conf, which `sysctl --system` always applies last.
/// 3. When a later file is *not* under /etc (/usr/lib, /lib, /usr/local/lib: package-owned and
///    rewritten on upgrade; /run: regenerated at boot), editing it would not last, and masking
///    it with a same-named /etc copy would freeze every other vendor setting in it. Instead the
///    key's anchor becomes `/etc/sysctl.d/99-zz-harden-override.conf`, which sorts after it
///    and after every conventionally numbered vendor file. If a vendor file sorts even later,
///    the key is reported as an error rather than half-fixed.
///
/// Explicit assignments beat glob assignments in both loaders, so once the anchor holds the
/// key, globs elsewhere do not matter. Keys already compliant cause no edit, and a file is
/// only rewritten when its bytes change. Before returning, the planner replays both loaders
/// over the edited tree; a key the edits would not fix becomes an error and its edits are
/// dropped. Harden's own files are regenerated (header, then the desired keys they hold, in
/// the order given); lines for keys no longer desired are dropped when such a file is rewritten.
public enum SysctlPlanner {
    /// harden's drop-in.
    public static let dropInPath = "/etc/sysctl.d/60-harden.conf"
    /// harden's late drop-in, used only to outrank package-owned files that sort after 60-.
    public static let overridePath = "/etc/sysctl.d/99-zz-harden-override.conf"
    /// First line of both files.
    public static let header = "# Managed by harden. Local changes are overwritten."
    static let overrideNote = "# Sorts after package-owned sysctl.d files that override 60-harden.conf."

    /// Probes and plans. `runtime` is nil unless the root is the live system.
    public static func plan(desired: [SysctlDesired], host: HostReader, runtime: SysctlRuntime?) -> KindPlan {
        var wanted: [SysctlDesired] = []
        var failures: [String: String] = [:]
        for d in desired {
            if let prev = wanted.first(where: { $0.key == d.key }) {
                if !SysctlValue.equal(prev.value, d.value) {
                    failures[d.key] = "desired both as \(prev.value) and as \(d.value)"
                }
            } else {
                wanted.append(d)
            }
        }
        let current = SysctlPrecedence(host: host)
        let boot = bootOrder(host)
        if !current.errors.isEmpty {
            let reason = "cannot determine the persisted value: " + current.errors.joined(separator: "; ")
            for d in wanted where failures[d.key] == nil { failures[d.key] = reason }
        }
        var pending = wanted.filter { failures[$0.key] == nil && !isCompliant($0, current) }
        // Every fix goes through harden's drop-in in /etc/sysctl.d. When that is not a directory
        // (both loaders then skip it) no planned edit can work: say so rather than report the
        // replayed loaders' "unset".
        if !pending.isEmpty, let reason = dropInDirectoryProblem(host) {
            for d in pending { failures[d.key] = reason }
            pending = []
        }
        var fix = SysctlFix(precedence: current, wanted: wanted)
        while true {
            fix = SysctlFix(precedence: current, wanted: wanted)
            for d in pending { fix.add(d) }
            failures.merge(fix.failures) { a, _ in a }
            pending.removeAll { fix.failures[$0.key] != nil }
            let overlay = SysctlOverlayHost(base: host, files: fix.newBytes, aliases: aliases(current))
            let after = SysctlPrecedence(host: overlay)
            let broken = pending.filter { !isCompliant($0, after) }
            if broken.isEmpty { break }
            for d in broken {
                let s = after.resolve(d.key, order: .systemd).value ?? "unset"
                let p = after.resolve(d.key, order: .procps).value ?? "unset"
                failures[d.key] = "the planned edits would leave systemd-sysctl at \(s) and sysctl --system at \(p)"
            }
            pending.removeAll { failures[$0.key] != nil }
        }
        let pendingKeys = Set(pending.map(\.key))
        var observations: [Observation] = []
        for d in wanted {
            var obs = observation(d, current, boot: boot)
            if let reason = failures[d.key] {
                obs.status = .error(reason)
            } else if pendingKeys.contains(d.key) {
                obs.status = .pending
            }
            if runtime == nil { obs.warnings.append("runtime not probed (root is not /)") }
            observations.append(obs)
            if let runtime { observations.append(runtimeObservation(d, runtime)) }
        }
        return KindPlan(observations: observations, edits: fix.edits(), readPaths: current.readPaths)
    }

    /// Why harden's drop-ins cannot be created in /etc/sysctl.d (nil: they can, or the directory
    /// is missing and apply creates it). Worded like the other kinds' `path: not a directory`.
    static func dropInDirectoryProblem(_ host: HostReader) -> String? {
        let dir = "/etc/sysctl.d"
        let type: HostFileType?
        do {
            type = try host.fileType(dir)
        } catch {
            return "\(error); harden's drop-in \(dropInPath) cannot be created"
        }
        guard let type, type != .directory else { return nil }
        return "\(HostError.notDirectory(dir)); harden's drop-in \(dropInPath) cannot be created"
    }

    /// Compliant when both loaders end with the desired value.
    static func isCompliant(_ d: SysctlDesired, _ p: SysctlPrecedence) -> Bool {
        SysctlOrder.allCases.allSatisfy { order in
            p.resolve(d.key, order: order).value.map { SysctlValue.equal($0, d.value) } ?? false
        }
    }

    private static func aliases(_ p: SysctlPrecedence) -> [String: String] {
        var map: [String: String] = [:]
        for s in p.systemdSources + p.procpsSources {
            if let target = s.aliasOf { map[s.path] = target }
        }
        return map
    }

    /// The loader the root's boot uses: systemd-sysctl when the root has it, else procps'
    /// `sysctl --system` (Debian without systemd runs it from /etc/init.d/procps).
    static func bootOrder(_ host: HostReader) -> SysctlOrder {
        for p in ["/lib/systemd/systemd-sysctl", "/usr/lib/systemd/systemd-sysctl"] where (try? host.fileType(p)) == .regular {
            return .systemd
        }
        return .procps
    }

    private static func observation(_ d: SysctlDesired, _ p: SysctlPrecedence, boot: SysctlOrder) -> Observation {
        let s = p.resolve(d.key, order: .systemd)
        let q = p.resolve(d.key, order: .procps)
        var warnings: [String] = []
        var current: String?
        var source: String?
        if s.sameValue(as: q) {
            current = q.value
            source = (q.location ?? s.location)?.description
        } else {
            // the loaders disagree: show what this root's boot applies, and say both
            let used = boot == .systemd ? s : q
            current = used.value
            source = used.location?.description
            warnings.append(
                "systemd-sysctl ends with \(describe(s)) but sysctl --system ends with \(describe(q))")
        }
        if SysctlKey.isGlob(d.key) {
            // Both loaders let any explicit assignment of a concrete key beat every glob.
            var beaten: [String] = []
            for src in p.procpsSources {
                for (i, a) in src.file.assignments
                where !a.isGlob && SysctlKey.glob(d.key, matches: a.key) && !SysctlValue.equal(a.value, d.value) {
                    beaten.append("\(a.key) = \(a.value) (\(src.path):\(i + 1))")
                }
            }
            if !beaten.isEmpty {
                warnings.append("explicit assignments override this glob: " + beaten.joined(separator: ", "))
            }
        }
        let ok = isCompliant(d, p)
        return Observation(
            key: d.resourceKey, desired: d.value, current: current, source: source,
            status: ok ? .compliant : .pending, warnings: warnings)
    }

    private static func describe(_ r: SysctlResolution) -> String {
        guard let value = r.value else {
            return r.location.map { "the key unset (\($0))" } ?? "the key unset"
        }
        return r.location.map { "\(value) (\($0))" } ?? value
    }

    private static func runtimeObservation(_ d: SysctlDesired, _ runtime: SysctlRuntime) -> Observation {
        let source = "/proc/sys/" + SysctlKey.procPath(d.key)
        if SysctlKey.isGlob(d.key) {
            return Observation(
                key: d.runtimeResourceKey, desired: d.value, current: nil, source: source,
                status: .error("a glob has no single runtime value; name the concrete keys to check them"))
        }
        guard let live = runtime.read(d.key) else {
            return Observation(
                key: d.runtimeResourceKey, desired: d.value, current: nil, source: source,
                status: .error("\(source) does not exist (is the module providing it loaded?)"))
        }
        let shown = SysctlValue.fields(live).joined(separator: " ")
        return Observation(
            key: d.runtimeResourceKey, desired: d.value, current: shown, source: source,
            status: SysctlValue.equal(live, d.value) ? .compliant : .pending)
    }
}
