// libFuzzer target: the /etc/pam.d parser (PamFile, PamLine, PamToken, PamPhysical).
// Compiled into one module with those sources by Tests/fuzz/build-and-run (not by SwiftPM).
//
// Properties, for any bytes:
// - no crash, token ranges inside the entry;
// - round trip: PamFile(bytes:).render() == bytes, and re-parsing gives the same entries;
// - after each edit harden makes (insert a rule, remove an entry, rewrite a rule's
//   arguments), re-parsing the rendered bytes gives the same entries: no edit can glue a new
//   line onto a continued (`\`) line or split an entry, and the edited rule reads as intended.

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

func show(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self).debugDescription }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let file = PamFile(bytes: bytes)
    require(file.render() == bytes, "render() != input")
    require(PamFile(bytes: bytes) == file, "re-parse differs")
    _ = file.terminator
    for type in ["auth", "account", "password", "session"] {
        _ = file.ruleIndices(type: type)
        _ = file.stack(type: type)
    }
    for line in file.lines {
        for t in line.tokens { require(t.range.lowerBound >= 0 && t.range.upperBound <= line.raw.count, "token range") }
        _ = (line.baseType, line.control, line.module, line.moduleName, line.args, line.includedService, line.text)
    }
    let rules = file.lines.indices.filter { file.lines[$0].isRule }
    for k in sampleIndices(rules.count, bytes) {
        let i = rules[k]
        let line = file.lines[i]
        _ = file.lineNumber(of: i)
        // an argument written `[...` without its `]` swallows everything after it (libpam too)
        let openBracket = line.tokens.dropFirst(3).contains { $0.bracketed && !$0.text.hasSuffix("]") }
        let old = line.args
        for newArgs in [old + ["retry=3"], Array(old.dropLast()), [], ["a", "b"]] {
            let replaced = line.replacingArgs(newArgs)
            var edited = file
            edited.replace(at: i, with: replaced)
            let again = PamFile(bytes: edited.render())
            require(again == edited, "replacingArgs(\(newArgs)) re-parses differently: \(show(replaced.raw))")
            require(again.lines[i].isRule && again.lines[i].args == newArgs,
                    "replacingArgs(\(newArgs)) reads as \(again.lines[i].args) in \(show(replaced.raw))",
                    known: openBracket ? "pam-open-bracket-arg" : nil)
            require(again.lines[i].module == line.module && again.lines[i].control == line.control, "rule head changed")
        }
    }
    // insert a new rule before every entry and at the end, as the planner does
    let rule = PamLine(raw: Array("auth\trequired\tpam_faillock.so preauth".utf8))
    for i in Set(sampleIndices(file.lines.count, bytes) + [file.lines.count]).sorted() {
        var edited = file
        edited.insert(rule, at: i)
        let again = PamFile(bytes: edited.render())
        require(again == edited, "insert at \(i) re-parses differently: \(show(edited.render()))")
        require(again.lines[i].module == "pam_faillock.so", "inserted rule reads as \(show(again.lines[i].raw))")
    }
    for i in sampleIndices(file.lines.count, bytes) {
        var edited = file
        edited.remove(at: i)
        let again = PamFile(bytes: edited.render())
        require(again == edited, "remove at \(i) re-parses differently: \(show(edited.render()))")
    }
    return 0
}
