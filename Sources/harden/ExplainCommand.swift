import ArgumentParser
import Foundation
import HardenKit

/// `harden explain RULE --profile P`: everything known about one rule.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Show one rule: where it comes from, what it sets, its skip state.")

    @Argument(help: "The rule id.")
    var rule: String

    @OptionGroup var common: CommonOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws { try common.requireProfile() }

    func run() throws {
        let out = Output(noColor: common.noColor)
        guard let set = common.loadSet(out) else { throw ExitCode(ExitCodes.error) }
        guard let r = set.rules.first(where: { $0.rule.id == rule }) else {
            out.error("error: no rule '\(rule)' in the profile set")
            throw ExitCode(ExitCodes.error)
        }
        if format == .json {
            out.json(RuleJSON.object(r))
            return
        }
        var lines = ["\(out.bold(r.rule.id))" + (r.rule.title.map { ": \($0)" } ?? "")]
        lines.append("  defined in  \(r.rule.profile) at \(r.rule.mark)")
        if let old = r.replaced { lines.append("  overrides   \(old.profile) at \(old.mark)") }
        lines.append("  severity    \(r.rule.severity.rawValue)")
        lines.append("  kind        \(r.rule.body.kindName)")
        for ref in r.rule.refs { lines.append("  ref         \(ref.benchmark) \(ref.item)") }
        if !r.rule.tags.isEmpty { lines.append("  tags        \(r.rule.tags.joined(separator: ", "))") }
        for c in r.rule.body.claims {
            let attr = c.attribute.isEmpty ? "" : " \(c.attribute)"
            lines.append("  sets        \(c.node)\(attr) = \(c.value.replacingOccurrences(of: "\n", with: " "))")
        }
        if let s = r.skip {
            lines.append("  SKIPPED     \(s.reason) (by \(s.profile)\(s.expires.map { ", until \($0)" } ?? ""))")
        } else {
            lines.append("  status      applies")
        }
        if let d = r.rule.description {
            lines.append("")
            lines.append(d.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        out.print(lines.joined(separator: "\n"))
    }
}
