// libFuzzer target: the audit rules parser (AuditRulesFile, AuditRule, AuditRuleParser,
// AuditFieldParser, AuditFilterRule, the syscall tables) as auditctl -R reads a rules file,
// on each machine harden knows (the first input byte picks it; the rest is the file).
// Compiled into one module with those sources by Tests/fuzz/build-and-run (not by SwiftPM).
//
// Properties, for any bytes:
// - no crash; render() == input;
// - a rule's canonical text parses back to an equal rule with the same canonical text
//   (`==` holds exactly when canonical texts are equal);
// - after each edit harden makes (comment a line out, append a rule), re-parsing the rendered
//   bytes gives the same lines, a commented-out line is a comment, the appended rule reads back.
//
// Findings (ids for FUZZ_ALLOW; each has an input in regressions/, which now replays clean):
// - audit-canonical-key-without-syscall (fixed): `canonicalText` dropped `-S all`, so
//   `-a always,exit -F arch=b32 -S all -F key=32bit-abi` (audit's own 21-no32bit.rules) became
//   `-a always,exit -F arch=b32 -k 32bit-abi`, which auditctl (and AuditRule.parse) refuse:
//   "-k needs a watch or syscall given before it". `-S all` is now written whenever a key has no
//   path, dir, perm, exe or fstype to follow.
// - audit-canonical-watch-path-operator (fixed): a watch whose path holds an operator
//   (`-w /etc/x!=1`, valid for auditctl, which takes -w paths literally) got the canonical text
//   `-F path=/etc/x!=1`, which auditctl and AuditRule.parse read as field `path=/etc/x`,
//   operator `!=`. Such a watch (and `-w //`, whose path `path=` refuses) now keeps the
//   `-w P -p perm` form.

// AuditFieldParser uses String.range(of:) from Foundation, which another HardenKit file imports.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Findings already recorded (ids in the header above) that a long exploratory run may step
/// over: FUZZ_ALLOW=id1,id2. Unset (the default, and always in `replay`), every property is strict.
let allowed: Set<Substring> = Set((getenv("FUZZ_ALLOW").map { String(cString: $0) } ?? "").split(separator: ","))

@inline(never)
func require(_ ok: Bool, _ what: @autoclosure () -> String, known: String? = nil) {
    if ok { return }
    if let known, allowed.contains(Substring(known)) { return }
    fatalError("property violated\(known.map { " [\($0)]" } ?? ""): \(what())")
}

/// At most a few line indices out of `count`: the first two, the last two and two picked by
/// the input, so edit checks stay linear in the input size.
func sampleIndices(_ count: Int, _ bytes: [UInt8]) -> [Int] {
    guard count > 0 else { return [] }
    var h: UInt64 = 1469598103934665603
    for b in bytes.prefix(64) { h = (h ^ UInt64(b)) &* 1099511628211 }
    let picks = [0, 1, count - 2, count - 1, Int(h % UInt64(count)), Int((h >> 32) % UInt64(count))]
    return Array(Set(picks.filter { $0 >= 0 && $0 < count })).sorted()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size >= 1, let data else { return 0 }
    let machines = AuditMachine.allCases
    let machine = machines[Int(data[0]) % machines.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let file = AuditRulesFile(bytes: bytes)
    require(file.render() == bytes, "render() != input")
    require(AuditRulesFile(bytes: bytes) == file, "parse is not deterministic")
    _ = file.isOwned
    let entries = file.entries(machine: machine)
    for entry in entries {
        if case .rule(let r) = entry {
            let canon = r.canonicalText
            _ = r.control?.value
            _ = r.resolvingWatch(isDirectory: true).canonicalText
            switch AuditRule.parse(canon, machine: machine) {
            case .success(let again):
                require(again == r, "canonical text \(canon.debugDescription) of \(r.text.debugDescription) parses to a different rule")
                require(again.canonicalText == canon, "canonical text not stable: \(canon.debugDescription) -> \(again.canonicalText.debugDescription)")
            case .failure(let p):
                require(false, "canonical text \(canon.debugDescription) of \(r.text.debugDescription) is refused: \(p)")
            }
        }
    }
    for i in sampleIndices(file.lines.count, bytes) {
        let entry = entries[i]
        var off = file
        off.commentOut(line: i)
        let offAgain = AuditRulesFile(bytes: off.render())
        require(offAgain == off, "commentOut re-parses differently")
        if case .blank = entry { continue }
        switch offAgain.entry(at: i, machine: machine) {
        case .comment: break
        default: require(false, "commented-out line is not a comment: \(offAgain.lines[i].text.debugDescription)")
        }
    }
    var app = file
    app.append("-w /etc/shadow -p wa -k identity")
    let appAgain = AuditRulesFile(bytes: app.render())
    require(appAgain == app, "append re-parses differently")
    if case .rule(let r) = appAgain.entry(at: appAgain.lines.count - 1, machine: machine) {
        require(r.watchPath == "/etc/shadow", "appended rule reads \(r.text)")
    } else {
        require(false, "appended rule is not a rule")
    }
    return 0
}
