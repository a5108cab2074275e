import Foundation

/// The lockout guard: a PAM line is only planned when its module exists in the target, since a
/// `required` line naming a missing module denies every login. `pam_tally`/`pam_tally2` are
/// refused on Linux-PAM 1.5 and later, where they no longer exist.
final class PamModuleGuard {
    /// Where libpam and distributions keep modules (Debian multiarch, RHEL, generic).
    static let searchDirectories = [
        "/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security",
        "/lib/aarch64-linux-gnu/security", "/usr/lib/aarch64-linux-gnu/security",
        "/lib64/security", "/usr/lib64/security", "/lib/security", "/usr/lib/security",
    ]

    private let host: HostReader
    private var cache: [String: String?] = [:]
    private var versionProbe: (version: [Int], text: String, source: String)??
    /// Paths read (dpkg status, os-release).
    private(set) var readPaths: [String] = []

    init(host: HostReader) { self.host = host }

    /// Where `module` is in the target, or nil when it is nowhere.
    func location(of module: String) -> String? {
        if let hit = cache[module] { return hit }
        var found: String? = nil
        let candidates =
            module.hasPrefix("/") ? [module] : Self.searchDirectories.map { $0 + "/" + module }
        for path in candidates where (try? host.fileType(path)) == .regular {
            found = path
            break
        }
        cache[module] = found
        return found
    }

    /// Why a line of `module` must not be planned, or nil when it may.
    func problem(for module: String) -> PamProblem? {
        let name = PamLine.baseName(module)
        if name == "pam_tally2.so" || name == "pam_tally.so" {
            if let v = version(), v.version.lexicographicallyPrecedes([1, 5]) == false {
                return PamProblem(
                    "\(name) was removed in Linux-PAM 1.5 and the target has Linux-PAM \(v.text) (\(v.source)); use pam_faillock.so"
                )
            }
            if location(of: module) == nil {
                return PamProblem(
                    "\(name) is not installed in the target (it no longer exists in Linux-PAM 1.5 and later); use pam_faillock.so"
                )
            }
            return nil
        }
        if location(of: module) == nil {
            let where_ = module.hasPrefix("/") ? module : "any of " + Self.searchDirectories.joined(separator: ", ")
            return PamProblem(
                "module \(module) is not installed in the target (looked in \(where_)); adding a line for it would lock users out"
            )
        }
        return nil
    }

    /// The target's Linux-PAM version: Debian's dpkg status (libpam-modules, else libpam0g),
    /// else hints of RPM systems (`/usr/share/doc/pam-X.Y.Z`, `/etc/os-release`).
    func version() -> (version: [Int], text: String, source: String)? {
        if let v = versionProbe { return v }
        let v = probeVersion()
        versionProbe = .some(v)
        return v
    }

    private func probeVersion() -> (version: [Int], text: String, source: String)? {
        if let status = try? host.readIfPresent("/var/lib/dpkg/status") {
            readPaths.append("/var/lib/dpkg/status")
            for package in ["libpam-modules", "libpam0g"] {
                if let v = Self.dpkgVersion(PamPerl.string(status), package: package) {
                    let upstream = Self.upstream(v)
                    return (Self.numbers(upstream), upstream, "/var/lib/dpkg/status \(package) \(v)")
                }
            }
        }
        if let names = try? host.listDirectory("/usr/share/doc") {
            for name in names where name.hasPrefix("pam-") && name.dropFirst(4).first?.isNumber == true {
                let text = String(name.dropFirst(4))
                return (Self.numbers(text), text, "/usr/share/doc/\(name)")
            }
        }
        if let osr = try? host.readIfPresent("/etc/os-release") {
            readPaths.append("/etc/os-release")
            var id = "", version = ""
            for line in PamPerl.string(osr).split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                let value = parts[1].trimmingCharacters(in: ["\"", "'"])
                if parts[0] == "ID" { id = value }
                if parts[0] == "VERSION_ID" { version = value }
            }
            let major = version.split(separator: ".").first.map(String.init) ?? ""
            let el = ["rhel", "centos", "rocky", "almalinux", "ol", "anolis"]
            let known: [String: String] = [
                "alinux:2": "1.1.8", "alinux:3": "1.3.1", "amzn:2": "1.1.8", "amzn:2023": "1.5.1",
            ]
            var text = known["\(id):\(major)"]
            if text == nil, el.contains(id) { text = ["7": "1.1.8", "8": "1.3.1", "9": "1.5.1"][major] }
            if let text { return (Self.numbers(text), text, "/etc/os-release \(id) \(version)") }
        }
        return nil
    }

    /// The `Version:` of an installed package stanza in a dpkg status file.
    static func dpkgVersion(_ status: String, package: String) -> String? {
        for stanza in status.components(separatedBy: "\n\n") {
            var name = "", version = "", installed = false
            for line in stanza.split(separator: "\n") {
                if line.hasPrefix("Package: ") { name = String(line.dropFirst(9)) }
                if line.hasPrefix("Version: ") { version = String(line.dropFirst(9)) }
                if line.hasPrefix("Status: ") && line.hasSuffix(" installed") { installed = true }
            }
            if name == package && installed && !version.isEmpty { return version }
        }
        return nil
    }

    /// `1:1.5.2-6+deb12u1` → `1.5.2`.
    static func upstream(_ v: String) -> String {
        var s = Substring(v)
        if let colon = s.firstIndex(of: ":") { s = s[s.index(after: colon)...] }
        if let dash = s.lastIndex(of: "-") { s = s[..<dash] }
        return String(s)
    }

    /// Leading numeric components: `1.5.2` → [1, 5, 2].
    static func numbers(_ v: String) -> [Int] {
        var out: [Int] = []
        for part in v.split(separator: ".") {
            guard let n = Int(part.prefix { $0.isNumber }) else { break }
            out.append(n)
        }
        return out
    }
}
