import Foundation
import XCTest
@testable import HardenKit

/// The real-filesystem reader never leaves --root, on the hostile fixture root.
class RootHostTests: XCTestCase {
    static let hostileRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/roots/hostile").path
    let outsideDir = "/tmp/harden-hostile-outside"

    var host: RootHost!
    /// Whether the host keeps walked directories open (`plan`/`check`); the subclass runs every
    /// test again with it on.
    class var caching: Bool { false }

    override func setUpWithError() throws {
        host = try RootHost(root: Self.hostileRoot, cachesDirectories: Self.caching)
        try FileManager.default.createDirectory(atPath: outsideDir, withIntermediateDirectories: true)
        try "OUTSIDE-SECRET\n".write(toFile: outsideDir + "/secret", atomically: false, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: outsideDir)
    }

    func text(_ path: String) throws -> String { String(decoding: try host.readFile(path), as: UTF8.self) }

    func expect(_ path: String, _ error: HostError, line: UInt = #line) {
        XCTAssertThrowsError(try host.readFile(path), line: line) { XCTAssertEqual($0 as? HostError, error, line: line) }
    }

    func testAbsoluteSymlinkIsReRooted() throws {
        XCTAssertEqual(try text("/etc/abs-escape"), try text("/etc/passwd"))
        XCTAssertTrue(try text("/etc/abs-escape").contains("harden-target-only"), "the target's passwd, not the host's")
    }

    func testDotDotStopsAtTheRoot() throws {
        XCTAssertEqual(try text("/../../../etc/passwd"), try text("/etc/passwd"))
        XCTAssertEqual(try text("/etc/../../etc/passwd"), try text("/etc/passwd"))
    }

    func testEscapingSymlinksStayInsideAndNothingOutsideIsTouched() throws {
        let watch = try OutsideWatch(outsideDir)
        expect("/etc/rel-escape", .notFound("/etc/rel-escape"))
        expect("/etc/abs-outside", .notFound("/etc/abs-outside"))
        // a directory symlink that climbs out lists the root's own /tmp
        XCTAssertEqual(try host.listDirectory("/etc/dirlink").sorted(), ["inside"])
        XCTAssertEqual(try text("/etc/dirlink/inside/marker"), "inside\n")
        XCTAssertEqual(try host.resolvedPath("/etc/rel-escape"), "/tmp/harden-hostile-outside/secret")
        XCTAssertNil(try host.metadata("/etc/abs-outside"))
        XCTAssertEqual(watch.events(), 0, "something opened or read the file outside the root")
        // the watch itself works: reading the outside file directly is seen
        _ = try String(contentsOfFile: outsideDir + "/secret", encoding: .utf8)
        XCTAssertGreaterThan(watch.events(), 0)
    }

    func testSymlinkLoopsAndLongChains() {
        expect("/etc/loop-a", .symlinkLoop("/etc/loop-a"))
        expect("/etc/self-loop", .symlinkLoop("/etc/self-loop"))
        expect("/etc/chain0", .symlinkLoop("/etc/chain0"))  // 45 links > 40
        XCTAssertEqual(try? text("/etc/short-chain"), "end\n")
    }

    func testDirectoryWhereAFileShouldBe() {
        expect("/etc/ssh/sshd_config", .notRegularFile("/etc/ssh/sshd_config"))
        expect("/etc/ssh/sshd_config/x/y", .notFound("/etc/ssh/sshd_config/x/y"))
        expect("/etc/passwd/x", .notDirectory("/etc/passwd/x"))
        XCTAssertThrowsError(try host.listDirectory("/etc/passwd")) { XCTAssertEqual($0 as? HostError, .notDirectory("/etc/passwd")) }
    }

    func testFIFOAndDeviceAreRefusedWithoutOpening() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("roothost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: tmp.path + "/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        XCTAssertEqual(mkfifo(tmp.path + "/etc/fifo", 0o644), 0)
        XCTAssertEqual(mknod(tmp.path + "/etc/null", S_IFCHR | 0o666, dev_t((1 << 8) | 3)), 0)
        let h = try RootHost(root: tmp.path)
        let start = Date()
        XCTAssertThrowsError(try h.readFile("/etc/fifo")) { XCTAssertEqual($0 as? HostError, .notRegularFile("/etc/fifo")) }
        XCTAssertThrowsError(try h.readFile("/etc/null")) { XCTAssertEqual($0 as? HostError, .notRegularFile("/etc/null")) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "a FIFO must not block")
        XCTAssertEqual(try h.fileType("/etc/fifo"), .other)
    }

    func testTooLarge() throws {
        let small = try RootHost(root: Self.hostileRoot, maxFileSize: 10)
        XCTAssertThrowsError(try small.readFile("/etc/passwd")) { XCTAssertEqual($0 as? HostError, .tooLarge("/etc/passwd", limit: 10)) }
    }

    func testRootMustBeADirectory() {
        XCTAssertThrowsError(try RootHost(root: "/nonexistent-root")) { XCTAssertEqual($0 as? HostError, .notFound("/nonexistent-root")) }
        XCTAssertFalse(host.isLiveRoot)
        XCTAssertTrue(try RootHost(root: "/").isLiveRoot)
    }

