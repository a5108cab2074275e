/// The probed audit rules of a target: `/etc/audit/rules.d/*.rules` read in augenrules' order,
/// merged as augenrules merges them, and parsed line by line as `auditctl -R` will read the
/// result. This is the state the planner compares the desired rules with.
struct AuditRulesTree {
    static let directory = "/etc/audit/rules.d"
    static let compiled = "/etc/audit/audit.rules"

    /// One rules.d file.
    struct File {
        var name: String
        var bytes: [UInt8]
        var model: AuditRulesFile
        var path: String { AuditRulesTree.directory + "/" + name }
        var isOwned: Bool { model.isOwned }
    }

    /// One line of the merged audit.rules with what auditctl makes of it.
    struct Loaded {
        /// Position in the merged output (load order).
        var position: Int
        var origin: AugenrulesMerge.Origin
        var entry: AuditRulesFile.Entry

        var rule: AuditRule? {
            if case .rule(let r) = entry { return r }
            return nil
        }
    }

    /// Files in reading order.
    var files: [File]
    /// Things a human should know about the tree (unreadable names, missing final newlines...).
    var notes: [String]
    let machine: AuditMachine
    let awk: AugenrulesMerge.Awk

    /// Reads the tree. Throws when rules.d is missing or a file cannot be read.
    static func load(host: HostReader, machine: AuditMachine, awk: AugenrulesMerge.Awk) throws(HostError)
        -> AuditRulesTree
    {
        guard try host.fileType(directory) == .directory else { throw .notFound(directory) }
        let names = try host.listDirectory(directory)
        var notes: [String] = []
        for n in names where n.hasSuffix(".rules") && AugenrulesOrder.hasShellSpace(n) {
            notes.append("\(directory)/\(n): augenrules never reads a file whose name has a space")
        }
        var files: [File] = []
        for name in AugenrulesOrder.order(names) {
            let path = directory + "/" + name
            guard try host.fileType(path) == .regular else {
                notes.append("\(path): not a regular file; augenrules cannot read it")
                continue
            }
            let bytes = try host.readFile(path)
            files.append(File(name: name, bytes: bytes, model: AuditRulesFile(bytes: bytes)))
        }
        for f in files.dropLast() where f.bytes.last.map({ $0 != 0x0A }) ?? false {
            notes.append("\(f.path): no final newline; augenrules joins its last line with the next file's first line")
        }
        return AuditRulesTree(files: files, notes: notes, machine: machine, awk: awk)
    }

    /// The file called `name`, if it exists.
    func file(_ name: String) -> File? { files.first { $0.name == name } }

    /// The name of the file augenrules reads last.
    var lastLoaded: String? { files.last?.name }

    /// The augenrules merge of the tree.
    var merge: AugenrulesMerge {
        AugenrulesMerge(files: files.map { ($0.name, $0.bytes) }, awk: awk)
    }

    /// `path:line` (1-based) of an origin.
    func location(_ o: AugenrulesMerge.Origin) -> String { "\(Self.directory)/\(o.file):\(o.line + 1)" }

    /// The text of the line an origin names, as written.
    func text(_ o: AugenrulesMerge.Origin) -> String {
        guard let f = file(o.file), o.line < f.model.lines.count else { return "" }
        return f.model.lines[o.line].text
    }

    /// Every merged line auditctl would act on (blank and comment lines left out), in load order,
    /// with `-w` watches resolved against the target (`isDirectory`).
    func loaded(isDirectory: (String) -> Bool) -> [Loaded] {
        var out: [Loaded] = []
        for (i, r) in merge.records.enumerated() {
            switch AuditRulesFile.classify(r.bytes, machine: machine) {
            case .blank, .comment:
                continue
            case .rule(let rule):
                let resolved = rule.watchPath.map { rule.resolvingWatch(isDirectory: isDirectory($0)) } ?? rule
                out.append(Loaded(position: i, origin: r.origin, entry: .rule(resolved)))
            case .invalid(let p):
                out.append(Loaded(position: i, origin: r.origin, entry: .invalid(p)))
            }
        }
        return out
    }

    /// Invalid lines at which `auditctl -R` stops loading (no `-i` or `-c` before them), with the
    /// warning to show.
    static func loadStoppers(_ loaded: [Loaded], tree: AuditRulesTree) -> [String] {
        var tolerant = false
        var out: [String] = []
        for l in loaded {
            if let c = l.rule?.control, c == .ignoreErrors || c == .continueOnError { tolerant = true }
            if case .invalid(let p) = l.entry, !tolerant {
                out.append(
                    "\(tree.location(l.origin)): auditctl refuses this line (\(p.message)) and stops loading the rules after it"
                )
            }
        }
        return out
    }
}
