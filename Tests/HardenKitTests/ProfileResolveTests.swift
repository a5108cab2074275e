import XCTest
import YAMLSyntax
@testable import HardenKit

/// extends, params, --set, overrides, conflicts, skips, and reporting everything at once.
final class ProfileResolveTests: XCTestCase {
    func testExtendsLookupOrderBesideThenProfilePathThenShipped() {
        let d = ProfileDir()
        d.write("site/site.yaml", "profile: site\nextends: [mid]\nrules: []\n")
        d.write("site/mid.yaml", "profile: mid\nextends: [base/ssh]\nrules: [{id: mid-rule, sysctl: {a.b: 1}}]\n")
        d.write("lib/base/ssh.yaml", "profile: base-ssh\nrules: [{id: lib-rule, sysctl: {c.d: 1}}]\n")
        d.write("shipped/base/ssh.yaml", "profile: shipped-ssh\nrules: []\n")
        d.write("shipped/only-shipped.yaml", "profile: only-shipped\nrules: []\n")
        let set = d.load(["site/site.yaml"], paths: ["lib"], shipped: ["shipped"])
        XCTAssertEqual(set.errors(relativeTo: d), [])
        XCTAssertEqual(set.profiles.map(\.name), ["base-ssh", "mid", "site"], "parents first; --profile-path beats shipped")
        let shippedOnly = d.load(["site/site.yaml"], shipped: ["shipped"])
        XCTAssertEqual(shippedOnly.profiles.map(\.name), ["shipped-ssh", "mid", "site"])
        let byName = d.load(["only-shipped"], shipped: ["shipped"])
        XCTAssertEqual(byName.profiles.map(\.name), ["only-shipped"])
    }

    func testRelativePathExtendsAndDiamondLoadsOnce() {
        let d = ProfileDir()
        d.write("a.yaml", "profile: a\nextends: [./parts/b.yaml, parts/c.yaml]\nrules: []\n")
        d.write("parts/b.yaml", "profile: b\nextends: [common.yaml]\nrules: []\n")
        d.write("parts/c.yaml", "profile: c\nextends: [common]\nrules: []\n")
        d.write("parts/common.yaml", "profile: common\nrules: [{id: x, sysctl: {k.v: 1}}]\n")
        let set = d.load(["a.yaml"])
        XCTAssertEqual(set.errors(relativeTo: d), [])
        XCTAssertEqual(set.profiles.map(\.name), ["common", "b", "c", "a"])
        XCTAssertEqual(set.rules.count, 1)
    }

    func testCycleIsAnErrorNamingTheChain() {
        let d = ProfileDir()
        d.write("a.yaml", "profile: a\nextends: [b]\nrules: []\n")
        d.write("b.yaml", "profile: b\nextends: [c]\nrules: []\n")
        d.write("c.yaml", "profile: c\nextends: [a]\nrules: []\n")
        d.write("self.yaml", "profile: self\nextends: [self]\nrules: []\n")
        XCTAssertEqual(d.load(["a.yaml"]).errors(relativeTo: d), ["c.yaml:2:11: error: extends cycle: a.yaml -> b.yaml -> c.yaml -> a.yaml"])
        XCTAssertEqual(d.load(["self.yaml"]).errors(relativeTo: d), ["self.yaml:2:11: error: extends cycle: self.yaml -> self.yaml"])
    }

    func testBadExtendsEntries() {
        let d = ProfileDir()
        d.write("a.yaml", "profile: a\nextends: [missing, ../up.yaml, /abs.yaml, Bad_Name]\nrules: []\n")
        let errors = d.load(["a.yaml"]).errors(relativeTo: d)
        XCTAssertEqual(errors.count, 4)
        XCTAssertTrue(errors[0].hasPrefix("a.yaml:2:11: error: cannot find profile 'missing' (looked in "), errors[0])
        XCTAssertEqual(errors[1], "a.yaml:2:20: error: extends '../up.yaml' must not contain '..'")
        XCTAssertEqual(errors[2], "a.yaml:2:32: error: extends '/abs.yaml' must be a name or a relative path, not an absolute path")
        XCTAssertTrue(errors[3].contains("Bad_Name"))
    }

    func testParamsChildOverridesParentAndSetOverridesAll() {
        let d = ProfileDir()
        d.write("base.yaml", "profile: base\nparams: {tries: 6, level: INFO}\nrules:\n  - {id: t, sshd: {MaxAuthTries: \"${tries}\", LogLevel: \"${level}\"}}\n")
        d.write("site.yaml", "profile: site\nextends: [base]\nparams: {tries: 4}\nrules: []\n")
        func values(_ set: ProfileSet) -> [String] {
            guard case .sshd(let s) = set.rule("t")!.rule.body else { return [] }
            return s.map { $0.values[0].text }
        }
        XCTAssertEqual(values(d.load(["site.yaml"])), ["4", "INFO"])
        XCTAssertEqual(values(d.load(["site.yaml"], sets: [("tries", "3"), ("level", "VERBOSE")])), ["3", "VERBOSE"])
        XCTAssertEqual(
            d.load(["site.yaml"], sets: [("trie", "3")]).errors(relativeTo: d),
            ["error: --set trie=3: unknown param 'trie'; did you mean 'tries'?"])
    }

