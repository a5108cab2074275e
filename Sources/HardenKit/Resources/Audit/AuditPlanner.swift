/// Plans audit rules: compares the desired lines by meaning with what `/etc/audit/rules.d`
/// loads today (in augenrules' order and merge), and plans the smallest edits that load them.
///
/// - A desired rule already loaded in any spelling (see `AuditRule`) is compliant: nothing is
///   written. A missing one goes into its owned file (`AuditDesired.file`, else
///   `defaultFile(for:)`), created with `AuditRulesFile.ownedHeader`.
/// - `-e N` is compliant when it is the only active `-e` and sits in `99-finalize.rules` or in
///   the file read last; otherwise it goes in `99-finalize.rules` (as its last line) and every
///   other active `-e` line is disabled with `# harden: `. Other valued controls (`-b`, `-f`, `-r`,
///   `--backlog_wait_time`) are compliant when the value loaded last is the desired one; lines
///   that would override it are disabled.
/// - When rules.d changes, `/etc/audit/audit.rules` is regenerated as augenrules would
///   (`AugenrulesMerge`, with the target's awk), so the plan shows the compiled result too.
/// - With a runtime that reports immutable rules (`enabled 2`), every pending observation says
///   the change waits for a reboot.
/// Re-planning the edited tree gives no edits.
public enum AuditPlanner {
    /// Default owned file for rules.
    public static let defaultRulesFile = "50-harden.rules"
    /// Default file for `-e`: read last.
    public static let finalizeFile = "99-finalize.rules"
    /// Default file for other control lines: read early, so `-c`/`-i` cover the rules after it.
    public static let controlFile = "10-harden-config.rules"
    /// The warning on pending observations when the kernel's rules are immutable.
    public static let pendingReboot = "pending reboot: audit rules are immutable until the next boot"

    /// The default owned file for a rule line: `finalizeFile` for `-e`, `controlFile` for other
    /// control lines, `defaultRulesFile` otherwise.
    public static func defaultFile(for rule: String, machine: AuditMachine = .x86_64) -> String {
        guard case .success(let r) = AuditRule.parse(rule, machine: machine), let c = r.control else {
            return defaultRulesFile
        }
        return c.option == "-e" ? finalizeFile : controlFile
    }

    /// Probes `host` and plans. Never throws: problems become error observations.
    /// - Parameters:
    ///   - runtime: the live kernel state, only for the live root (nil otherwise).
    ///   - machine: the target's machine (what `b64`/`b32` and rules without `arch=` mean);
    ///     nil detects it from the target (`AuditMachine.detect`).
    ///   - awk: the awk augenrules runs on the target; nil detects it (`AugenrulesMerge.Awk.detect`).
    public static func plan(
        desired: [AuditDesired], host: HostReader, runtime: AuditRuntime?, machine: AuditMachine? = nil,
        awk: AugenrulesMerge.Awk? = nil
    ) -> KindPlan {
        let machine = machine ?? AuditMachine.detect(host: host)
        let awk = awk ?? AugenrulesMerge.Awk.detect(host: host)
        let dirs = AuditDirectoryProbe(host: host)
        let wanted = AuditWantList(desired: desired, machine: machine, isDirectory: dirs.isDirectory)

        let tree: AuditRulesTree
        do {
            tree = try AuditRulesTree.load(host: host, machine: machine, awk: awk)
        } catch {
            let reason =
                error == .notFound(AuditRulesTree.directory)
                ? "\(AuditRulesTree.directory): no such directory (is auditd installed?)" : error.description
            return KindPlan(observations: desired.indices.map { wanted.observation($0, error: reason) })
        }
        var readPaths = tree.files.map(\.path)
        let loaded = tree.loaded(isDirectory: dirs.isDirectory)
        let findings = wanted.wants.map { AuditRuleCheck.check($0, loaded: loaded, tree: tree) }

        // Collect the changes per file.
        var additions: [String: [String]] = [:]
        var removals: [String: Set<Int>] = [:]
        var keys: [String: [String]] = [:]
        for (w, f) in zip(wanted.wants, findings) {
            let key = desired[w.desired].key
            if f.add && !(additions[w.file] ?? []).contains(w.text) {
                additions[w.file, default: []].append(w.text)
                keys[w.file, default: []].append(key)
            }
            for o in f.remove {
                removals[o.file, default: []].insert(o.line)
                keys[o.file, default: []].append(key)
            }
        }
        var edits: [FileEdit] = []
        var after: [String: [UInt8]] = [:]
        let touched = Set(additions.keys).union(removals.keys)
        let names = AugenrulesOrder.order(Array(Set(tree.files.map(\.name)).union(touched)))
        for name in names where touched.contains(name) {
            let existing = tree.file(name)
            let bytes = AuditFileEditor.edit(
                existing: existing, additions: additions[name] ?? [], remove: removals[name] ?? [],
                wanted: wanted.wants.map(\.rule), machine: machine, isDirectory: dirs.isDirectory)
            guard bytes != existing?.bytes else { continue }
            after[name] = bytes
            edits.append(
                FileEdit(
                    path: AuditRulesTree.directory + "/" + name, before: existing?.bytes, after: bytes,
                    keys: unique(keys[name] ?? [])))
        }

        // audit.rules, as augenrules would write it from the edited tree.
        var notes = tree.notes + AuditRulesTree.loadStoppers(loaded, tree: tree)
        let compiled: [UInt8]?
        do {
            compiled = try host.readIfPresent(AuditRulesTree.compiled)
            readPaths.append(AuditRulesTree.compiled)
        } catch {
            compiled = nil
            notes.append(error.description)
        }
        if !edits.isEmpty {
            let files = names.compactMap { n in after[n].map { (n, $0) } ?? tree.file(n).map { (n, $0.bytes) } }
            let merged = AugenrulesMerge(files: files, awk: awk).render()
            if merged != compiled {
                let all = unique(edits.flatMap(\.keys))
                edits.append(FileEdit(path: AuditRulesTree.compiled, before: compiled, after: merged, keys: all))
            }
        } else if compiled != tree.merge.render() {
            notes.append(
                "\(AuditRulesTree.compiled) is out of date with rules.d; augenrules --load (run when auditd starts) rewrites it"
            )
        }

        let immutable = runtime?.isImmutable() == true
        let observations = desired.indices.map { i in
            var o = wanted.observation(i, findings: findings, notes: notes)
            if immutable && o.status == .pending { o.warnings.append(pendingReboot) }
            return o
        }
        return KindPlan(observations: observations, edits: edits, readPaths: readPaths)
    }

    /// Why `name` cannot be an owned rules.d file, or nil.
    public static func fileNameProblem(_ name: String) -> String? {
        if name.contains("/") || name.hasPrefix(".") || AugenrulesOrder.hasShellSpace(name) {
            return "rules file '\(name)' must be a plain file name (no '/', no leading '.', no spaces)"
        }
        if !name.hasSuffix(".rules") || name == ".rules" {
            return "rules file '\(name)' must end in .rules (augenrules reads nothing else)"
        }
        return nil
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}

/// Caches whether paths of the target are directories (for `-w` resolution).
final class AuditDirectoryProbe: @unchecked Sendable {
    private let host: HostReader
    private var cache: [String: Bool] = [:]

    init(host: HostReader) { self.host = host }

    func isDirectory(_ path: String) -> Bool {
        if let hit = cache[path] { return hit }
        let d = ((try? host.fileType(path)) ?? nil) == .directory
        cache[path] = d
        return d
    }
}
