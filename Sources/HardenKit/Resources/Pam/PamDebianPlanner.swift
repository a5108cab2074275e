/// Plans entries on Debian/Ubuntu `common-*` files that pam-auth-update manages, so that every
/// change survives the next `pam-auth-update --package` (run by any PAM module package).
///
/// - A new line whose place is inside the Primary or Additional block becomes a profile harden
///   owns, `/usr/share/pam-configs/harden-<module>-<type>[-<selector>]`, with a `Priority`
///   that sorts it between its neighbours; the `common-*` files and `/var/lib/pam` state are
///   then written exactly as pam-auth-update would (`PamAuthUpdate`).
/// - Argument edits of a block line are made in the live file; pam-auth-update keeps them as
///   local changes (profile arguments minus removed ones, then added ones sorted).
/// - Removing a block line removes harden's profile, or disables a package's profile when every
///   line of it is wanted absent (else refused: disabling would remove the others too).
/// - Lines outside the blocks are edited in place, and only when pam-auth-update would leave
///   the result as it is (so a jump it recomputes is never changed).
///
/// The first change also brings in what a `pam-auth-update --package` run would change anyway
/// (said in a warning); when nothing needs a change nothing is written.
final class PamDebianPlanner {
    let live: PamAuthUpdateTree
    var work: PamAuthUpdateTree
    private let modules: PamModuleGuard
    /// Every removal entry of the plan (a package profile is disabled only when all its lines are wanted absent).
    private let removals: [PamDesired]
    private let pendingBaseline: [String]

    /// Throws when pam-auth-update would not regenerate the files (local modifications, a
    /// missing marker or state file): then it will not undo in-place edits either.
    init(live: PamAuthUpdateTree, modules: PamModuleGuard, removals: [PamDesired]) throws(PamProblem) {
        let baseline: PamAuthUpdateTree
        switch PamAuthUpdate.run(live) {
        case .updated(let t, _): baseline = t
        case .refused(let why): throw PamProblem(why)
        }
        self.live = live
        self.work = baseline
        self.modules = modules
        self.removals = removals
        let before = live.files, after = baseline.files
        pendingBaseline = after.keys.sorted().filter { before[$0] ?? nil != after[$0] ?? nil }
    }

    /// Probes and plans one entry (its service is a `common-*` file).
    func plan(_ d: PamDesired) -> Observation {
        let type = String(d.service.dropFirst("common-".count))
        let path = "/etc/pam.d/" + d.service
        let liveFile = PamFile(bytes: live.conf[type] ?? [])
        let liveEval = evaluate(d, liveFile, stack(liveFile, type, live))
        var obs = Observation(
            key: d.resourceKey, desired: d.summary, current: liveEval.current,
            source: liveEval.line.map { "\(path):\($0)" }, status: .compliant)
        let workFile = PamFile(bytes: work.conf[type] ?? [])
        if liveEval.compliant && evaluate(d, workFile, stack(workFile, type, work)).compliant { return obs }
        let saved = work
        do throws(PamProblem) {
            try act(d, type: type)
            let after = PamFile(bytes: work.conf[type] ?? [])
            guard evaluate(d, after, stack(after, type, work)).compliant else {
                throw PamProblem("pam-auth-update would not keep this change in \(path)")
            }
            obs.status = .pending
            if !pendingBaseline.isEmpty {
                obs.warnings.append(
                    "also writes what pam-auth-update --package would change anyway: " + pendingBaseline.joined(separator: ", "))
            }
        } catch {
            work = saved
            obs.status = .error(error.message)
        }
        return obs
    }

    /// File edits from the live tree to the planned one.
    func edits(keys: [String]) -> [FileEdit] {
        let before = live.files, after = work.files
        return Set(before.keys).union(after.keys).sorted().compactMap { path in
            let b = before[path] ?? nil, a = after[path] ?? nil
            return a == b ? nil : FileEdit(path: path, before: b, after: a, keys: keys)
        }
    }

    func stack(_ file: PamFile, _ type: String, _ tree: PamAuthUpdateTree) -> PamDebianStack? {
        diff(of: tree).flatMap { PamDebianStack(file: file, type: type, diff: $0) }
    }

    /// `PamAuthUpdateDiff.compute(tree)`, remembered for the last few trees: every entry of a
    /// plan asks for the diff of the live tree and of the working tree several times, and the
    /// trees rarely change between the asks. Only for reading (`PamDebianStack` does not
    /// change the diff; `PamAuthUpdate.run` computes its own, which it consumes).
    private var diffMemo: [(tree: PamAuthUpdateTree, diff: PamAuthUpdateDiff?)] = []
    private func diff(of tree: PamAuthUpdateTree) -> PamAuthUpdateDiff? {
        if let hit = diffMemo.first(where: { $0.tree == tree }) { return hit.diff }
        let d = PamAuthUpdateDiff.compute(tree)
        diffMemo.append((tree, d))
        if diffMemo.count > 4 { diffMemo.removeFirst() }
        return d
    }

