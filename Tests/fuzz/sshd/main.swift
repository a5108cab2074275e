// libFuzzer target: the sshd_config parser (SshdConfigFile, SshdLine, SshdTokenizer).
// Compiled into one module with those sources by Tests/fuzz/build-and-run (not by SwiftPM).
//
// Properties, for any bytes:
// - no crash, no out-of-bounds range;
// - round trip: SshdConfigFile(bytes:).render() == bytes;
// - re-parsing the rendered bytes of an edited file gives the same model (edits are what
//   harden writes: commenting a line out, replacing its arguments, inserting a global line);
// - a line harden comments out is a comment for sshd; a line whose arguments harden replaced
//   keeps its keyword and has exactly the new arguments.

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
    let file = SshdConfigFile(bytes: bytes)
    require(file.render() == bytes, "render() != input")
    require(SshdConfigFile(bytes: file.render()) == file, "re-parse differs")
    for line in file.lines {
        if let d = line.directive {
            require(d.keywordRange.lowerBound >= 0 && d.keywordRange.upperBound <= line.raw.count, "keyword range")
            require(d.argumentsRange.lowerBound >= 0 && d.argumentsRange.upperBound <= line.raw.count, "arguments range")
            require(!d.keyword.isEmpty, "empty keyword")
        }
        let off = line.commentedOut(marker: "# harden: ")
        require(off.kind == .comment, "commented-out line is \(off.kind): \(off.text)")
        if let d = line.directive, d.problem == nil, line.kind == .directive {
            for value in ["no", "\"two words\"", "x#y"] {
                guard let edited = line.replacingArguments(with: value) else {
                    require(false, "replacingArguments returned nil")
                    return 0
                }
                let expected = SshdTokenizer.splitArguments(value)!
                require(edited.directive?.lowercasedKeyword == d.lowercasedKeyword, "keyword changed: \(edited.text)")
                require(edited.directive?.arguments == expected,
                        "arguments \(edited.directive?.arguments ?? []) != \(expected) in \(edited.text)")
            }
        }
    }
    // insert a global line where harden would, then re-parse
    var edited = file
    let at = edited.globalInsertionIndex
    require(at >= 0 && at <= edited.lines.count, "insertion index")
    if at == edited.lines.count, let last = edited.lines.last, !last.hasNewline {
        edited.lines[edited.lines.count - 1] = last.withNewline(true)
    }
    edited.lines.insert(edited.makeLine("PermitRootLogin no"), at: at)
    let reparsed = SshdConfigFile(bytes: edited.render())
    require(reparsed == edited, "inserted line re-parses differently")
    require(reparsed.lines[at].directive?.arguments == ["no"], "inserted line reads \(reparsed.lines[at].text)")
    return 0
}
