/// Probes and plans the `pam` kind: PAM service stacks under `/etc/pam.d`.
///
/// Per desired entry (`PamDesired`), by who owns the stack (`PamServiceLocation`):
/// - **authselect** files are only probed; an entry that does not hold is an error naming the
///   authselect feature or file to use (`PamAuthselect`);
/// - **Debian `common-*`** files with pam-auth-update's markers go through
///   `PamDebianPlanner` (owned profiles in `/usr/share/pam-configs`, files regenerated exactly as
///   pam-auth-update would); when pam-auth-update already refuses to update them (local
///   modifications) they are edited in place, with a warning;
/// - everything else — plain services, authconfig's `system-auth` → `system-auth-ac` (the
///   target is edited, the link kept) — is edited line by line (`PamStackEditor`).
///
/// Every new or rewritten line needs its module in the target (`PamModuleGuard`), `pam_tally2`
/// is refused on Linux-PAM 1.5+, and jumps keep landing on the same entries. Entries of one
/// file share one `FileEdit`; an entry that fails is an `.error` observation and nothing of it
/// is applied. Observations come in the order of `desired`.
public enum PamPlanner {
    /// The `common-*` files pam-auth-update writes.
    static let debianServices = Set(PamAuthUpdateTree.types.map { "common-" + $0 })

    /// Probes and plans; never throws (read problems become error observations).
    public static func plan(desired: [PamDesired], host: HostReader) -> KindPlan {
        let modules = PamModuleGuard(host: host)
        var observations = [Observation?](repeating: nil, count: desired.count)
        var readPaths: [String] = []
        var edits: [FileEdit] = []
        var locations: [Int: PamServiceLocation] = [:]
        for (i, d) in desired.enumerated() {
            do throws(PamProblem) {
                locations[i] = try PamServiceLocation.locate(d.service, host: host)
            } catch {
                observations[i] = failed(d, error.message)
            }
        }
        var direct: [Int] = []
        var debian: [Int] = []
        for i in desired.indices {
            guard let loc = locations[i] else { continue }
            if loc.authselect != nil {
                observations[i] = PamAuthselect.observe(
                    desired[i], location: loc, host: host, modules: modules, readPaths: &readPaths)
            } else if debianServices.contains(desired[i].service), loc.editPath == loc.servicePath,
                hasMarkers(loc.servicePath, host)
            {
                debian.append(i)
            } else {
                direct.append(i)
            }
        }
        if !debian.isEmpty {
            var tree: PamAuthUpdateTree? = nil
            do {
                tree = try PamAuthUpdateTree.read(host, readPaths: &readPaths)
            } catch {
                for i in debian { observations[i] = failed(desired[i], error.description) }
            }
            let removals = debian.map { desired[$0] }.filter { $0.state == .absent && !$0.editsArgs }
            if let tree {
                do throws(PamProblem) {
                    let planner = try PamDebianPlanner(live: tree, modules: modules, removals: removals)
                    var keys: [String] = []
                    for i in debian {
                        let obs = planner.plan(desired[i])
                        if obs.status == .pending { keys.append(obs.key) }
                        observations[i] = obs
                    }
                    if !keys.isEmpty { edits += planner.edits(keys: keys) }
                } catch {
                    for i in debian { locations[i]?.notes.append(notRegenerating(error.message)) }
                    direct += debian
                }
            }
        }
        var paths: [String] = []
        var byPath: [String: [Int]] = [:]
        for i in direct.sorted() {
            let path = locations[i]!.editPath
            if byPath[path] == nil { paths.append(path) }
            byPath[path, default: []].append(i)
        }
        for path in paths {
            let group = byPath[path]!
            let (obs, edit) = planFile(path, group.map { (desired[$0], locations[$0]!) }, host, modules, &readPaths)
            for (i, o) in zip(group, obs) { observations[i] = o }
            if let edit { edits.append(edit) }
        }
        readPaths += modules.readPaths
        var seen = Set<String>()
        return KindPlan(
            observations: observations.map { $0! }, edits: edits, readPaths: readPaths.filter { seen.insert($0).inserted })
    }

    /// The warning on entries edited in place because pam-auth-update would not regenerate.
    static func notRegenerating(_ why: String) -> String {
        "pam-auth-update would not regenerate /etc/pam.d/common-* (\(why)); editing in place (pam-auth-update --force would discard this)"
    }

    static func failed(_ d: PamDesired, _ why: String) -> Observation {
        Observation(key: d.resourceKey, desired: d.summary, current: nil, status: .error(why))
    }

    static func hasMarkers(_ path: String, _ host: HostReader) -> Bool {
        guard let bytes = (try? host.readIfPresent(path)) ?? nil else { return false }
        return PamPerl.lines(bytes).contains { PamAuthUpdateDiff.starts($0, PamAuthUpdateDiff.primaryMarker) }
    }

    /// Line edits of one file for the entries that resolve to it.
    static func planFile(
        _ path: String, _ entries: [(PamDesired, PamServiceLocation)], _ host: HostReader, _ modules: PamModuleGuard,
        _ readPaths: inout [String]
    ) -> ([Observation], FileEdit?) {
        let bytes: [UInt8]?
        do {
            bytes = try host.readIfPresent(path)
        } catch {
            return (entries.map { failed($0.0, error.description) }, nil)
        }
        readPaths += Set(entries.map(\.1.servicePath)).sorted() + [path]
        guard let bytes else {
            return (
                entries.map { d, loc in
                    let nothingToAdd = (d.state == .absent && !d.editsArgs) || (d.setArgs.isEmpty && d.addArgs.isEmpty && d.editsArgs)
                    return nothingToAdd
                        ? Observation(key: d.resourceKey, desired: d.summary, current: nil, status: .compliant)
                        : failed(d, "\(loc.servicePath) does not exist (PAM would use /etc/pam.d/other); harden does not create service files")
                }, nil
            )
        }
        let original = PamFile(bytes: bytes)
        var file = original
        var observations: [Observation] = []
        var keys: [String] = []
        for (d, loc) in entries {
            var obs = Observation(key: d.resourceKey, desired: d.summary, current: nil, status: .compliant, warnings: loc.notes)
            do throws(PamProblem) {
                var probe = original
                if let before = try? PamStackEditor.apply(d, to: &probe, guard: modules) {
                    obs.current = before.current
                    obs.source = before.line.map { "\(path):\($0)" }
                }
                let f = try PamStackEditor.apply(d, to: &file, guard: modules, path: path)
                obs.warnings += f.warnings
                if !f.compliant {
                    obs.status = .pending
                    keys.append(d.resourceKey)
                }
            } catch {
                obs.status = .error(error.message)
            }
            observations.append(obs)
        }
        let after = file.render()
        return (observations, after == bytes ? nil : FileEdit(path: path, before: bytes, after: after, keys: keys))
    }
}