    func testUnknownParamIsAnErrorAtItsUse() {
        let d = ProfileDir()
        d.write("p.yaml", "profile: p\nparams: {max_tries: 4}\nrules:\n  - {id: t, sshd: {MaxAuthTries: \"x${max_trie}\"}}\n  - {id: u, sysctl: {a.b: \"${oops\"}}\n  - {id: v, sysctl: {a.c: \"$${literal}\"}}\n")
        let set = d.load(["p.yaml"])
        XCTAssertEqual(set.errors(relativeTo: d), [
            "p.yaml:4:36: error: unknown param 'max_trie'; did you mean 'max_tries'?",
            "p.yaml:5:28: error: unterminated '${' in value",
        ])
        guard case .sysctl(let s) = set.rule("v")!.rule.body else { return XCTFail() }
        XCTAssertEqual(s[0].value.text, "${literal}")
    }

    func testOverrideReplacesAndDuplicateWithoutOverrideIsAnError() {
        let d = ProfileDir()
        d.write("base.yaml", "profile: base\nrules:\n  - {id: fwd, sysctl: {net.ipv4.ip_forward: 0}}\n")
        d.write("ok.yaml", "profile: ok\nextends: [base]\nrules:\n  - {id: fwd, override: true, sysctl: {net.ipv4.ip_forward: 1}}\n")
        d.write("bad.yaml", "profile: bad\nextends: [base]\nrules:\n  - {id: fwd, sysctl: {net.ipv4.ip_forward: 1}}\n")
        let ok = d.load(["ok.yaml"])
        XCTAssertEqual(ok.errors(relativeTo: d), [])
        XCTAssertEqual(ok.rules.count, 1)
        XCTAssertEqual(ok.rule("fwd")?.replaced?.profile, "base")
        XCTAssertEqual(ok.rule("fwd")?.rule.body.claims.first?.value, "1")
        let bad = d.load(["bad.yaml"])
        XCTAssertEqual(bad.errors(relativeTo: d), ["bad.yaml:4:5: error: rule 'fwd' is already defined by profile 'base'; add 'override: true' to replace it"])
        XCTAssertEqual(bad.diagnostics.first?.notes.first?.header.replacingOccurrences(of: d.url.path + "/", with: ""),
                       "base.yaml:3:5: note: 'fwd' first defined here")
    }

    func testConflictsNameBothRulesWithFileAndLine() {
        let d = ProfileDir()
        d.write("a.yaml", """
            profile: a
            rules:
              - {id: cis-fwd, sysctl: {net.ipv4.ip_forward: 0}}
              - {id: ssh-a, sshd: {PermitRootLogin: "no"}}
              - {id: ld-a, keyvalue: {path: /etc/login.defs, set: {PASS_MAX_DAYS: 365}}}
              - {id: shadow-a, file: {path: /etc/shadow, mode: "0640"}}
            """)
        d.write("b.yaml", """
            profile: b
            rules:
              - {id: k8s-fwd, sysctl: {net/ipv4/ip_forward: 1}}
              - {id: ssh-b, sshd: {permitrootlogin: "no"}}
              - {id: ld-b, keyvalue: {path: /etc/login.defs, set: {PASS_MAX_DAYS: 90}}}
              - {id: shadow-b, file: {path: /etc/shadow, mode: "0000", owner: root}}
            """)
        let set = d.load(["a.yaml", "b.yaml"])
        XCTAssertEqual(set.errors(relativeTo: d), [
            "b.yaml:3:49: error: rules 'cis-fwd' (a.yaml:3) and 'k8s-fwd' (b.yaml:3) set sysctl:net.ipv4.ip_forward to different values ('0' and '1')",
            "b.yaml:5:71: error: rules 'ld-a' (a.yaml:5) and 'ld-b' (b.yaml:5) set keyvalue:/etc/login.defs:PASS_MAX_DAYS to different values ('365' and '90')",
            "b.yaml:6:52: error: rules 'shadow-a' (a.yaml:6) and 'shadow-b' (b.yaml:6) set mode of file:/etc/shadow to different values ('0640 ceiling' and '0000 ceiling')",
        ], "ssh-a and ssh-b agree (keyword case differs), so no conflict")
    }

    func testSkipsExpiredAndNot() {
        let d = ProfileDir()
        d.write("p.yaml", """
            profile: p
            rules:
              - {id: a, sysctl: {x.a: 1}}
              - {id: b, sysctl: {x.b: 1}}
              - {id: c, sysctl: {x.c: 1}}
            skip:
              - {id: a, reason: waived, expires: 2026-05-31}
              - {id: b, reason: waived, expires: 2026-06-01}
              - {id: c, reason: forever}
            """)
        let set = d.load(["p.yaml"], today: "2026-06-01")
        XCTAssertEqual(set.errors(relativeTo: d), [])
        XCTAssertEqual(set.warnings(relativeTo: d), ["p.yaml:7:10: warning: skip of 'a' expired on 2026-05-31; the rule applies again"])
        XCTAssertFalse(set.rule("a")!.isSkipped)
        XCTAssertTrue(set.rule("b")!.isSkipped, "a skip is good through its expiry day")
        XCTAssertEqual(set.rule("c")?.skip?.reason, "forever")
        XCTAssertEqual(set.activeRules.map(\.id), ["a"])
    }

