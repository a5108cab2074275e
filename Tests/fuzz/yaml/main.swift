// libFuzzer target: the YAML loader (YAMLSyntax over libyaml) and what reads its tree — the
// profile decoder and the resolver (params, interpolation, rule bodies), i.e. everything
// `harden validate` does with one file except reading it and its `extends`.
// YAMLSyntax is compiled as its own module; the HardenKit profile files are compiled into this
// one by Tests/fuzz/build-and-run (not by SwiftPM).
//
// Properties, for any bytes:
// - no crash, no hang, no memory error (libyaml runs under ASan too);
// - a refused document is a `Diagnostic` of severity error whose mark (if any) is a real
//   place in the input (line 1...lines+1, column >= 1), and it renders to
//   `path:line:col: error: ...`;
// - a document the decoder refuses comes with at least one error diagnostic; every
//   diagnostic renders.
import YAMLSyntax
//
// Findings (ids for FUZZ_ALLOW; each has an input in regressions/):
// - yaml-line-breaks-not-lf (fixed): libyaml also ends a line at a lone CR and at NEL/LS/PS, so a
//   diagnostic in such a file named a line harden's SourceFile (LF lines) did not have and
//   showed an empty source line under it. SourceFile now counts lines as libyaml does, and so
//   does this harness (`yamlLineCount`).

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

let path = "fuzz.yaml"

/// libyaml also breaks lines at a lone CR and at NEL/LS/PS; harden numbers lines by LF.
/// Lines as libyaml counts them (and harden's SourceFile since the fix): LF, CR LF, a lone CR,
/// NEL, LS and PS each end a line.
func yamlLineCount(_ b: [UInt8]) -> Int {
    var n = 1
    var i = 0
    while i < b.count {
        if b[i] == 0x0A {
            n += 1
        } else if b[i] == 0x0D {
            n += 1
            if i + 1 < b.count && b[i + 1] == 0x0A { i += 1 }
        } else if b[i] == 0xC2 && i + 1 < b.count && b[i + 1] == 0x85 {
            n += 1
            i += 1
        } else if b[i] == 0xE2 && i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9) {
            n += 1
            i += 2
        }
        i += 1
    }
    return n
}

func otherLineBreaks(_ b: [UInt8]) -> Bool {
    for i in b.indices {
        if b[i] == 0x0D && (i + 1 == b.count || b[i + 1] != 0x0A) { return true }
        if b[i] == 0xC2 && i + 1 < b.count && b[i + 1] == 0x85 { return true }
        if b[i] == 0xE2 && i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9) { return true }
    }
    return false
}

var input: [UInt8] = []

func checkPlace(_ d: Diagnostic, _ lines: Int) {
    if let m = d.mark {
        require(m.line >= 1 && m.line <= lines + 1 && m.column >= 1,
                "diagnostic at \(m.line):\(m.column) outside the input (\(lines) lines): \(d.header)",
                known: otherLineBreaks(input) ? "yaml-line-breaks-not-lf" : nil)
    }
    let text = d.rendered
    require(!text.isEmpty && !d.message.isEmpty, "empty diagnostic")
    for n in d.notes { checkPlace(n, lines) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    input = bytes
    let lines = yamlLineCount(bytes)
    let root: Node
    do {
        root = try YAMLLoader.load(bytes: bytes, path: path)
    } catch {
        // typed throws: `error` is a Diagnostic
        require(error.severity == .error, "load failed with a \(error.severity)")
        require(error.header.hasPrefix(path + ":") , "diagnostic without the file: \(error.header)")
        checkPlace(error, lines)
        return 0
    }
    var decoder = ProfileDecoder()
    let profile = decoder.decode(root, path: path)
    for d in decoder.reader.diagnostics { checkPlace(d, lines) }
    guard let profile else {
        require(decoder.reader.diagnostics.hasErrors, "decoder refused the document without an error")
        return 0
    }
    var resolver = Resolver(options: LoadOptions(sets: [("fuzz_param", "1")], today: "2025-06-01"))
    let set = resolver.resolve([profile])
    for d in set.diagnostics { checkPlace(d, lines) }
    _ = set.activeRules.count
    return 0
}
