import Foundation

/// Stacks authselect owns (RHEL 8+, Alibaba Cloud Linux 3) are probed but never edited:
/// authselect regenerates them and aborts on "unexpected content" once they are touched. An
/// entry that does not hold is an error naming the way authselect offers: the feature of the
/// selected profile whose template has the line (`authselect enable-feature with-faillock`),
/// `authselect apply-changes` when that feature is already on, the config file a module reads
/// its settings from, or a custom profile.
enum PamAuthselect {
    /// `/etc/authselect/authselect.conf`: the selected profile and its features.
    struct Config: Equatable {
        var profile: String
        var features: [String]

        init(bytes: [UInt8]) {
            let words = PamPerl.string(bytes).split(whereSeparator: { $0 == "\n" }).map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            profile = words.first ?? ""
            features = Array(words.dropFirst())
        }

        /// Where the selected profile's templates live.
        var directory: String {
            if profile.hasPrefix("custom/") { return "/etc/authselect/" + profile }
            return "/usr/share/authselect/default/" + profile
        }
    }

    /// Features of authselect's stock profiles, by module.
    static let moduleFeatures: [String: String] = [
        "pam_faillock.so": "with-faillock", "pam_pwhistory.so": "with-pwhistory", "pam_access.so": "with-pamaccess",
        "pam_mkhomedir.so": "with-mkhomedir", "pam_oddjob_mkhomedir.so": "with-mkhomedir",
        "pam_fprintd.so": "with-fingerprint", "pam_u2f.so": "with-pam-u2f", "pam_ecryptfs.so": "with-ecryptfs",
        "pam_gnome_keyring.so": "with-pam-gnome-keyring", "pam_systemd_home.so": "with-systemd-homed",
        "pam_sss_gss.so": "with-gssapi",
    ]

    /// Files that hold a module's settings instead of its arguments (the `keyvalue` kind edits them).
    static let configFiles: [String: String] = [
        "pam_faillock.so": "/etc/security/faillock.conf", "pam_pwquality.so": "/etc/security/pwquality.conf",
        "pam_pwhistory.so": "/etc/security/pwhistory.conf",
    ]

    /// The observation of `d` on an authselect-owned file.
    static func observe(
        _ d: PamDesired, location: PamServiceLocation, host: HostReader, modules: PamModuleGuard,
        readPaths: inout [String]
    ) -> Observation {
        var obs = Observation(key: d.resourceKey, desired: d.summary, current: nil, status: .compliant)
        let bytes: [UInt8]?
        do {
            bytes = try host.readIfPresent(location.servicePath)
        } catch {
            obs.status = .error(error.description)
            return obs
        }
        readPaths.append(location.servicePath)
        var file = PamFile(bytes: bytes ?? [])
        if let f = try? PamStackEditor.apply(d, to: &file, guard: modules) {
            obs.current = f.current
            obs.source = f.line.map { "\(location.servicePath):\($0)" }
            if f.compliant { return obs }
        }
        let config = (try? host.readIfPresent("/etc/authselect/authselect.conf")).flatMap { $0 }.map(Config.init)
        if config != nil { readPaths.append("/etc/authselect/authselect.conf") }
        let service = String(location.servicePath.dropFirst("/etc/pam.d/".count))
        var template: [UInt8]? = nil
        if let dir = config?.directory, let t = try? host.readIfPresent(dir + "/" + service) {
            template = t
            readPaths.append(dir + "/" + service)
        }
        obs.status = .error(location.authselect! + "; harden does not edit it: " + advice(d, config, template))
        return obs
    }

    /// What to do instead.
    static func advice(_ d: PamDesired, _ config: Config?, _ template: [UInt8]?) -> String {
        let profile = config?.profile ?? "the selected profile"
        var feature = template.flatMap { Self.feature(for: d, inTemplate: $0) } ?? moduleFeatures[d.moduleName]
        if d.editsArgs && d.removeArgs.contains("nullok") && d.moduleName == "pam_unix.so" { feature = "without-nullok" }
        if d.editsArgs, feature != "without-nullok", let conf = configFiles[d.moduleName] {
            return "set these options in \(conf) instead (the keyvalue kind)"
        }
        if let feature, !d.editsArgs || feature == "without-nullok" {
            let on = config?.features.contains(feature) ?? false
            if d.state == .absent && !d.editsArgs {
                return on ? "disable the feature: authselect disable-feature \(feature)" : "the line comes from \(profile) itself; use a custom profile"
            }
            return on
                ? "the feature \(feature) is enabled but the file lacks the line: run authselect apply-changes"
                : "enable the feature: authselect enable-feature \(feature)"
        }
        return "make a custom profile with the line (authselect create-profile harden -b \(profile), edit it, authselect select custom/harden)"
    }

    /// The feature under which the profile template has a line of `d`'s type and module
    /// (`{include if "with-faillock"}` at the line's end).
    static func feature(for d: PamDesired, inTemplate template: [UInt8]) -> String? {
        for raw in PamPerl.lines(template) {
            let text = PamPerl.string(raw)
            guard let r = text.range(of: "{include if \"") else { continue }
            let rest = text[r.upperBound...]
            guard let q = rest.firstIndex(of: "\"") else { continue }
            let line = PamLine(raw: Array(text[..<r.lowerBound].utf8))
            if line.isRule && line.baseType == d.baseType && line.moduleName == d.moduleName {
                return String(rest[..<q])
            }
        }
        return nil
    }
}