    func testSkippedRuleDoesNotConflict() {
        let d = ProfileDir()
        d.write("cis.yaml", "profile: cis\nrules:\n  - {id: cis-fwd, sysctl: {net.ipv4.ip_forward: 0}}\n")
        d.write("node.yaml", "profile: node\nextends: [cis]\nrules:\n  - {id: k8s-fwd, sysctl: {net.ipv4.ip_forward: 1}}\nskip:\n  - {id: cis-fwd, reason: pods need forwarding}\n")
        let set = d.load(["node.yaml"])
        XCTAssertEqual(set.errors(relativeTo: d), [])
        XCTAssertEqual(set.activeRules.map(\.id), ["k8s-fwd"])
    }

    func testAllDiagnosticsOfASetAtOnce() {
        let d = ProfileDir()
        d.write("base.yaml", "profile: base\nrules:\n  - {id: dup, sysctl: {a.b: 1}}\n  - {id: x, sshd: {Bogus: 1}}\n")
        d.write("site.yaml", """
            profile: site
            extends: [base, nowhere]
            colour: red
            rules:
              - {id: dup, sysctl: {a.b: 2}}
              - {id: y, file: {path: relative, mode: "9"}}
              - {id: z, sysctl: {k.v: "${missing}"}}
            skip:
              - {id: ghost, reason: r}
              - {id: y}
            """)
        let errors = d.load(["site.yaml"]).errors(relativeTo: d)
        XCTAssertEqual(errors.count, 9, errors.joined(separator: "\n"))
        for fragment in ["unknown key 'colour'", "cannot find profile 'nowhere'", "unknown sshd keyword 'Bogus'",
                         "rule 'dup' is already defined", "path 'relative' must be absolute", "mode '9'",
                         "unknown param 'missing'", "skip of unknown rule 'ghost'", "a skip needs a 'reason'"] {
            XCTAssertTrue(errors.contains { $0.contains(fragment) }, fragment)
        }
    }

    func testUnknownProfileNameOnTheCommandLine() {
        let d = ProfileDir()
        let set = d.load(["nope"], paths: ["lib"])
        XCTAssertEqual(set.errors(relativeTo: d), ["nope: error: no profile named 'nope' (looked in lib)"])
    }

    func testGraphNodesEdgesAndDeterministicOrder() {
        let d = ProfileDir()
        d.write("p.yaml", """
            profile: p
            rules:
              - {id: perm, file: {path: /etc/login.defs, mode: "0644"}}
              - {id: ld, keyvalue: {path: /etc/login.defs, set: {PASS_MAX_DAYS: 365}}}
              - {id: ssh1, sshd: {PermitRootLogin: "no"}}
              - {id: ssh2, sshd: {PermitRootLogin: "no", MaxAuthTries: 4}}
              - {id: fwd, sysctl: {net.ipv4.ip_forward: 1}}
              - {id: id, audit: {rules: ["-w /etc/passwd -p wa -k identity"]}}
            """)
        let set = d.load(["p.yaml"])
        let g1 = DesiredGraph(rules: set.activeRules)
        let g2 = DesiredGraph(rules: set.activeRules.reversed())
        XCTAssertEqual(g1.order, g2.order, "order does not depend on rule order")
        XCTAssertEqual(g1.order, [
            "sysctl:net.ipv4.ip_forward", "keyvalue:/etc/login.defs:PASS_MAX_DAYS", "sshd:maxauthtries",
            "sshd:permitrootlogin", "audit:-a always,exit -F path=/etc/passwd -F perm=wa -k identity", "file:/etc/login.defs",
            "sysctl-runtime:net.ipv4.ip_forward", "service:auditd", "service:sshd",
        ])
        XCTAssertEqual(g1.nodes["sshd:permitrootlogin"]?.rules, ["ssh1", "ssh2"])
        XCTAssertEqual(g1.nodes["file:/etc/login.defs"]?.after, ["keyvalue:/etc/login.defs:PASS_MAX_DAYS"])
        XCTAssertEqual(g1.nodes["sysctl-runtime:net.ipv4.ip_forward"]?.after, ["sysctl:net.ipv4.ip_forward"])
        XCTAssertEqual(g1.nodes["service:sshd"]?.after.sorted(), ["sshd:maxauthtries", "sshd:permitrootlogin"])
        for (i, key) in g1.order.enumerated() {
            for dep in g1.nodes[key]!.after { XCTAssertLessThan(g1.order.firstIndex(of: dep)!, i, "\(dep) before \(key)") }
        }
        XCTAssertTrue(g1.renderDot().contains("\"sysctl:net.ipv4.ip_forward\" -> \"sysctl-runtime:net.ipv4.ip_forward\";"))
    }
}
