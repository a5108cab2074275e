import Foundation
import YAMLSyntax
#if canImport(Glibc)
import Glibc
#endif

/// The live system's runtime side: /proc/sys and service reloads. Used only when the root is
/// `/`; arguments go to programs as argv, never through a shell string.
enum Runtime {
    static func readSysctl(_ key: String) -> String? {
        let path = "/proc/sys/" + SysctlKey.procPath(key)
        guard let b = try? FileBytes.read(path, limit: 1 << 20) else { return nil }
        return String(decoding: b, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func writeSysctl(_ key: String, _ value: String) throws(HostError) {
        let path = "/proc/sys/" + SysctlKey.procPath(key)
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 { throw .io(path, errno: errno, message: "cannot write runtime value: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        if bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) < 0 {
            throw .io(path, errno: errno, message: "cannot write runtime value: \(String(cString: strerror(errno)))")
        }
    }

    /// `systemctl reload UNIT` when systemd runs and the unit is active; nothing otherwise.
    static func reload(_ unit: String) throws(HostError) {
        if unit == "auditd" {
            // rules: merge rules.d and load them (systemctl restart auditd is refused on EL)
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/augenrules") else { return }
            let r = run("/usr/sbin/augenrules", ["--load"])
            if r.status != 0 { throw .io("augenrules", errno: EIO, message: "augenrules --load failed: \(r.output)") }
            return
        }
        guard FileManager.default.fileExists(atPath: "/run/systemd/system") else { return }
        let candidates = unit == "sshd" ? ["ssh", "sshd"] : [unit]
        for u in candidates where run("/usr/bin/systemctl", ["is-active", "--quiet", u]).status == 0 {
            let r = run("/usr/bin/systemctl", ["reload", u])
            if r.status != 0 { throw .io(u, errno: EIO, message: "systemctl reload \(u) failed: \(r.output)") }
            return
        }
    }

    /// Run a program with arguments (no shell), at most `timeout` seconds; status and output.
    static func run(_ exe: String, _ args: [String], timeout: Double = 30) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("harden-run-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: tmp.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: tmp) }
        guard let h = try? FileHandle(forWritingTo: tmp) else { return (-1, "cannot capture output") }
        p.standardOutput = h
        p.standardError = h
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "cannot run \(exe): \(error)") }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            return (-1, "\(exe) timed out after \(Int(timeout)) s")
        }
        p.waitUntilExit()
        try? h.close()
        let out = (try? String(contentsOf: tmp, encoding: .utf8)) ?? ""
        return (p.terminationStatus, out.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
