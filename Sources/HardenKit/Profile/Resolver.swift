import YAMLSyntax

/// Turns loaded profiles into one `ProfileSet`: params (with `--set`), rule overrides, `${}`
/// expansion and value checks, skips, and conflicts between rules.
struct Resolver {
    let options: LoadOptions
    private var diagnostics: [Diagnostic] = []

    init(options: LoadOptions) { self.options = options }

    mutating func resolve(_ profiles: [Profile]) -> ProfileSet {
        let params = resolveParams(profiles)
        var rules = mergeRules(profiles)
        var interp = Interpolator(params: params)
        for i in rules.indices {
            rules[i].rule.body = interp.expand(rules[i].rule.body)
        }
        diagnostics += interp.diagnostics
        for i in rules.indices {
            rules[i].rule.claims = rules[i].rule.body.claims
            // values that failed to expand are already reported; do not echo them as bad values
            let found = BodyCheck.check(rules[i].rule.body).filter { d in !interp.failed.contains { $0 == d.mark } }
            if found.hasErrors || rules[i].rule.body.values.contains(where: { interp.failed.contains($0.mark) }) {
                rules[i].rule.broken = true
            }
            diagnostics += found
        }
        applySkips(profiles, &rules)
        findConflicts(rules)
        return ProfileSet(profiles: profiles, rules: rules, params: params, diagnostics: diagnostics)
    }

    private mutating func resolveParams(_ profiles: [Profile]) -> [String: String] {
        var params: [String: String] = [:]
        for p in profiles {
            for (name, value) in p.params { params[name] = value.text }
        }
        for (name, value) in options.sets {
            if params[name] == nil {
                var message = "--set \(name)=\(value): unknown param '\(name)'"
                if let g = Suggest.closest(name, in: params.keys.sorted()) { message += "; did you mean '\(g)'?" }
                diagnostics.append(Diagnostic(.error, message, path: nil))
            } else {
                params[name] = value
            }
        }
        return params
    }

    private mutating func mergeRules(_ profiles: [Profile]) -> [ResolvedRule] {
        var rules: [ResolvedRule] = []
        var index: [String: Int] = [:]
        for p in profiles {
            for rule in p.rules {
                if let i = index[rule.id] {
                    let earlier = rules[i].rule
                    if rule.override {
                        rules[i] = ResolvedRule(rule: rule, skip: nil, replaced: earlier)
                    } else if rule.broken {
                        continue  // its own errors are reported; a duplicate-id error would only echo them
                    } else {
                        diagnostics.append(
                            .error(
                                "rule '\(rule.id)' is already defined by profile '\(earlier.profile)'; add 'override: true' to replace it",
                                at: rule.mark, notes: [.note("'\(rule.id)' first defined here", at: earlier.mark)]))
                    }
                } else {
                    if rule.override {
                        diagnostics.append(
                            .error(
                                "rule '\(rule.id)' says 'override: true' but no profile it extends defines '\(rule.id)'",
                                at: rule.mark))
                    }
                    index[rule.id] = rules.count
                    rules.append(ResolvedRule(rule: rule, skip: nil, replaced: nil))
                }
            }
        }
        return rules
    }

    private mutating func applySkips(_ profiles: [Profile], _ rules: inout [ResolvedRule]) {
        var index: [String: Int] = [:]
        for (i, r) in rules.enumerated() { index[r.rule.id] = i }
        for p in profiles {
            for skip in p.skips {
                guard let i = index[skip.id] else {
                    var message = "skip of unknown rule '\(skip.id)'"
                    if let g = Suggest.closest(skip.id, in: Array(index.keys).sorted()) {
                        message += "; did you mean '\(g)'?"
                    }
                    diagnostics.append(.error(message, at: skip.mark))
                    continue
                }
                if let e = skip.expires, e < options.today {
                    diagnostics.append(
                        .warning("skip of '\(skip.id)' expired on \(e); the rule applies again", at: skip.mark))
                    continue
                }
                rules[i].skip = skip
            }
        }
    }

    private mutating func findConflicts(_ rules: [ResolvedRule]) {
        var first: [String: (claim: Claim, rule: Int)] = [:]
        first.reserveCapacity(rules.count * 2)
        var reported: Set<String> = []
        for (index, r) in rules.enumerated() where !r.isSkipped && !r.rule.broken {
            for claim in r.rule.claims {
                guard let (prev, prevIndex) = first[claim.slot] else {
                    first[claim.slot] = (claim, index)
                    continue
                }
                let prevRule = rules[prevIndex].rule
                if prev.value != claim.value, prevRule.id != r.rule.id, !reported.contains(claim.slot + r.rule.id) {
                    reported.insert(claim.slot + r.rule.id)
                    let what = claim.attribute.isEmpty ? claim.node : "\(claim.attribute) of \(claim.node)"
                    diagnostics.append(
                        .error(
                            "rules '\(prevRule.id)' (\(prev.mark.fileLine)) and '\(r.rule.id)' (\(claim.mark.fileLine)) set \(what) to different values ('\(Self.show(prev.value))' and '\(Self.show(claim.value))')",
                            at: claim.mark,
                            notes: [.note("'\(prevRule.id)' sets it here", at: prev.mark)]))
                }
            }
        }
    }

    private static func show(_ v: String) -> String { v.replacingOccurrences(of: "\n", with: " ") }
}
