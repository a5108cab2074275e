import ArgumentParser
import Foundation
import HardenKit

/// `harden rules --profile P`: the resolved rules with refs, severity and skip state.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "List the resolved rules of a profile set.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws { try common.requireProfile() }

    func run() throws {
        let out = Output(noColor: common.noColor)
        guard let set = common.loadSet(out) else { throw ExitCode(ExitCodes.error) }
        switch format {
        case .json:
            out.json(["version": 1, "rules": set.rules.map(RuleJSON.object)] as [String: Any])
        case .text:
            for r in set.rules {
                let refs = r.rule.refs.map { "\($0.benchmark) \($0.item)" }.joined(separator: ", ")
                var line = "\(out.bold(r.rule.id))  \(r.rule.severity.rawValue)  \(r.rule.body.kindName)"
                if !refs.isEmpty { line += "  [\(refs)]" }
                if let s = r.skip {
                    line += "  SKIPPED: \(s.reason)"
                    if let e = s.expires { line += " (until \(e))" }
                }
                out.print(line)
                if let t = r.rule.title { out.print("    \(t)") }
            }
            let skipped = set.rules.filter(\.isSkipped).count
            out.print("\(set.rules.count) rule\(set.rules.count == 1 ? "" : "s") (\(set.rules.count - skipped) active, \(skipped) skipped) from \(set.profiles.count) profile file\(set.profiles.count == 1 ? "" : "s")")
        }
    }
}

/// JSON shape of a rule, shared by `rules` and `explain`.
enum RuleJSON {
    static func object(_ r: ResolvedRule) -> [String: Any] {
        var o: [String: Any] = [
            "id": r.rule.id,
            "severity": r.rule.severity.rawValue,
            "kind": r.rule.body.kindName,
            "profile": r.rule.profile,
            "location": r.rule.mark.description,
            "refs": Dictionary(r.rule.refs.map { ($0.benchmark, $0.item) }, uniquingKeysWith: { a, _ in a }),
            "tags": r.rule.tags,
            "resources": r.rule.body.claims.map { c -> [String: Any] in
                ["key": c.node, "attribute": c.attribute, "value": c.value]
            },
        ]
        if let t = r.rule.title { o["title"] = t }
        if let d = r.rule.description { o["description"] = d }
        if let s = r.skip {
            var skip: [String: Any] = ["reason": s.reason, "profile": s.profile]
            if let e = s.expires { skip["expires"] = e }
            o["skipped"] = skip
        }
        if let old = r.replaced { o["overrides"] = ["profile": old.profile, "location": old.mark.description] }
        return o
    }
}
