/// The desired audit lines expanded into the lines to load (`AuditWant`), with per-desired
/// errors, and the observations built back from the findings.
///
/// A desired rule stands for one line, or two with `bothArches`. Its file is `AuditDesired.file`,
/// else `AuditPlanner.defaultFile(for:)`; `-e` always goes to `AuditPlanner.finalizeFile`. A line equal in meaning to one
/// an earlier desired rule already stands for is planned once and shared. Two desired control
/// lines that set one option to different values are an error on the later one.
struct AuditWantList {
    let desired: [AuditDesired]
    private(set) var wants: [AuditWant] = []
    private var errors: [Int: String] = [:]
    private var texts: [Int: [String]] = [:]
    private var indices: [Int: [Int]] = [:]

    init(desired: [AuditDesired], machine: AuditMachine, isDirectory: (String) -> Bool) {
        self.desired = desired
        for (i, d) in desired.enumerated() {
            let fallback = AuditPlanner.defaultFile(for: d.rule, machine: machine)
            // `-e` always goes to the finalize file, whatever file its profile rule names.
            let file = fallback == AuditPlanner.finalizeFile ? fallback : d.file ?? fallback
            if let p = AuditPlanner.fileNameProblem(file) {
                errors[i] = p
                continue
            }
            let lines: [String]
            switch d.bothArches ? AuditRule.expandArches(d.rule, machine: machine) : .success([d.rule]) {
            case .failure(let p):
                errors[i] = "\(p.message): \(d.rule)"
                continue
            case .success(let l):
                lines = l
            }
            var mine: [AuditWant] = []
            for line in lines {
                switch AuditRule.parse(line, machine: machine) {
                case .failure(let p):
                    errors[i] = "\(p.message): \(line)"
                case .success(let raw):
                    let rule = raw.watchPath.map { raw.resolvingWatch(isDirectory: isDirectory($0)) } ?? raw
                    mine.append(AuditWant(desired: i, rule: rule, text: line, file: file))
                }
            }
            texts[i] = lines
            if errors[i] != nil { continue }
            if let conflict = conflict(mine) {
                errors[i] = "conflicts with \(desired[conflict.desired].key) (\(conflict.text)): \(d.rule)"
                continue
            }
            for w in mine {
                if let same = wants.firstIndex(where: { $0.rule == w.rule }) {
                    indices[i, default: []].append(same)
                } else {
                    indices[i, default: []].append(wants.count)
                    wants.append(w)
                }
            }
        }
    }

    /// An earlier want that sets the same control option to another value.
    private func conflict(_ mine: [AuditWant]) -> AuditWant? {
        for w in mine {
            guard let c = w.rule.control, c.value != nil else { continue }
            if let other = wants.first(where: { $0.rule.control?.option == c.option && $0.rule != w.rule }) {
                return other
            }
        }
        return nil
    }

    /// The error observation of desired `i` when the whole probe failed.
    func observation(_ i: Int, error: String) -> Observation {
        Observation(key: desired[i].key, desired: shown(i), current: nil, status: .error(errors[i] ?? error))
    }

    /// The observation of desired `i` from the findings of its wants.
    func observation(_ i: Int, findings: [AuditFinding], notes: [String]) -> Observation {
        if let e = errors[i] {
            return Observation(key: desired[i].key, desired: shown(i), current: nil, status: .error(e))
        }
        let mine = (indices[i] ?? []).map { findings[$0] }
        let current = mine.compactMap(\.current)
        let sources = mine.compactMap(\.source)
        var seen = Set<String>()
        let warnings = (mine.flatMap(\.warnings) + notes).filter { seen.insert($0).inserted }
        return Observation(
            key: desired[i].key, desired: shown(i), current: current.isEmpty ? nil : current.joined(separator: " ; "),
            source: sources.isEmpty ? nil : sources.joined(separator: ", "),
            status: mine.allSatisfy(\.compliant) ? .compliant : .pending, warnings: warnings)
    }

    /// The desired lines as shown to a human (both ABI forms joined with ` ; `).
    private func shown(_ i: Int) -> String {
        (texts[i] ?? [desired[i].rule]).joined(separator: " ; ")
    }
}
