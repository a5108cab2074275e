/// The file-writing half of pam-auth-update: `create_from_template`, `get_template_md5sum`
/// and the `/var/lib/pam/<type>` state of `write_profiles`.
enum PamAuthUpdateTemplate {
    private typealias Diff = PamAuthUpdateDiff

    /// The template's text outside the managed blocks (markers kept): what pam-auth-update
    /// hashes to recognise a stock file.
    static func boilerplate(_ template: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        walk(template) { line, _ in out += line } block: { _ in }
        return out
    }

    /// Walks the template like both Perl loops: `copy` gets every line kept, `block` is called
    /// right after the Primary and Additional markers. Returns the final state (4 = complete).
    @discardableResult
    private static func walk(
        _ template: [UInt8], copy: ([UInt8], Int) -> Void, block: (String) -> Void
    ) -> Int {
        var state = 0
        for line in PamPerl.lines(template) {
            if state == 1 {
                if Diff.starts(line, Diff.fallbackMarker) {
                    copy(line, state)
                    state += 1
                }
                continue
            }
            if state == 3 {
                if Diff.starts(line, Diff.endMarker) {
                    copy(line, state)
                    state += 1
                }
                continue
            }
            copy(line, state)
            if state == 0 && Diff.starts(line, Diff.primaryMarker) {
                block("Primary")
                state += 1
            } else if state == 2 && Diff.starts(line, Diff.additionalMarker) {
                block("Additional")
                state += 1
            }
        }
        return state
    }

    /// The lines of one block, in order: (profile, line of the profile field).
    static func blockLines(
        profiles: [String: PamConfigProfile], enabled: [String], ucType: String, block: String
    ) -> [(String, String)] {
        var out: [(String, String)] = []
        var position = 0
        for mod in enabled {
            guard let p = profiles[mod], let t = p.blockType(ucType), !t.isEmpty, t == block else { continue }
            let text = p.lines(ucType, position: position)
            position += 1
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) { out.append((mod, String(line))) }
        }
        return out
    }

    /// `create_from_template`: the new `common-<type>`, nil when the template lacks markers.
    static func create(
        template: [UInt8], profiles: [String: PamConfigProfile], enabled: [String], diff: PamAuthUpdateDiff.TypeDiff,
        type: String
    ) -> [UInt8]? {
        let ucType = type.prefix(1).uppercased() + type.dropFirst()
        let printed = type.replacingOccurrences(of: "-noninteractive", with: "")
        var out: [UInt8] = []
        let state = walk(template) { line, _ in out += line } block: { block in
            let lines = blockLines(profiles: profiles, enabled: enabled, ucType: ucType, block: block)
            var count = lines.count
            if block == "Additional" { count -= 1 }
            if block == "Primary" && count == 0 { out += Array("\(printed)\t[default=1]\t\t\tpam_permit.so\n".utf8) }
            for (_, line) in lines {
                out += Array("\(printed)\t".utf8) + Array(merge(line, diff: diff, count: count).utf8)
                count -= 1
            }
        }
        return state < 4 ? nil : out
    }

    /// `merge_one_line`: a profile line with `end` resolved and the admin's argument changes.
    static func merge(_ line: String, diff: PamAuthUpdateDiff.TypeDiff, count: Int) -> String {
        guard let split = Diff.splitModLine(line) else { return line + "\n" }
        var opts = PamPerl.splitSpace(split.rest)
        let modline = split.mod.replacingOccurrences(of: "end", with: String(count))
        let key = PamPerl.stripJumpNumber(modline)
        var i = 0
        while i < opts.count {
            diff.add[key]?.remove(opts[i])
            if diff.remove[key]?.contains(opts[i]) == true {
                opts.remove(at: i)
                continue
            }
            i += 1
        }
        let adds = (diff.add[key] ?? []).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return modline + " " + (opts + adds).joined(separator: " ") + "\n"
    }

    /// The `/var/lib/pam/<type>` pam-auth-update saves: Primary profiles' lines (or the
    /// `null` placeholder), then Additional ones, each under `Module: <name>`.
    static func savedState(profiles: [String: PamConfigProfile], enabled: [String], type: String) -> [UInt8] {
        let ucType = type.prefix(1).uppercased() + type.dropFirst()
        var out = ""
        var position = 0
        for mod in enabled {
            guard let p = profiles[mod], let t = p.blockType(ucType), !t.isEmpty, t != "Additional" else { continue }
            let text = p.lines(ucType, position: position)
            position += 1
            if !text.isEmpty && text != "0" { out += "Module: \(mod)\n\(text)\n" }
        }
        if position == 0 { out += "Module: null\n[default=1]\t\t\tpam_permit.so\n" }
        position = 0
        for mod in enabled {
            guard let p = profiles[mod], let t = p.blockType(ucType), !t.isEmpty, t != "Primary" else { continue }
            let text = p.lines(ucType, position: position)
            position += 1
            if !text.isEmpty && text != "0" { out += "Module: \(mod)\n\(text)\n" }
        }
        return Array(out.utf8)
    }
}
