// libFuzzer target: the /etc/pam.d parser (PamFile, PamLine, PamToken, PamPhysical).
// Compiled into one module with those sources by Tests/fuzz/build-and-run (not by SwiftPM).
//
// Properties, for any bytes:
// - no crash, token ranges inside the entry;
// - round trip: PamFile(bytes:).render() == bytes, and re-parsing gives the same entries;
// - after each edit harden makes (insert a rule, remove an entry, rewrite a rule's
//   arguments), re-parsing the rendered bytes gives the same entries: no edit can glue a new
//   line onto a continued (`\`) line or split an entry, and the edited rule reads as intended.
//
// Findings (ids for FUZZ_ALLOW; each has an input in regressions/):
// - pam-open-bracket-arg: a rule whose last argument (or module word) is an unterminated `[...`
//   (libpam reads it to the end of the line): `replacingArgs` appends new arguments after it,
//   where libpam (and harden's own parser) read them as part of the bracketed word, so a
//   set_args edit is not seen and is made again on every apply.
// - pam-append-after-continuation: when the file ends in a rule continued with `\` and no
//   newline, `PamFile.insert(_:at: lines.count)` terminates it and appends the new rule, which
//   libpam (and harden's parser) then read as more arguments of the continued rule. A plan with
//   position `last` proposes exactly that; apply's convergence check rolls it back.
// - pam-rewrite-ends-in-backslash: `PamLine.replacingArgs` can leave a word that ends in `\`
//   (a module or argument written with a trailing backslash) last on the line, e.g. when the
//   arguments after it are removed; the line then ends in `\` and swallows the next entry.
// - pam-remove-last-after-blank: `PamFile.remove(at:)` of an unterminated last entry strips the
//   terminator of the entry before it; when that is a blank line, the model keeps an empty entry
//   that the rendered file does not have (later edits and line numbers are off by one).

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
        // a module or argument word written `[...` without its `]` swallows everything after it
        // (libpam too)
        let openBracket = line.tokens.dropFirst(2).contains { $0.bracketed && !$0.text.hasSuffix("]") }
        let old = line.args
        for newArgs in [old + ["retry=3"], Array(old.dropLast()), [], ["a", "b"]] {
            let replaced = line.replacingArgs(newArgs)
            var edited = file
            edited.replace(at: i, with: replaced)
            let again = PamFile(bytes: edited.render())
            // when the word left last on the rewritten line ends in `\` (a module or argument
            // written with a trailing backslash), the new line continues into the next entry
            let endsInBackslash = replaced.raw.last == 0x0A
                && replaced.raw.dropLast().reversed().first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D } == 0x5C
            require(again == edited, "replacingArgs(\(newArgs)) re-parses differently: \(show(replaced.raw))",
                    known: endsInBackslash ? "pam-rewrite-ends-in-backslash" : nil)
            require(again.lines[i].isRule && again.lines[i].args == newArgs,
                    "replacingArgs(\(newArgs)) reads as \(again.lines[i].args) in \(show(replaced.raw))",
                    known: openBracket ? "pam-open-bracket-arg" : endsInBackslash ? "pam-rewrite-ends-in-backslash" : nil)
            require(again.lines[i].module == line.module && again.lines[i].control == line.control, "rule head changed",
                    known: openBracket ? "pam-open-bracket-arg" : endsInBackslash ? "pam-rewrite-ends-in-backslash" : nil)
        }
    }
    // insert a new rule before every entry and at the end, as the planner does
    let rule = PamLine(raw: Array("auth\trequired\tpam_faillock.so preauth".utf8))
    for i in Set(sampleIndices(file.lines.count, bytes) + [file.lines.count]).sorted() {
        var edited = file
        edited.insert(rule, at: i)
        let again = PamFile(bytes: edited.render())
        // the last entry is a rule continued with `\` at the end of the file (no newline):
        // terminating it and appending makes libpam read the new line as its continuation
        let continuedLast = i == file.lines.count && file.lines.last.map { last in
            let lines = PamPhysical.lines(last.raw)
            return lines.last.flatMap { PamPhysical.scan(last.raw, $0) }?.continues == true
        } == true
        require(again == edited, "insert at \(i) re-parses differently: \(show(edited.render()))",
                known: continuedLast ? "pam-append-after-continuation" : nil)
        require(again.lines[i].module == "pam_faillock.so", "inserted rule reads as \(show(again.lines[i].raw))")
    }
    for i in sampleIndices(file.lines.count, bytes) {
        var edited = file
        edited.remove(at: i)
        let again = PamFile(bytes: edited.render())
        // removing an unterminated last entry also strips the terminator of the entry before it;
        // when that entry is a blank line, an empty entry is left in the model
        let blankBefore = i == file.lines.count - 1 && i > 0 && file.lines[i].terminator.isEmpty
            && file.lines[i - 1].raw.dropLast(file.lines[i - 1].terminator.count).allSatisfy { $0 == 0x20 || $0 == 0x09 }
        require(again == edited, "remove at \(i) re-parses differently: \(show(edited.render()))",
                known: blankBefore ? "pam-remove-last-after-blank" : nil)
    }
    return 0
}
