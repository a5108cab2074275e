import Foundation
import XCTest

/// The CLI's commands, formats and exit codes on real files.
final class CLITests: XCTestCase {
    let dir = HardenRunner.fixtures.appendingPathComponent("cli")

    func testValidateCleanProfileExitsZero() {
        let r = HardenRunner.run(["validate", "site.yaml"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "1 file, 4 rules: 0 errors, 0 warnings\n")
        XCTAssertEqual(r.stderr, "")
    }

    func testValidateWarningsFailOnlyWithStrict() {
        let r = HardenRunner.run(["validate", "expired-skip.yaml"], cwd: dir)
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stderr.hasPrefix("./expired-skip.yaml:6:10: warning: skip of 'ssh-root' expired on 2001-01-01; the rule applies again\n"), r.stderr)
        let strict = HardenRunner.run(["validate", "--strict", "expired-skip.yaml"], cwd: dir)
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stderr.hasSuffix("1 file, 1 rule: 0 errors, 1 warning\n"), strict.stderr)
    }

    func testValidateSeveralFilesReportsAllAndExitsOne() {
        let r = HardenRunner.run(["validate", "site.yaml", "two-errors.yaml"], cwd: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr.components(separatedBy: ": error: ").count - 1, 2, r.stderr)
        XCTAssertTrue(r.stderr.hasSuffix("2 files, 6 rules: 2 errors, 0 warnings\n"), r.stderr)
    }

    func testRulesTextAndJSON() throws {
        let text = HardenRunner.run(["rules", "--profile", "site.yaml", "--profile-path", "lib"], cwd: dir)
        XCTAssertEqual(text.status, 0, text.stderr)
        HardenRunner.golden(text.stdout, dir.appendingPathComponent("rules.txt.golden"))
        let json = HardenRunner.run(["rules", "--profile", "site.yaml", "--format", "json"], cwd: dir)
        XCTAssertEqual(json.status, 0, json.stderr)
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(obj["version"] as? Int, 1)
        let rules = obj["rules"] as! [[String: Any]]
        XCTAssertEqual(rules.map { $0["id"] as! String }, ["ssh-root-login", "ip-forward-off", "ssh-max-auth-tries", "k8s-ip-forward"])
        let skipped = rules[1]["skipped"] as! [String: Any]
        XCTAssertEqual(skipped["reason"] as? String, "Kubernetes nodes route pod traffic")
        XCTAssertEqual((rules[0]["refs"] as? [String: String])?["cis-debian12"], "5.1.20")
        XCTAssertEqual((rules[2]["resources"] as? [[String: Any]])?.first?["value"] as? String, "3", "--set default from site params")
    }

    func testSetOverridesAParam() throws {
        let r = HardenRunner.run(["rules", "--profile", "site.yaml", "--format", "json", "--set", "ssh_max_auth_tries=2"], cwd: dir)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let rules = obj["rules"] as! [[String: Any]]
        XCTAssertEqual((rules[2]["resources"] as? [[String: Any]])?.first?["value"] as? String, "2")
        let bad = HardenRunner.run(["rules", "--profile", "site.yaml", "--set", "nosuch=1"], cwd: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "error: --set nosuch=1: unknown param 'nosuch'\n")
        let malformed = HardenRunner.run(["rules", "--profile", "site.yaml", "--set", "novalue"], cwd: dir)
        XCTAssertEqual(malformed.status, 64, "usage errors exit 64")
        XCTAssertTrue(malformed.stderr.contains("--set takes NAME=VALUE, got 'novalue'"), malformed.stderr)
    }

    func testExplain() {
        let r = HardenRunner.run(["explain", "ip-forward-off", "--profile", "site.yaml"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        HardenRunner.golden(r.stdout, dir.appendingPathComponent("explain.txt.golden"))
        let missing = HardenRunner.run(["explain", "nope", "--profile", "site.yaml"], cwd: dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "error: no rule 'nope' in the profile set\n")
    }

    func testGraphTextAndDot() {
        let text = HardenRunner.run(["graph", "--profile", "site.yaml"], cwd: dir)
        XCTAssertEqual(text.status, 0, text.stderr)
        HardenRunner.golden(text.stdout, dir.appendingPathComponent("graph.txt.golden"))
        let dot = HardenRunner.run(["graph", "--profile", "site.yaml", "--format", "dot"], cwd: dir)
        XCTAssertEqual(dot.status, 0)
        HardenRunner.golden(dot.stdout, dir.appendingPathComponent("graph.dot.golden"))
    }

    func testMissingProfileAndUsageErrors() {
        let r = HardenRunner.run(["rules"], cwd: dir)
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("give at least one --profile NAME|FILE"), r.stderr)
        let none = HardenRunner.run(["rules", "--profile", "no-such-profile"], cwd: dir)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.hasPrefix("no-such-profile: error: no profile named 'no-such-profile'"), none.stderr)
        let unknown = HardenRunner.run(["frobnicate"], cwd: dir)
        XCTAssertEqual(unknown.status, 64)
    }

    func testShippedProfilesFoundFromTheCheckout() {
        let r = HardenRunner.run(["rules", "--profile", "base/ssh"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("ssh-max-auth-tries"), r.stdout)
    }
}