    /// Compliance of `d` on `file`; a package's block line matches arguments as a multiset
    /// (pam-auth-update decides their order).
    func evaluate(_ d: PamDesired, _ file: PamFile, _ stack: PamDebianStack?) -> PamStackEditor.Finding {
        var scratch = file
        do {
            var f = try PamStackEditor.apply(d, to: &scratch, guard: modules)
            if !f.compliant, d.isLine, d.state == .present, let i = try PamStackEditor.pick(d, file),
                let owner = stack?.owner(ofLine: i), !owner.hasPrefix("harden-"),
                PamControl.normalized(file.lines[i].control) == PamControl.normalized(d.control ?? ""),
                file.lines[i].args.sorted() == d.args.sorted(),
                (try? PamStackEditor.positionHolds(d.position, at: i, type: d.baseType, in: file).0) == true
            {
                f.compliant = true
            }
            return f
        } catch {
            let i = PamStackEditor.candidates(d, file).first
            return PamStackEditor.Finding(
                compliant: false, current: i.map { file.lines[$0].text }, line: i.map { file.lineNumber(of: $0) })
        }
    }

    /// `pam-auth-update --package` on `tree`.
    func regenerate(_ tree: PamAuthUpdateTree, enable: Set<String> = [], disable: Set<String> = []) throws(PamProblem)
        -> PamAuthUpdateTree
    {
        switch PamAuthUpdate.run(tree, enable: enable, disable: disable) {
        case .updated(let t, _): return t
        case .refused(let why): throw PamProblem("pam-auth-update would refuse: \(why)")
        }
    }

    /// Makes `d` hold in `work`.
    private func act(_ d: PamDesired, type: String) throws(PamProblem) {
        var file = PamFile(bytes: work.conf[type] ?? [])
        guard let stack = stack(file, type, work) else { throw PamProblem("pam-auth-update cannot reconcile /etc/pam.d/\(d.service)") }
        let blocks = d.baseType == stack.stackType
        if d.isLine && d.state == .present {
            if let i = try PamStackEditor.pick(d, file), let owner = stack.owner(ofLine: i), blocks {
                if owner.hasPrefix("harden-") {
                    work.profiles[owner] = nil
                    work = try regenerate(work)
                    return try addProfile(d, type: type)
                }
                let line = file.lines[i]
                guard PamControl.normalized(line.control) == PamControl.normalized(d.control ?? ""), !d.type.hasPrefix("-")
                else {
                    throw PamProblem(
                        "line \(file.lineNumber(of: i)) '\(line.text)' comes from pam-auth-update profile '\(owner)'; its control cannot be changed here")
                }
                guard try PamStackEditor.positionHolds(d.position, at: i, type: d.baseType, in: file).0 else {
                    throw PamProblem("line \(file.lineNumber(of: i)) comes from pam-auth-update profile '\(owner)' and cannot be moved \(d.position)")
                }
                file.replace(at: i, with: try PamStackEditor.replacingArgs(file, i, d.args, "/etc/pam.d/" + d.service))
                work.conf[type] = file.render()
                work = try regenerate(work)
                return
            }
            if try PamStackEditor.pick(d, file) == nil {
                if let p = modules.problem(for: d.module) { throw p }
                let (g, _) = try PamStackEditor.insertionPoint(d.position, type: d.baseType, in: file)
                if blocks && stack.region(ofGap: g) != .boilerplate { return try addProfile(d, type: type) }
            }
            return try editInPlace(d, type: type)
        }
        let lines = PamStackEditor.candidates(d, file)
        let owned = blocks ? lines.filter { stack.owner(ofLine: $0) != nil } : []
        if owned.count < lines.count { try editInPlace(d, type: type) }
        guard !owned.isEmpty else { return }
        file = PamFile(bytes: work.conf[type] ?? [])
        guard let stack = self.stack(file, type, work) else { throw PamProblem("pam-auth-update cannot reconcile the files") }
        let ownedNow = PamStackEditor.candidates(d, file).filter { stack.owner(ofLine: $0) != nil }
        if d.editsArgs {
            for i in ownedNow {
                let args = PamStackEditor.editedArgs(file.lines[i].args, d)
                file.replace(at: i, with: try PamStackEditor.replacingArgs(file, i, args, "/etc/pam.d/" + d.service))
            }
            work.conf[type] = file.render()
            work = try regenerate(work)
            return
        }
        var disable = Set<String>()
        for i in ownedNow {
            let owner = stack.owner(ofLine: i)!
            if owner.hasPrefix("harden-") {
                work.profiles[owner] = nil
            } else {
                try checkAllWantedAbsent(owner)
                disable.insert(owner)
            }
        }
        work = try regenerate(work, disable: disable)
    }

    /// Edits the live file outside the blocks; refused when pam-auth-update would rewrite the result.
    private func editInPlace(_ d: PamDesired, type: String) throws(PamProblem) {
        var file = PamFile(bytes: work.conf[type] ?? [])
        _ = try PamStackEditor.apply(d, to: &file, guard: modules, path: "/etc/pam.d/" + d.service)
        var next = work
        next.conf[type] = file.render()
        let regenerated = try regenerate(next)
        guard regenerated.conf[type] == file.render() else {
            throw PamProblem(
                "pam-auth-update would rewrite this edit of /etc/pam.d/\(d.service) (it recomputes the jumps of its blocks); place the line against another module"
            )
        }
        work = regenerated
    }

