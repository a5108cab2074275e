// libFuzzer target: the key/value parser (KeyValueFile, KeyValueLine, KeyValueSyntax) under
// the reading rules of every file harden knows (login.defs, pwquality.conf, faillock.conf,
// pwhistory.conf, auditd.conf, useradd, an unknown file) in each format.
// Compiled into one module with those sources by Tests/fuzz/build-and-run (not by SwiftPM).
//
// The first input byte picks the file and format; the rest is the file. Properties:
// - no crash; render() == input; ranges inside the line;
// - after each edit harden makes (set a value in place, comment a line out, insert after a
//   line, append), re-parsing the rendered bytes gives the same model, a set value reads
//   back as set, and a commented-out line is no longer an active entry.

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

let paths = [
    "/etc/login.defs", "/etc/security/pwquality.conf", "/etc/security/pwquality.conf.d/50-x.conf",
    "/etc/security/faillock.conf", "/etc/security/pwhistory.conf", "/etc/audit/auditd.conf",
    "/etc/default/useradd", "/etc/profile.d/tmout.sh",
]
let formats: [KeyValueFormat] = [.whitespace, .equals, .shell]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size >= 1, let data else { return 0 }
    let selector = Int(data[0])
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let syntax = KeyValueSyntax.defaults(for: paths[selector % paths.count], format: formats[(selector / paths.count) % 3])
    let file = KeyValueFile(bytes: bytes, syntax: syntax)
    require(file.render() == bytes, "render() != input")
    require(KeyValueFile(bytes: bytes, syntax: syntax) == file, "parse is not deterministic")
    _ = file.newline
    for i in sampleIndices(file.lines.count, bytes) {
        let line = file.lines[i]
        guard let e = line.entry else {
            if case .comment(let c?) = line.kind {
                _ = file.separator(for: c.key)
                _ = file.commentedDefault(for: c.key)
            }
            continue
        }
        require(e.keyRange.upperBound <= line.content.count, "key range")
        if let r = e.valueRange { require(r.upperBound <= line.content.count && r.lowerBound >= e.keyRange.upperBound, "value range") }
        _ = file.entries(for: e.key)
        _ = file.effectiveValue(e)
        _ = syntax.isFlag(e.key)
        if let v = e.value { _ = syntax.integer(v); _ = syntax.valuesEqual(v, "0") }
        var set = file
        set.setValue("42", atLine: i)
        let again = KeyValueFile(bytes: set.render(), syntax: syntax)
        require(again == set, "setValue re-parses differently: \(String(decoding: set.lines[i].content, as: UTF8.self).debugDescription)")
        require(again.lines[i].entry.map { syntax.keysMatch($0.key, e.key) } == true, "setValue changed the key")
        require(again.lines[i].entry.flatMap { again.effectiveValue($0) } == "42",
                "setValue: reads \(again.lines[i].entry?.value ?? "nil") in \(String(decoding: set.lines[i].content, as: UTF8.self).debugDescription)")
        var off = file
        off.commentOut(line: i)
        let offAgain = KeyValueFile(bytes: off.render(), syntax: syntax)
        require(offAgain == off, "commentOut re-parses differently")
        require(offAgain.lines[i].entry == nil, "commented-out line is still an entry")
        var ins = file
        ins.insert("KEY" + file.separator(for: "KEY") + "7", after: i)
        let insAgain = KeyValueFile(bytes: ins.render(), syntax: syntax)
        require(insAgain == ins, "insert re-parses differently")
        require(insAgain.lines[i + 1].entry?.key == "KEY" && insAgain.lines[i + 1].entry?.value == "7",
                "inserted line reads \(String(decoding: insAgain.lines[i + 1].content, as: UTF8.self).debugDescription)")
    }
    var app = file
    app.append("KEY" + file.separator(for: "KEY") + "7")
    let appAgain = KeyValueFile(bytes: app.render(), syntax: syntax)
    require(appAgain == app, "append re-parses differently")
    require(appAgain.lines.last?.entry?.key == "KEY" && appAgain.lines.last?.entry?.value == "7", "appended line")
    return 0
}
