import Foundation
import XCTest
import YAMLSyntax
@testable import HardenKit

/// A temporary directory of profile files for one test.
final class ProfileDir {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("harden-profiles-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = url.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: p.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! text.write(to: p, atomically: true, encoding: .utf8)
        return p.path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func load(_ entries: [String], paths: [String] = [], shipped: [String] = [], sets: [(String, String)] = [],
              today: String = "2026-06-01") -> ProfileSet {
        let opts = LoadOptions(
            profilePaths: paths.map { path($0) }, shippedDirs: shipped.map { path($0) },
            sets: sets.map { (name: $0.0, value: $0.1) }, today: today)
        return ProfileSet.load(entries.map { $0.contains("/") || $0.hasSuffix(".yaml") ? path($0) : $0 }, options: opts)
    }
}

extension ProfileSet {
    /// Headers of error diagnostics with the temp directory stripped.
    func errors(relativeTo dir: ProfileDir) -> [String] {
        diagnostics.filter { $0.severity == .error }.map { $0.header.replacingOccurrences(of: dir.url.path + "/", with: "") }
    }

    func warnings(relativeTo dir: ProfileDir) -> [String] {
        diagnostics.filter { $0.severity == .warning }.map { $0.header.replacingOccurrences(of: dir.url.path + "/", with: "") }
    }

    func rule(_ id: String) -> ResolvedRule? { rules.first { $0.rule.id == id } }
}
