/// Plans the smallest sshd_config edits that make the desired keywords effective.
///
/// Per desired keyword:
/// - If the effective global value (see `SshdEffectiveConfig`) already equals the desired one:
///   `.compliant`, and no file is touched at all.
/// - Otherwise the new value goes where sshd will obtain it first:
///   - Layout with a drop-in directory included from the main config (Debian 12, Ubuntu,
///     RHEL 9; see `SshdDropIn`): into the owned drop-in `00-harden.conf` (created with a header
///     comment), unless the winning line is read before the drop-in (in the main config above
///     the `Include`, or in a drop-in sorting earlier): that line is edited in place.
///   - No such layout (RHEL 7, Alibaba Cloud Linux 2): the winning line is edited in place,
///     else a new line goes before the first `Match` of the main config (above the comments
///     that introduce it), else at the end.
///   - In-place edits keep indentation, keyword spelling, separator and trailing comment and
///     replace only the arguments; new lines use the profile's keyword spelling.
/// - Every other global line of the keyword that contradicts the desired value (for
///   accumulating keywords: every other global line) is commented out with `# harden: `.
///   Lines inside Match blocks are never edited; a Match block that sets a different value is
///   reported as a warning.
/// - The planned files are probed again before the plan is returned; a key whose edit would not
///   take effect becomes `.error` and the plan is made without it.
///
/// Read failures, include loops and lines sshd would reject become `.error` observations;
/// nothing is thrown.
public enum SshdPlanner {
    /// Prefix that comments out a contradicting line.
    public static let commentMarker = "# harden: "

    /// Plan the edits for `desired` against the configuration rooted at `mainConfig`.
    public static func plan(
        desired: [SshdDesired], host: HostReader, mainConfig: String = "/etc/ssh/sshd_config"
    ) -> KindPlan {
        plan(desired: desired, host: host, mainConfig: mainConfig, sshDirectory: "/etc/ssh")
    }

    /// Plan with an explicit ssh directory (the base of relative `Include` patterns).
    public static func plan(
        desired: [SshdDesired], host: HostReader, mainConfig: String, sshDirectory: String
    ) -> KindPlan {
        let loader = SshdConfigLoader(host: host, sshDirectory: sshDirectory)
        let loaded = loader.load(mainConfig: mainConfig)
        if let error = loaded.error {
            let observations = desired.map {
                Observation(
                    key: $0.key, desired: $0.display(for: SshdKeyword($0.keyword)), current: nil,
                    status: .error(error.description))
            }
            return KindPlan(observations: observations, edits: [], readPaths: loaded.readPaths)
        }
        let dropIn = SshdDropIn.locate(in: loaded, host: host)
        var failed: [String: String] = [:]
        for _ in 0..<3 {
            var pass = SshdPlanPass(loaded: loaded, dropIn: dropIn, failed: failed)
            for item in desired { pass.plan(item) }
            let edits = pass.edits()
            let problems = edits.isEmpty ? [:] : verify(pass, edits: edits, loader: loader, host: host)
            if problems.isEmpty {
                return KindPlan(observations: pass.observations, edits: edits, readPaths: loaded.readPaths)
            }
            failed.merge(problems) { old, _ in old }
        }
        // Still not converging: refuse to edit anything rather than hand out a doubtful plan.
        var pass = SshdPlanPass(loaded: loaded, dropIn: dropIn, failed: failed)
        for item in desired { pass.plan(item) }
        let observations = pass.observations.map { observation -> Observation in
            var observation = observation
            if observation.status == .pending {
                observation.status = .error("planned sshd_config edits could not be verified")
            }
            return observation
        }
        return KindPlan(observations: observations, edits: [], readPaths: loaded.readPaths)
    }

    /// Probe the edited files and return, per key, why its planned value would not be effective.
    private static func verify(
        _ pass: SshdPlanPass, edits: [FileEdit], loader: SshdConfigLoader, host: HostReader
    ) -> [String: String] {
        var overrides: [String: [UInt8]] = [:]
        for edit in edits { overrides[edit.path] = edit.after ?? [] }
        let overlay = SshdOverlayHost(base: host, overrides: overrides)
        let reloaded = SshdConfigLoader(host: overlay, sshDirectory: loader.sshDirectory)
            .load(mainConfig: pass.loaded.mainPath)
        var problems: [String: String] = [:]
        for check in pass.checks {
            if let error = reloaded.error {
                problems[check.key] = "planned edits would break the configuration: \(error)"
                continue
            }
            let value = SshdEffectiveConfig(reloaded).value(for: check.keyword)
            let current = value?.lines ?? []
            if !SshdValueComparator.valueEqual(current: current, desired: check.lines, keyword: check.keyword) {
                let got = value.map { "\($0.display) from \($0.source)" } ?? "unset"
                problems[check.key] = "planned edit would not take effect (\(got))"
            }
        }
        return problems
    }
}

/// A read-only view of a host with some files replaced or added: used to re-probe a plan's
/// result before handing it out.
final class SshdOverlayHost: HostReader {
    let base: HostReader
    let overrides: [String: [UInt8]]

    init(base: HostReader, overrides: [String: [UInt8]]) {
        self.base = base
        self.overrides = overrides
    }

    func readFile(_ path: String) throws(HostError) -> [UInt8] {
        if let bytes = overrides[path] { return bytes }
        return try base.readFile(path)
    }

    func listDirectory(_ path: String) throws(HostError) -> [String] {
        var names = try base.listDirectory(path)
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for file in overrides.keys where file.hasPrefix(prefix) {
            let name = String(file.dropFirst(prefix.count))
            if !name.contains("/"), !names.contains(name) { names.append(name) }
        }
        return names
    }

    func fileType(_ path: String) throws(HostError) -> HostFileType? {
        if overrides[path] != nil { return .regular }
        return try base.fileType(path)
    }

    func fileTypes(in dir: String, names: [String]) throws(HostError) -> [HostFileType?] {
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        let kept = names.filter { overrides[prefix + $0] == nil }
        if kept.count == names.count { return try base.fileTypes(in: dir, names: names) }
        var found = try base.fileTypes(in: dir, names: kept).makeIterator()
        return names.map { overrides[prefix + $0] != nil ? .regular : (found.next() ?? nil) }
    }
}
