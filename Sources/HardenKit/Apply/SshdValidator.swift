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
        if mode == "host", let outside = includesOutside(edits) {
            // this machine's sshd would resolve that Include on this machine, not in the root
            return .skipped("the configuration includes \(outside), outside /etc/ssh; validating it with this machine's sshd would read this machine's files")
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

    /// The first `Include` pattern of the candidate /etc/ssh files that points outside /etc/ssh
    /// (relative patterns are relative to /etc/ssh), or nil.
    func includesOutside(_ edits: [PlanChange]) -> String? {
        var files: [[UInt8]] = edits.compactMap(\.after)
        var stack = ["/etc/ssh"]
        while let dir = stack.popLast() {
            for name in (try? host.listDirectory(dir)) ?? [] {
                let p = dir + "/" + name
                if edits.contains(where: { $0.path == p }) { continue }
                switch (try? host.metadata(p, follow: true)) ?? nil {
                case let st? where st.type == .directory: if stack.count < 64 { stack.append(p) }
                case let st? where st.type == .regular && st.size < (1 << 20):
                    if let b = try? host.readFile(p) { files.append(b) }
                default: break
                }
            }
        }
        for bytes in files {
            for line in Self.includeLines(bytes) {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" })
                guard let first = words.first, first.lowercased() == "include" else { continue }
                for pattern in words.dropFirst() {
                    let p = pattern.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                    if p.hasPrefix("/") && !(p.hasPrefix("/etc/ssh/") && !p.contains("/../")) { return p }
                    if !p.hasPrefix("/") && p.contains("..") { return p }
                }
            }
        }
        return nil
    }

    /// The lines (split at `\n` and `\r`) whose first word (words end at space, tab or `=`)
    /// is `include` in any case, as text. Found on the bytes with `memchr`: decoding a 10 MB
    /// comment line into Characters to look at its first word was most of an apply's time.
    static func includeLines(_ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            func consider(_ start: Int, _ end: Int) {
                var i = start
                while i < end, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x3D { i += 1 }
                let word = Array("include".utf8)
                guard end - i >= word.count else { return }
                for (k, c) in word.enumerated() where b[i + k] | 0x20 != c { return }
                let after = i + word.count
                guard after == end || b[after] == 0x20 || b[after] == 0x09 || b[after] == 0x3D else { return }
                out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
            }
            var start = 0
            while start < b.count {
                let nl = memchr(base + start, 0x0A, b.count - start).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? b.count
                var s = start
                while s < nl, let cr = memchr(base + s, 0x0D, nl - s) {
                    let e = base.distance(to: cr.assumingMemoryBound(to: UInt8.self))
                    consider(s, e)
                    s = e + 1
                }
                consider(s, nl)
                start = nl + 1
            }
        }
        return out
    }

    /// Copy the tree at `path` inside the root to `dest`, reading only through the
    /// root-confined host: files with their modes, directories, and a symlink as the file or
    /// directory it leads to inside the root (a link is never copied as a link, so nothing
    /// outside the root can be reached through the copy).
    func copyTree(_ path: String, to dest: String, depth: Int = 0) throws {
        guard depth < 16 else { return }
        for name in try host.listDirectory(path) {
            let src = path + "/" + name
            let out = dest + "/" + name
            guard let st = try host.metadata(src, follow: true) else { continue }
            switch st.type {
            case .directory:
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try copyTree(src, to: out, depth: depth + 1)
            case .regular:
                let bytes = try host.readFile(src)
                FileManager.default.createFile(atPath: out, contents: Data(bytes), attributes: [.posixPermissions: Int(st.mode)])
            case .symlink, .other:
                continue
            }
        }
    }
}
