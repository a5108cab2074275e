import Foundation

/// One verdict per rule (pass, fail, skipped, error) from a plan, with text, JSON and JUnit
/// renderings for people, scripts and CI dashboards.
public struct CheckReport: Sendable {
    public enum Verdict: String, Sendable { case pass, fail, skipped, error }

    public struct Item: Sendable {
        public var rule: String
        public var title: String?
        public var severity: String
        public var refs: [(benchmark: String, item: String)]
        public var verdict: Verdict
        /// Why it failed, was skipped or errored; what is wrong per resource.
        public var details: [String]
    }

    public var items: [Item]

    public init(set: ProfileSet, plan: Plan, graph: DesiredGraph) {
        var byKey: [String: Observation] = [:]
        for o in plan.observations { byKey[o.key] = o }
        var keysByRule: [String: [String]] = [:]
        for key in graph.order where !key.hasPrefix("service:") {
            for r in graph.nodes[key]!.rules { keysByRule[r, default: []].append(key) }
        }
        items = set.rules.map { r in
            var item = Item(
                rule: r.rule.id, title: r.rule.title, severity: r.rule.severity.rawValue, refs: r.rule.refs,
                verdict: .pass, details: [])
            if let s = r.skip {
                item.verdict = .skipped
                item.details = [s.reason + (s.expires.map { " (until \($0))" } ?? "")]
                return item
            }
            for key in keysByRule[r.rule.id] ?? [] {
                // runtime values are only probed on the live root
                if key.hasPrefix("sysctl-runtime:") && !plan.liveRoot && byKey[key] == nil { continue }
                guard let o = byKey[key] else {
                    item.verdict = .error
                    item.details.append("\(key): not probed (the \(r.rule.body.kindName) kind cannot plan yet)")
                    continue
                }
                switch o.status {
                case .compliant: break
                case .pending:
                    if item.verdict == .pass { item.verdict = .fail }
                    item.details.append("\(key): is \(o.current ?? "unset"), wants \(o.desired)")
                case .error(let reason):
                    item.verdict = .error
                    item.details.append("\(key): \(reason)")
                }
            }
            return item
        }
    }

    public func count(_ v: Verdict) -> Int { items.filter { $0.verdict == v }.count }

    public func text() -> String {
        var out = ""
        for i in items {
            let word = i.verdict.rawValue.uppercased()
            out += "\(word.padding(toLength: 7, withPad: " ", startingAt: 0)) \(i.rule)"
            if let t = i.title { out += "  \(t)" }
            out += "\n"
            for d in i.details { out += "        \(d)\n" }
        }
        out += "\(count(.pass)) passed, \(count(.fail)) failed, \(count(.skipped)) skipped, \(count(.error)) errors\n"
        return out
    }

    public func jsonObject() -> [String: Any] {
        [
            "version": 1,
            "summary": ["pass": count(.pass), "fail": count(.fail), "skipped": count(.skipped), "error": count(.error)],
            "rules": items.map { i -> [String: Any] in
                [
                    "id": i.rule, "title": i.title ?? NSNull(), "severity": i.severity, "verdict": i.verdict.rawValue,
                    "details": i.details,
                    "refs": Dictionary(i.refs.map { ($0.benchmark, $0.item) }, uniquingKeysWith: { a, _ in a }),
                ]
            },
        ]
    }

    /// JUnit XML: one testcase per rule; fail → <failure>, error → <error>, skipped → <skipped>.
    public func junit(suite: String) -> String {
        func esc(_ s: String) -> String {
            var o = ""
            for ch in s.unicodeScalars {
                switch ch {
                case "&": o += "&amp;"
                case "<": o += "&lt;"
                case ">": o += "&gt;"
                case "\"": o += "&quot;"
                case "'": o += "&apos;"
                default:
                    if ch.value < 0x20 && ch != "\n" && ch != "\t" { o += "?" } else { o.unicodeScalars.append(ch) }
                }
            }
            return o
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"harden\" tests=\"\(items.count)\" failures=\"\(count(.fail))\" errors=\"\(count(.error))\" skipped=\"\(count(.skipped))\">\n"
        out += "  <testsuite name=\"\(esc(suite))\" tests=\"\(items.count)\" failures=\"\(count(.fail))\" errors=\"\(count(.error))\" skipped=\"\(count(.skipped))\">\n"
        for i in items {
            let refs = i.refs.map { "\($0.benchmark) \($0.item)" }.joined(separator: ", ")
            let name = i.rule + (i.title.map { ": " + $0 } ?? "")
            out += "    <testcase classname=\"\(esc(suite))\" name=\"\(esc(name))\""
            let body = i.details.joined(separator: "\n")
            switch i.verdict {
            case .pass: out += "/>\n"
            case .fail:
                out += ">\n      <failure message=\"\(esc(i.details.first ?? "not compliant"))\" type=\"\(esc(i.severity))\">\(esc(body + (refs.isEmpty ? "" : "\nrefs: " + refs)))</failure>\n    </testcase>\n"
            case .error:
                out += ">\n      <error message=\"\(esc(i.details.first ?? "error"))\">\(esc(body))</error>\n    </testcase>\n"
            case .skipped:
                out += ">\n      <skipped message=\"\(esc(i.details.first ?? ""))\"/>\n    </testcase>\n"
            }
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }
}
