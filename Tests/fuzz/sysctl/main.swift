// libFuzzer target: the sysctl.conf / sysctl.d parser (SysctlFile, SysctlLine, SysctlKey).
// Compiled into one module with those sources by Tests/fuzz/build-and-run (not by SwiftPM).
//
// Properties, for any bytes:
// - no crash; render() == input;
// - after each edit harden makes (set a value in place, comment a line out, append a line),
//   re-parsing the rendered bytes gives the same model, and the edit means what it should.

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
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let file = SysctlFile(bytes: bytes)
    require(file.render() == bytes, "render() != input")
    require(SysctlFile(bytes: bytes) == file, "parse is not deterministic")
    _ = file.newline
    let assignments = file.assignments
    for k in sampleIndices(assignments.count, bytes) {
        let (i, a) = assignments[k]
        require(a.valueRange.upperBound <= file.lines[i].content.count, "value range")
        _ = a.isGlob
        _ = SysctlValue.fields(a.value)
        var set = file
        set.setValue("1 2", atLine: i)
        let again = SysctlFile(bytes: set.render())
        require(again == set, "setValue re-parses differently")
        require(again.lines[i].assignment?.key == a.key, "setValue changed the key")
        require(again.lines[i].assignment?.value == "1 2", "setValue: value reads \(again.lines[i].assignment?.value ?? "nil")")
        var off = file
        off.commentOut(line: i)
        let offAgain = SysctlFile(bytes: off.render())
        require(offAgain == off, "commentOut re-parses differently")
        require(offAgain.lines[i].entry == .comment, "commented-out line is \(offAgain.lines[i].entry)")
        require(offAgain.lines.count == file.lines.count, "commentOut changed the line count")
    }
    var appended = file
    appended.append(key: "net.ipv4.ip_forward", value: "0")
    let again = SysctlFile(bytes: appended.render())
    require(again == appended, "append re-parses differently")
    require(again.assignments.last?.assignment.key == "net.ipv4.ip_forward", "appended line is not the last assignment")
    require(again.assignments.last?.assignment.value == "0", "appended value")
    return 0
}
