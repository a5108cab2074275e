import Foundation
import XCTest

/// Runs the built `harden` binary (SwiftPM builds it for this test target) and captures
/// stdout, stderr and the exit status.
enum HardenRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repo.appendingPathComponent("Tests/Fixtures")

    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("harden")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        for dir in [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let p = dir.appendingPathComponent("harden")
            if FileManager.default.isExecutableFile(atPath: p.path) { return p }
        }
        return repo.appendingPathComponent(".build/debug/harden")
    }

    static func run(_ args: [String], cwd: URL? = nil, env: [String: String] = [:], timeout: TimeInterval = 60) -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        // output goes to temporary files: no pipe can fill up and block the child
        let tmp = FileManager.default.temporaryDirectory
        let outURL = tmp.appendingPathComponent("harden-out-\(UUID().uuidString)")
        let errURL = tmp.appendingPathComponent("harden-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let outHandle = try! FileHandle(forWritingTo: outURL)
        let errHandle = try! FileHandle(forWritingTo: errURL)
        p.standardOutput = outHandle
        p.standardError = errHandle
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return Result(status: -1, stdout: "", stderr: "cannot run \(binary.path): \(error)") }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(5_000) }
        if p.isRunning {
            p.terminate()
            XCTFail("harden \(args.joined(separator: " ")) did not finish within \(timeout) s")
        }
        p.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        let out = (try? Data(contentsOf: outURL)) ?? Data()
        let err = (try? Data(contentsOf: errURL)) ?? Data()
        return Result(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    static var recording: Bool { ProcessInfo.processInfo.environment["HARDEN_RECORD"] == "1" }

    /// Compare with a golden file, or rewrite it under HARDEN_RECORD=1.
    static func golden(_ actual: String, _ file: URL, line: UInt = #line, source: StaticString = #filePath) {
        if recording {
            try! actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            XCTFail("missing golden \(file.path); run with HARDEN_RECORD=1", file: source, line: line)
            return
        }
        XCTAssertEqual(actual, expected, "differs from \(file.lastPathComponent)", file: source, line: line)
    }
}
