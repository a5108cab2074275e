import Foundation
import XCTest

@testable import HardenKit

/// Fixture access and tree helpers for the sysctl tests.
enum SysctlFixtures {
    /// `Tests/Fixtures/sysctl`, found from this file's location.
    static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures").appendingPathComponent("sysctl")
    }

    /// Bytes of `Fixtures/sysctl/<relative>` (symlinks followed).
    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    /// Every regular file (symlinks followed) under `Fixtures/sysctl/<name>`, keyed by its
    /// absolute path inside that tree (`/etc/sysctl.conf`).
    static func tree(_ name: String) throws -> [String: [UInt8]] {
        let base = root.appendingPathComponent(name)
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: base.path)
        while let relative = enumerator?.nextObject() as? String {
            let url = base.appendingPathComponent(relative)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else {
                continue
            }
            files["/" + relative] = [UInt8](try Data(contentsOf: url))
        }
        return files
    }

    /// Applies `edits` to `files`; `aliases` maps a symlink path to its target so the link
    /// shows the target's new bytes, as on disk.
    static func apply(
        _ edits: [FileEdit], to files: inout [String: [UInt8]], aliases: [String: String] = [:]
    ) {
        for edit in edits {
            files[edit.path] = edit.after
            for (link, target) in aliases where target == edit.path { files[link] = edit.after }
        }
    }
}

/// A host with entries that are not regular files: symlinks to /dev/null (a character
/// device), dangling symlinks, and paths that cannot be read.
final class SysctlSpecialHost: HostReader, @unchecked Sendable {
    let base: MemoryHost
    let devNull: Set<String>
    let dangling: Set<String>
    let unreadable: Set<String>

    init(_ base: MemoryHost, devNull: Set<String> = [], dangling: Set<String> = [], unreadable: Set<String> = []) {
        self.base = base
        self.devNull = devNull
        self.dangling = dangling
        self.unreadable = unreadable
    }

    func readFile(_ path: String) throws(HostError) -> [UInt8] {
        if unreadable.contains(path) { throw .permissionDenied(path) }
        if devNull.contains(path) { throw .notRegularFile(path) }
        if dangling.contains(path) { throw .notFound(path) }
        return try base.readFile(path)
    }

    func listDirectory(_ path: String) throws(HostError) -> [String] {
        let extra = (devNull.union(dangling)).filter { ($0 as NSString).deletingLastPathComponent == path }
            .map { ($0 as NSString).lastPathComponent }
        let names: [String]
        do { names = try base.listDirectory(path) } catch {
            if case .notFound = error, !extra.isEmpty { return extra }
            throw error
        }
        return Array(Set(names).union(extra))
    }

    func fileType(_ path: String) throws(HostError) -> HostFileType? {
        if devNull.contains(path) { return .other }
        if dangling.contains(path) { return nil }
        return try base.fileType(path)
    }
}

/// Live values for runtime tests.
struct SysctlTableRuntime: SysctlRuntime {
    var values: [String: String]
    func read(_ key: String) -> String? { values[key] }
}

final class SysctlFixtureTests: XCTestCase {
    func testDebianFilesRoundTripByteForByte() throws {
        for path in [
            "debian12/etc/sysctl.conf", "debian12/etc/sysctl.d/99-sysctl.conf",
            "debian12/usr/lib/sysctl.d/50-pid-max.conf", "debian12/usr/lib/sysctl.d/99-protect-links.conf",
            "centos7/etc/sysctl.conf", "centos7/usr/lib/sysctl.d/00-system.conf",
            "centos7/usr/lib/sysctl.d/50-default.conf",
        ] {
            let bytes = try SysctlFixtures.bytes(path)
            XCTAssertFalse(bytes.isEmpty, path)
            XCTAssertEqual(SysctlFile(bytes: bytes).render(), bytes, path)
        }
    }

    func testDebianSymlinkIsKeptAsASymlink() throws {
        let link = SysctlFixtures.root.appendingPathComponent("debian12/etc/sysctl.d/99-sysctl.conf").path
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "../sysctl.conf")
    }

    func testDebianSysctlConfHasOnlyCommentsAndBlanks() throws {
        let file = SysctlFile(bytes: try SysctlFixtures.bytes("debian12/etc/sysctl.conf"))
        XCTAssertTrue(file.assignments.isEmpty)
        XCTAssertEqual(file.lines.count, 68)
        XCTAssertTrue(file.lines.allSatisfy { $0.entry == .comment || $0.entry == .blank })
    }

    func testDebianVendorFilesParse() throws {
        let pid = SysctlFile(bytes: try SysctlFixtures.bytes("debian12/usr/lib/sysctl.d/50-pid-max.conf"))
        XCTAssertEqual(pid.assignments.map(\.assignment.key), ["kernel.pid_max"])
        XCTAssertEqual(pid.assignments.first?.assignment.value, "4194304")
        let links = SysctlFile(bytes: try SysctlFixtures.bytes("debian12/usr/lib/sysctl.d/99-protect-links.conf"))
        XCTAssertEqual(
            links.assignments.map { "\($0.assignment.key)=\($0.assignment.value)" },
            ["fs.protected_fifos=1", "fs.protected_hardlinks=1", "fs.protected_regular=2", "fs.protected_symlinks=1"])
    }
}
