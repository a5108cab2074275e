import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Validates a candidate sshd configuration with the real `sshd -t` before anything is
/// written: the target's /etc/ssh with the plan's edits is copied to a temporary directory and
/// bind-mounted over /etc/ssh in a private mount namespace, then `sshd -t` runs there — in a
/// chroot of the root when the root holds sshd, else the machine's own sshd. Nothing outside
/// the namespace sees the mount; nothing in the root is written.
public struct SshdValidator {
    public enum Result: Sendable, Equatable {
        case passed(String)
        case failed(String)
        case skipped(String)
    }

    let host: RootHost
    let rootPath: String
    let live: Bool

    static let script = """
        set -e
        cand=$1; root=$2; shift 2
        if [ "$root" = / ]; then target=/etc/ssh; run=/run; else target="$root/etc/ssh"; run="$root/run"; fi
        mount --bind "$cand" "$target"
        if [ -d "$run" ]; then mount -t tmpfs harden-validate "$run"; mkdir -p "$run/sshd"; chmod 0755 "$run/sshd"; fi
        if [ "$root" = / ]; then exec "$@"; else exec chroot "$root" "$@"; fi
        """

    public func validate(plan: Plan) -> Result {
        let edits = plan.changes.filter { $0.kind == .file && $0.path.hasPrefix("/etc/ssh/") }
        guard !edits.isEmpty else { return .skipped("no sshd configuration change") }
        let inRoot = (try? host.metadata("/usr/sbin/sshd", follow: true))??.type == .regular
        let mode: String
        if inRoot && !live {
            mode = "chroot"
        } else if FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") {
            mode = "host"
        } else {
            return .skipped("no sshd in the root or on this machine")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else {
            return .skipped("unshare(1) is not available")
        }
        guard (try? host.metadata("/etc/ssh", follow: false))??.type == .directory else {
            return .skipped("/etc/ssh is not a directory in the root")
        }
        var template = Array("/tmp/harden-sshd-XXXXXX".utf8CString)
        guard let dirPtr = mkdtemp(&template) else { return .skipped("cannot create a temporary directory") }
        let cand = String(cString: dirPtr)
        defer { try? FileManager.default.removeItem(atPath: cand) }
        do {
            try copyTree("/etc/ssh", to: cand)
            for e in edits {
                let dest = cand + String(e.path.dropFirst("/etc/ssh".count))
                if let after = e.after {
                    try FileManager.default.createDirectory(
                        atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    FileManager.default.createFile(atPath: dest, contents: Data(after), attributes: [.posixPermissions: 0o644])
                } else {
                    try? FileManager.default.removeItem(atPath: dest)
                }
            }
        } catch {
            return .skipped("cannot prepare the candidate: \(error)")
        }
        let args = ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", Self.script, "sh", cand,
                    mode == "chroot" ? rootPath : "/", "/usr/sbin/sshd", "-t", "-f", "/etc/ssh/sshd_config"]
        var r = Runtime.run("/usr/bin/unshare", args, timeout: 30)
        if r.status != 0, r.output.contains("no hostkeys available"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")
        {
            // the tree's host keys are placeholders or unreadable: check the syntax with a
            // throwaway key instead (the keys themselves are not what is being validated)
            let key = cand + "/harden-validate-host-key"
            if Runtime.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]).status == 0 {
                r = Runtime.run("/usr/bin/unshare", args + ["-o", "HostKey=/etc/ssh/harden-validate-host-key"], timeout: 30)
            }
        }
        if r.status == 0 { return .passed(mode == "chroot" ? "the root's sshd in a chroot" : "this machine's sshd") }
        let lines = r.output.split(separator: "\n").filter { !$0.contains("Unable to load host key") && !$0.contains("no hostkeys") }
        return .failed(lines.prefix(3).joined(separator: "; ").replacingOccurrences(of: cand, with: "/etc/ssh"))
    }

    /// Copy the tree at `path` inside the root to `dest` (files with their modes, directories,
    /// symlinks as links), reading only through the root-confined host.
    func copyTree(_ path: String, to dest: String) throws {
        for name in try host.listDirectory(path) {
            let src = path + "/" + name
            let out = dest + "/" + name
            guard let st = try host.metadata(src, follow: false) else { continue }
            switch st.type {
            case .directory:
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try copyTree(src, to: out)
            case .regular:
                let bytes = try host.readFile(src)
                FileManager.default.createFile(atPath: out, contents: Data(bytes), attributes: [.posixPermissions: Int(st.mode)])
            case .symlink:
                if let target = try host.readLink(src) { try? FileManager.default.createSymbolicLink(atPath: out, withDestinationPath: target) }
            case .other:
                continue
            }
        }
    }
}
