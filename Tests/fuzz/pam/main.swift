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
// Findings (ids for FUZZ_ALLOW; each has an input in regressions/, which now replays clean):
// - pam-open-bracket-arg (fixed): a rule whose module or an argument is an unterminated `[...`
//   (libpam reads it to the end of the line) got new arguments appended after it, where libpam
//   (and harden's parser) read them as part of the bracketed word. `replacingArgs` now refuses
//   (a `PamProblem` naming the word) whenever such a word would have words after it; the
//   property below: refused exactly then, else the edited rule reads as intended.
// - pam-append-after-continuation (fixed): when the file ends inside a `\` continuation,
//   `PamFile.insert(_:at: lines.count)` glued the new rule onto it. The continuation is now
//   ended first (`PamLine.closingContinuation`, same words), so the new rule is its own.
// - pam-rewrite-ends-in-backslash (fixed): `replacingArgs` could leave a word that ends in `\`
//   last on the line, which then continued into the next entry; an empty comment ` #` now
//   follows such a word (a `#` ends the line for libpam).
// - pam-remove-last-after-blank (fixed): `PamFile.remove(at:)` of an unterminated last entry
//   stripped the terminator of a blank line before it, leaving an empty entry in the model only;
//   the terminator now stays when stripping it would change that entry.

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

/// True when `word` followed by another word reads as one word: a `[...` nothing closes.
func swallows(_ word: String) -> Bool {
    let b = Array((word + " x").utf8)
    return !word.isEmpty && PamTokenizer.tokens(PamTokenizer.Content(bytes: b, rawIndex: Array(b.indices))).count == 1
}

/// The words of each entry that has some, in file order. An unclosed `[...` word loses its
/// trailing blanks here: ending a `\` continuation open at the end of the file may drop the
/// blanks around the backslash, which only such a word (running to the end) would hold.
func words(_ f: PamFile) -> [[String]] {
    f.lines.map(\.tokens).filter { !$0.isEmpty }.map { ts in
        ts.map { t in
            guard t.bracketed && swallows(t.text) else { return t.text }
            return String(decoding: Array(t.text.utf8).reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed(), as: UTF8.self)
        }
    }
}

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
        let old = line.args
        for newArgs in [old + ["retry=3"], Array(old.dropLast()), [], ["a", "b"]] {
            // a word written `[...` without its `]` swallows every word after it (libpam too):
            // then, and only then, the rewrite is refused
            let swallowed = ([line.module] + newArgs).dropLast().contains(where: swallows)
            let replaced: PamLine
            do throws(PamProblem) {
                replaced = try line.replacingArgs(newArgs)
            } catch {
                require(swallowed, "replacingArgs(\(newArgs)) refused: \(error.message) for \(show(line.raw))")
                continue
            }
            require(!swallowed, "replacingArgs(\(newArgs)) not refused: \(show(replaced.raw))")
            var edited = file
            edited.replace(at: i, with: replaced)
            let again = PamFile(bytes: edited.render())
            require(again == edited, "replacingArgs(\(newArgs)) re-parses differently: \(show(replaced.raw))")
            require(again.lines[i].isRule && again.lines[i].args == newArgs,
                    "replacingArgs(\(newArgs)) reads as \(again.lines[i].args) in \(show(replaced.raw))")
            require(again.lines[i].module == line.module && again.lines[i].control == line.control, "rule head changed")
        }
    }
    // insert a new rule before every entry and at the end, as the planner does: the new rule is
    // a rule of its own, every other entry keeps its words
    let rule = PamLine(raw: Array("auth\trequired\tpam_faillock.so preauth".utf8))
    for i in Set(sampleIndices(file.lines.count, bytes) + [file.lines.count]).sorted() {
        var edited = file
        edited.insert(rule, at: i)
        let again = PamFile(bytes: edited.render())
        require(again == edited, "insert at \(i) re-parses differently: \(show(edited.render()))")
        var expected = words(file)
        expected.insert(rule.tokens.map(\.text), at: file.lines[..<i].filter { !$0.tokens.isEmpty }.count)
        require(words(again) == expected, "insert at \(i) changes other entries: \(show(edited.render()))")
        let added = again.lines.lastIndex { $0.tokens.map(\.text) == rule.tokens.map(\.text) }
        require(added.map { again.lines[$0].module == "pam_faillock.so" && again.lines[$0].args == ["preauth"] } == true,
                "inserted rule does not read as itself: \(show(edited.render()))")
    }
    for i in sampleIndices(file.lines.count, bytes) {
        var edited = file
        edited.remove(at: i)
        let again = PamFile(bytes: edited.render())
        require(again == edited, "remove at \(i) re-parses differently: \(show(edited.render()))")
        var expected = words(file)
        if !file.lines[i].tokens.isEmpty { expected.remove(at: file.lines[..<i].filter { !$0.tokens.isEmpty }.count) }
        require(words(again) == expected, "remove at \(i) changes other entries: \(show(edited.render()))")
    }
    return 0
}
