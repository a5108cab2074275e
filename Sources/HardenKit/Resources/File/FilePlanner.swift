/// Plans owner, group and mode of paths. A mode is a ceiling by default (`0640` means "0640 or
/// stricter": the new mode is `current & 0640`, never adding a bit) or exact when asked; a
/// symlink is never followed for chmod/chown; a missing path is reported, or created only when
/// the rule says so. Names resolve through the target's own passwd and group files.
public enum FilePlanner {
    public static func plan(desired: [FileDesired], host: MetadataReader) -> KindPlan {
        var result = KindPlan()
        let accounts: Accounts
        do {
            accounts = try Accounts(host: host)
        } catch {
            for d in desired {
                result.observations.append(
                    Observation(key: d.key, desired: d.display, current: nil, status: .error("cannot read accounts: \(error)")))
            }
            return result
        }
        result.readPaths = ["/etc/passwd", "/etc/group"]
        for d in desired {
            result.observations.append(plan(d, host: host, accounts: accounts, into: &result.metadata))
        }
        return result
    }

    static func plan(_ d: FileDesired, host: MetadataReader, accounts: Accounts, into changes: inout [MetadataChange])
        -> Observation
    {
        var obs = Observation(key: d.key, desired: d.display, current: nil, status: .compliant)
        var uid: UInt32?
        if let owner = d.owner {
            guard let u = accounts.uid(owner) else {
                obs.status = .error("user '\(owner)' does not exist in the target's /etc/passwd")
                return obs
            }
            uid = u
        }
        let gids = d.groups.compactMap { accounts.gid($0) }
        if !d.groups.isEmpty && gids.isEmpty {
            obs.status = .error("none of the groups \(d.groups.joined(separator: ", ")) exists in the target's /etc/group")
            return obs
        }
        var targets: [(String, FileStat)] = []
        var named: Set<String> = []  // paths the rule names (not found by recursion)
        do {
            for path in try FileGlob.expand(d.path, host: host) {
                named.insert(path)
                guard let st = try host.metadata(path, follow: false) else {
                    if d.create {
                        var c = MetadataChange(path: path, key: d.key)
                        c.create = d.type == .directory ? .directory : .file
                        c.uidAfter = uid ?? 0
                        c.gidAfter = gids.first ?? 0
                        c.modeAfter = d.mode ?? (d.type == .directory ? 0o755 : 0o644)
                        c.displayBefore = "missing"
                        c.displayAfter = "\(accounts.userName(c.uidAfter!)):\(accounts.groupName(c.gidAfter!)) \(FileModes.octal(c.modeAfter!)) (new \(c.create!.rawValue))"
                        changes.append(c)
                        obs.status = .pending
                        obs.current = "missing"
                    } else {
                        obs.warnings.append("\(path) does not exist; nothing to enforce (the rule does not create it)")
                    }
                    continue
                }
                if d.recursive && st.type == .directory {
                    targets += try FileGlob.walk(path, exclude: d.exclude, host: host).map { ($0.path, $0.stat) }
                } else if !d.exclude.contains(where: { FileGlob.matches(path, $0) }) {
                    targets.append((path, st))
                }
            }
        } catch {
            obs.status = .error(error.description)
            return obs
        }
        if FileGlob.hasGlob(d.path) && targets.isEmpty && !d.create {
            obs.warnings.append("\(d.path) matches nothing")
        }
        var pending = 0
        for (path, st) in targets {
            switch (d.type, st.type) {
            case (.file, let t) where t != .regular: continue
            case (.directory, let t) where t != .directory: continue
            default: break
            }
            if st.type == .symlink {
                if named.contains(path) { obs.warnings.append("\(path) is a symlink; harden never follows symlinks for chmod/chown") }
                continue
            }
            if obs.current == nil {
                obs.current = "\(accounts.userName(st.uid)):\(accounts.groupName(st.gid)) \(FileModes.octal(st.mode))"
                obs.source = path
            }
            var c = MetadataChange(path: path, key: d.key)
            c.uidBefore = st.uid
            c.gidBefore = st.gid
            c.modeBefore = st.mode
            if let uid, uid != st.uid { c.uidAfter = uid }
            if !gids.isEmpty, !gids.contains(st.gid) { c.gidAfter = gids[0] }
            if let m = d.mode {
                let next = d.exactMode ? m : (st.mode & m)
                if next != st.mode { c.modeAfter = next }
            }
            if !c.isEmpty {
                c.displayBefore = "\(accounts.userName(st.uid)):\(accounts.groupName(st.gid)) \(FileModes.octal(st.mode))"
                c.displayAfter = "\(accounts.userName(c.uidAfter ?? st.uid)):\(accounts.groupName(c.gidAfter ?? st.gid)) \(FileModes.octal(c.modeAfter ?? st.mode))"
                changes.append(c)
                pending += 1
            }
        }
        if pending > 0 {
            obs.status = .pending
            if targets.count > 1 { obs.current = "\(pending) of \(targets.count) paths differ; first: \(obs.current ?? "")" }
        }
        return obs
    }
}
