import CHardenSys
import Crypto
import Foundation
import XCTest

/// A fixture root materialized (with its modes and owners) into a fresh temporary directory,
/// and manifests of trees for before/after comparisons.
final class RootFixture {
    let url: URL
    var path: String { url.path }

    init(_ name: String) throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("harden-root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        url = parent.appendingPathComponent("root")
        let p = Process()
        p.executableURL = HardenRunner.fixtures.appendingPathComponent("roots/materialize")
        p.arguments = [name, url.path]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw NSError(domain: "materialize \(name) failed", code: Int(p.terminationStatus)) }
    }

    deinit { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }

    func file(_ rel: String) -> String { path + rel }

    func read(_ rel: String) -> String? { try? String(contentsOfFile: file(rel), encoding: .utf8) }

    func write(_ rel: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (file(rel) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file(rel), atomically: false, encoding: .utf8)
    }

    /// Every entry below the root except harden's own state directory: path, type, mode,
    /// uid, gid, xattrs, SHA-256, link target; with `times`, also mtime and inode.
    func manifest(times: Bool = false) -> [String: String] {
        Manifest.of(path, times: times)
    }
}

enum Manifest {
    static func of(_ root: String, times: Bool = false, excluding: [String] = ["/var/lib/harden"]) -> [String: String] {
        var out: [String: String] = [:]
        var stack = [""]
        while let rel = stack.popLast() {
            if excluding.contains(rel) { continue }
            let full = root + rel
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            var line = "type=\(st.st_mode & S_IFMT) mode=\(String(st.st_mode & 0o7777, radix: 8)) uid=\(st.st_uid) gid=\(st.st_gid)"
            switch st.st_mode & S_IFMT {
            case S_IFLNK:
                line += " link=\((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?")"
            case S_IFREG:
                let data = (try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data()
                line += " sha256=" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            case S_IFDIR:
                for name in (try? FileManager.default.contentsOfDirectory(atPath: full)) ?? [] { stack.append(rel + "/" + name) }
            default: break
            }
            var names = [CChar](repeating: 0, count: 4096)
            let n = harden_llistxattr(full, &names, UInt(names.count))
            if n > 0 {
                // by name: the order a file system lists attributes in is not part of the file
                var attrs: [String] = []
                var start = 0
                for i in 0..<n where names[i] == 0 {
                    let name = String(decoding: names[start..<i].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    start = i + 1
                    var value = [UInt8](repeating: 0, count: 4096)
                    let len = harden_lgetxattr(full, name, &value, UInt(value.count))
                    attrs.append(" xattr:\(name)=\(len >= 0 ? value[0..<len].map { String($0, radix: 16) }.joined() : "?")")
                }
                line += attrs.sorted().joined()
            }
            if times { line += " mtime=\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) inode=\(st.st_ino)" }
            out[rel.isEmpty ? "/" : rel] = line
        }
        return out
    }

    /// Human list of differences (for failure messages).
    static func diff(_ a: [String: String], _ b: [String: String]) -> String {
        var lines: [String] = []
        for k in Set(a.keys).union(b.keys).sorted() where a[k] != b[k] {
            lines.append("\(k): \(a[k] ?? "absent") => \(b[k] ?? "absent")")
        }
        return lines.prefix(20).joined(separator: "\n")
    }
}
