import Foundation
import XCTest

/// The examples are correct: YAML parses, the DaemonSet is structurally valid Kubernetes, the
/// tailoring validates, and the demo root plans without errors.
final class ExamplesTests: XCTestCase {
    let examples = HardenRunner.repo.appendingPathComponent("examples")

    /// Every document of `file`, parsed by PyYAML (python3-yaml, installed by `make test`).
    func documents(_ file: String) throws -> [[String: Any]] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]))", file]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(file) does not parse as YAML")
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    func testCloudInitUserDataParsesAndAppliesTheNodeRole() throws {
        let path = examples.appendingPathComponent("cloud-init/user-data.yaml").path
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("#cloud-config"))
        let docs = try documents(path)
        XCTAssertEqual(docs.count, 1)
        let text = String(describing: docs[0])
        XCTAssertTrue(text.contains("harden apply") && text.contains("ack-node") && text.contains("--yes"), text)
    }

    func testDaemonSetIsValidKubernetes() throws {
        let docs = try documents(examples.appendingPathComponent("kubernetes/daemonset.yaml").path)
        for d in docs {
            XCTAssertNotNil(d["apiVersion"] as? String)
            XCTAssertNotNil(d["kind"] as? String)
            XCTAssertNotNil((d["metadata"] as? [String: Any])?["name"] as? String)
        }
        guard let ds = docs.first(where: { $0["kind"] as? String == "DaemonSet" }) else { return XCTFail("no DaemonSet") }
        XCTAssertEqual(ds["apiVersion"] as? String, "apps/v1")
        let spec = ds["spec"] as! [String: Any]
        let selector = (spec["selector"] as! [String: Any])["matchLabels"] as! [String: String]
        let template = spec["template"] as! [String: Any]
        let labels = (template["metadata"] as! [String: Any])["labels"] as! [String: String]
        for (k, v) in selector { XCTAssertEqual(labels[k], v, "selector \(k) must match the pod template") }
        let pod = template["spec"] as! [String: Any]
        let containers = pod["containers"] as! [[String: Any]]
        XCTAssertFalse(containers.isEmpty)
        for c in containers {
            XCTAssertNotNil(c["name"] as? String)
            XCTAssertNotNil(c["image"] as? String)
            XCTAssertNotNil((c["resources"] as? [String: Any])?["limits"], "every container has limits")
        }
        let command = containers.map { String(describing: $0["command"] ?? "") + String(describing: $0["args"] ?? "") }.joined()
        XCTAssertTrue(command.contains("check") && command.contains("/host") && command.contains("junit"), command)
        XCTAssertNotNil(pod["tolerations"], "runs on every node")
    }

    func testTailoringValidatesAndDemoRootPlans() {
        let v = HardenRunner.run(["validate", "--strict", "examples/tailoring/site.yaml"], cwd: HardenRunner.repo)
        XCTAssertEqual(v.status, 0, v.stderr)
        let p = HardenRunner.run(["plan", "--root", "examples/roots/debian12-node", "--profile", "cis-debian12-l1"], cwd: HardenRunner.repo)
        XCTAssertEqual(p.status, 2, p.stdout + p.stderr)
        XCTAssertFalse(p.stdout.contains("\nerror:"), p.stdout)
    }

    func testSystemdUnitRunsBeforeSSHAndKubelet() throws {
        let unit = try String(contentsOf: examples.appendingPathComponent("systemd/harden-apply.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("Type=oneshot"))
        XCTAssertTrue(unit.contains("Before=") && unit.contains("ssh") && unit.contains("kubelet.service"))
        XCTAssertTrue(unit.contains("harden apply") && unit.contains("--yes"))
    }
}
