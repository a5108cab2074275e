/// One Debian `common-*` file seen through pam-auth-update's markers: which lines belong to
/// its Primary and Additional blocks, which profile wrote each of them, and whether a gap
/// falls inside a block (then only a profile can put a line there) or in the boilerplate
/// around them (which pam-auth-update copies as it is).
struct PamDebianStack {
    enum Region: Equatable { case primary, additional, boilerplate }

    let file: PamFile
    /// The pam-auth-update type (`auth` … `session-noninteractive`).
    let type: String
    /// The PAM type of its lines (`session` for `session-noninteractive`).
    let stackType: String
    private let primaryMarker: Int
    private let fallbackMarker: Int
    private let additionalMarker: Int
    private let endMarker: Int
    /// Profile of each entry of the Primary block, in order.
    let primaryOwners: [String]
    /// Profile of each entry of the Additional block, in order.
    let additionalOwners: [String]

    /// nil when a marker is missing or the blocks do not match the reconciled state.
    init?(file: PamFile, type: String, diff: PamAuthUpdateDiff) {
        self.file = file
        self.type = type
        self.stackType = type.replacingOccurrences(of: "-noninteractive", with: "")
        func find(_ marker: String, after: Int) -> Int? {
            file.lines.indices.first { $0 > after && PamAuthUpdateDiff.starts(file.lines[$0].raw, marker) }
        }
        guard let p = find(PamAuthUpdateDiff.primaryMarker, after: -1),
            let f = find(PamAuthUpdateDiff.fallbackMarker, after: p),
            let a = find(PamAuthUpdateDiff.additionalMarker, after: f)
        else { return nil }
        let e = find(PamAuthUpdateDiff.endMarker, after: a) ?? file.lines.count
        (primaryMarker, fallbackMarker, additionalMarker, endMarker) = (p, f, a, e)
        primaryOwners = diff.primaryOwners[type] ?? []
        additionalOwners = diff.additionalOwners[type] ?? []
        guard primaryOwners.count == f - p - 1, additionalOwners.count == e - a - 1 else { return nil }
    }

    /// The region of entry `i`.
    func region(ofLine i: Int) -> Region {
        if i > primaryMarker && i < fallbackMarker { return .primary }
        if i > additionalMarker && i < endMarker { return .additional }
        return .boilerplate
    }

    /// The profile that wrote entry `i`, nil for boilerplate.
    func owner(ofLine i: Int) -> String? {
        switch region(ofLine: i) {
        case .primary: return primaryOwners[i - primaryMarker - 1]
        case .additional: return additionalOwners[i - additionalMarker - 1]
        case .boilerplate: return nil
        }
    }

    /// Where a line inserted before entry `g` lands. A gap next to a block line belongs to
    /// that block: a line between the last Primary line and the fallback `pam_deny.so` would
    /// be skipped by the `success=end` jumps pam-auth-update computes, so it must be in the block.
    func region(ofGap g: Int) -> Region {
        let stack = file.stack(type: stackType)
        let prev = stack.last { $0 < g }
        let next = stack.first { $0 >= g }
        let sides = [prev, next].compactMap { $0 }.map { region(ofLine: $0) }
        if sides.contains(.primary) || (g > primaryMarker && g <= fallbackMarker) { return .primary }
        if sides.contains(.additional) || (g > additionalMarker && g <= endMarker) { return .additional }
        return .boilerplate
    }

    /// The profiles right before and after gap `g` inside `region` (nil at the block's ends;
    /// pam-auth-update's `null` placeholder is no profile). Throws when the gap splits the
    /// lines of one profile.
    func neighbours(ofGap g: Int, in region: Region) throws(PamProblem) -> (upper: String?, lower: String?) {
        let marker = region == .primary ? primaryMarker : additionalMarker
        let owners = region == .primary ? primaryOwners : additionalOwners
        let j = max(0, min(owners.count, g - marker - 1))
        let upper = j > 0 ? owners[j - 1] : nil
        let lower = j < owners.count ? owners[j] : nil
        if let u = upper, u == lower, u != "null" {
            throw PamProblem("the place asked for is between two lines of pam-auth-update profile '\(u)'")
        }
        return (upper == "null" ? nil : upper, lower == "null" ? nil : lower)
    }

    /// Entries of every type file written by `profile`.
    func lines(of profile: String) -> [Int] {
        file.lines.indices.filter { owner(ofLine: $0) == profile }
    }
}