    func testMetadataDoesNotFollowTheFinalLinkUnlessAsked() throws {
        XCTAssertEqual(try host.metadata("/etc/abs-escape", follow: false)?.type, .symlink)
        XCTAssertEqual(try host.metadata("/etc/abs-escape", follow: true)?.type, .regular)
        XCTAssertEqual(try host.readLink("/etc/abs-escape"), "/etc/passwd")
    }

    func testAccountsComeFromTheTarget() throws {
        let accounts = try Accounts(host: host)
        XCTAssertEqual(accounts.uid("harden-target-only"), 4242)
        XCTAssertEqual(accounts.gid("targetgrp"), 4243)
        XCTAssertEqual(accounts.gid("shadow"), 42)
        XCTAssertEqual(accounts.userName(4242), "harden-target-only")
        XCTAssertEqual(accounts.groupName(9999), "9999")
        XCTAssertEqual(accounts.uid("1234"), 1234, "numeric ids pass through")
        XCTAssertNil(accounts.uid("daemon"), "a host user the target does not have")
    }

    func testRecordingDoubleLogsEveryCall() throws {
        let rec = RecordingHost(MemoryHost(["/etc/a": "1"]))
        _ = try rec.readFile("/etc/a")
        _ = try? rec.listDirectory("/etc")
        _ = try rec.fileType("/etc/b")
        XCTAssertEqual(rec.calls, [.read("/etc/a"), .list("/etc"), .type("/etc/b")])
    }
}

/// The same confinement tests with directories kept open between lookups (`plan`, `check`),
/// plus what the cache itself must hold to.
final class RootHostCachingTests: RootHostTests {
    override class var caching: Bool { true }

    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    func testCachedLookupsAnswerLikeFreshWalksAndStayBounded() throws {
        // more directories than the cache keeps, reached directly, through `..`, through an
        // absolute and a relative symlink
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("roothost-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let count = RootHost.directoryCacheLimit + 44
        for i in 0..<count {
            try FileManager.default.createDirectory(atPath: tmp.path + "/d\(i)/sub", withIntermediateDirectories: true)
            try "f\(i)\n".write(toFile: tmp.path + "/d\(i)/sub/f", atomically: false, encoding: .utf8)
        }
        try FileManager.default.createSymbolicLink(atPath: tmp.path + "/abs", withDestinationPath: "/d3/sub")
        try FileManager.default.createSymbolicLink(atPath: tmp.path + "/d5/rel", withDestinationPath: "../../../d7")
        let before = Self.openDescriptors()
        do {
            let cached = try RootHost(root: tmp.path, cachesDirectories: true)
            let fresh = try RootHost(root: tmp.path)
            for round in 0..<2 {
                for i in 0..<count {
                    let p = "/d\(i)/sub/f"
                    XCTAssertEqual(try cached.readFile(p), try fresh.readFile(p), "round \(round) \(p)")
                    XCTAssertEqual(try cached.metadata("/d\(i)/sub"), try fresh.metadata("/d\(i)/sub"))
                    XCTAssertEqual(try cached.readFile("/d\(i)/../d\(i)/sub/f"), Array("f\(i)\n".utf8))
                }
                XCTAssertEqual(try cached.readFile("/abs/f"), Array("f3\n".utf8))
                XCTAssertEqual(try cached.readFile("/d5/rel/sub/f"), Array("f7\n".utf8))
                XCTAssertEqual(try cached.resolvedPath("/d5/rel/sub"), "/d7/sub")
                XCTAssertNil(try cached.metadata("/d1/missing"))
                XCTAssertThrowsError(try cached.readFile("/d1/sub/f/x")) {
                    XCTAssertEqual($0 as? HostError, .notDirectory("/d1/sub/f/x"))
                }
                XCTAssertEqual(try cached.listDirectory("/d9").sorted(), ["sub"])
                XCTAssertEqual(try cached.listDirectory("/").count, count + 1)
            }
            // the cache is bounded; lookups beyond it close what they open
            XCTAssertLessThanOrEqual(Self.openDescriptors() - before, RootHost.directoryCacheLimit + 2)
        }
        XCTAssertEqual(Self.openDescriptors(), before, "every descriptor is closed with the host")
    }
}

/// inotify on a directory outside the root: counts opens and reads of anything in it.
final class OutsideWatch {
    let fd: Int32

    init(_ dir: String) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK))
        guard fd >= 0 else { throw HostError.io(dir, errno: errno, message: "inotify") }
        let mask = UInt32(IN_OPEN) | UInt32(IN_ACCESS)
        guard inotify_add_watch(fd, dir, mask) >= 0 else { throw HostError.io(dir, errno: errno, message: "watch") }
    }

    deinit { close(fd) }

    /// Number of events since the last call.
    func events() -> Int {
        var count = 0
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            var off = 0
            while off < n {
                let len = buf.withUnsafeBytes { $0.load(fromByteOffset: off + 12, as: UInt32.self) }
                count += 1
                off += 16 + Int(len)
            }
        }
        return count
    }
}