    /// A package profile may be disabled only when every line it writes is wanted absent.
    private func checkAllWantedAbsent(_ profile: String) throws(PamProblem) {
        guard let diff = diff(of: work) else { return }
        var kept: [String] = []
        for type in PamAuthUpdateTree.types {
            let file = PamFile(bytes: work.conf[type] ?? [])
            guard let stack = PamDebianStack(file: file, type: type, diff: diff) else { continue }
            for i in stack.lines(of: profile) where !removals.contains(where: {
                $0.service == "common-" + type && $0.matches(file.lines[i])
            }) {
                kept.append("common-\(type): \(file.lines[i].text)")
            }
        }
        guard kept.isEmpty else {
            throw PamProblem(
                "the line comes from pam-auth-update profile '\(profile)', which also writes \(kept.joined(separator: "; ")); disabling it would remove those too (ask for them absent as well, or run pam-auth-update --disable \(profile))"
            )
        }
    }
}

/// The profiles harden owns under `/usr/share/pam-configs`: their names, priorities and text.
extension PamDebianPlanner {
    /// `harden-<module stem>-<type>[-<selector words>]`, e.g. `harden-faillock-auth-authfail`.
    static func profileName(_ d: PamDesired, type: String) -> String {
        var stem = d.moduleName
        if stem.hasPrefix("pam_") { stem.removeFirst(4) }
        if stem.hasSuffix(".so") { stem.removeLast(3) }
        let raw = (["harden", stem, type] + d.selector).joined(separator: "-").lowercased()
        return String(raw.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" ? $0 : "-" })
    }

    /// pam-auth-update's field prefix for a type: `Auth`, `Session-noninteractive`.
    static func fieldType(_ type: String) -> String { type.prefix(1).uppercased() + type.dropFirst() }

    /// Whether profile a sorts before profile b in pam-auth-update's order.
    static func precedes(_ a: (Double, String), _ b: (Double, String)) -> Bool {
        a.0 != b.0 ? a.0 > b.0 : Array(b.1.utf8).lexicographicallyPrecedes(Array(a.1.utf8))
    }

    /// A priority that sorts `name` after `upper` and before `lower`: halfway between them;
    /// after the last one, 0 (or one less when that is 0 or below); before the first, at
    /// least 1024 (ahead of pwquality's); ties are broken by name as pam-auth-update does.
    static func priority(
        for name: String, upper: PamConfigProfile?, lower: PamConfigProfile?
    ) throws(PamProblem) -> Int {
        let u = upper.map { Int($0.priority.rounded(.down)) }
        let l = lower.map { Int($0.priority.rounded(.down)) }
        var candidates: [Int]
        switch (u, l) {
        case let (u?, l?): candidates = [(u + l) / 2, u, l, u - 1, l + 1]
        case let (u?, nil): candidates = [u > 0 ? 0 : u - 1, u]
        case let (nil, l?): candidates = [max(l + 1, 1024), l]
        case (nil, nil): candidates = [0]
        }
        for p in candidates {
            let me = (Double(p), name)
            let afterUpper = upper.map { precedes(($0.priority, $0.name), me) } ?? true
            let beforeLower = lower.map { precedes(me, ($0.priority, $0.name)) } ?? true
            if afterUpper && beforeLower { return p }
        }
        throw PamProblem(
            "no pam-auth-update priority sorts \(name) between '\(upper?.name ?? "")' and '\(lower?.name ?? "")'")
    }

    /// Adds (or replaces) harden's profile for the line `d`, placed by its position, and
    /// regenerates.
    func addProfile(_ d: PamDesired, type: String) throws(PamProblem) {
        if d.type.hasPrefix("-") {
            throw PamProblem("pam-auth-update writes no '-\(d.baseType)' lines; ask for '\(d.baseType)' or place the line outside its blocks")
        }
        let file = PamFile(bytes: work.conf[type] ?? [])
        guard let stack = stack(file, type, work) else { throw PamProblem("pam-auth-update cannot reconcile the files") }
        let (g, _) = try PamStackEditor.insertionPoint(d.position, type: d.baseType, in: file)
        let region = stack.region(ofGap: g)
        let (upper, lower) = try stack.neighbours(ofGap: g, in: region)
        let profiles = PamAuthUpdate.profiles(work)
        let name = Self.profileName(d, type: type)
        let priority = try Self.priority(for: name, upper: upper.flatMap { profiles[$0] }, lower: lower.flatMap { profiles[$0] })
        let line = ([(d.control ?? "required") + "\t" + d.module] + d.args).joined(separator: " ")
        work.profiles[name] = PamConfigProfile.render(
            description: "harden: \(d.summary)", priority: priority, ucType: Self.fieldType(type),
            block: region == .primary ? "Primary" : "Additional", line: line)
        work = try regenerate(work, enable: [name])
    }
}
