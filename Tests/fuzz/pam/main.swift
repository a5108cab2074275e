// libFuzzer target: the /etc/pam.d parser (PamFile, PamLine, PamToken, PamPhysical).
// Compiled into one module with those sources by Tests/fuzz/build-and-run (not by SwiftPM).
//
// Properties, for any bytes:
// - no crash, token ranges inside the entry;
// - round trip: PamFile(bytes:).render() == bytes, and re-parsing gives the same entries;
// - after each edit harden makes (insert a rule, remove an entry, rewrite a rule's
//   arguments), re-parsing the rendered bytes gives the same entries: no edit can glue a new
//   line onto a continued (`\`) line or split an entry, and the edited rule reads as intended.

@inline(never)
func require(_ ok: Bool, _ what: @autoclosure () -> String) {
    if !ok { fatalError("property violated: \(what())") }
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
    for (i, line) in file.lines.enumerated() {
        _ = file.lineNumber(of: i)
        for t in line.tokens { require(t.range.lowerBound >= 0 && t.range.upperBound <= line.raw.count, "token range") }
        _ = (line.baseType, line.control, line.module, line.moduleName, line.args, line.includedService, line.text)
        guard line.isRule else { continue }
        let old = line.args
        for newArgs in [old + ["retry=3"], Array(old.dropLast()), [], ["a", "b"]] {
            let replaced = line.replacingArgs(newArgs)
            var edited = file
            edited.replace(at: i, with: replaced)
            let again = PamFile(bytes: edited.render())
            require(again == edited, "replacingArgs(\(newArgs)) re-parses differently: \(show(replaced.raw))")
            require(again.lines[i].isRule && again.lines[i].args == newArgs,
                    "replacingArgs(\(newArgs)) reads as \(again.lines[i].args) in \(show(replaced.raw))")
            require(again.lines[i].module == line.module && again.lines[i].control == line.control, "rule head changed")
        }
    }
    // insert a new rule before every entry and at the end, as the planner does
    let rule = PamLine(raw: Array("auth\trequired\tpam_faillock.so preauth".utf8))
    for i in 0...file.lines.count {
        var edited = file
        edited.insert(rule, at: i)
        let again = PamFile(bytes: edited.render())
        require(again == edited, "insert at \(i) re-parses differently: \(show(edited.render()))")
        require(again.lines[i].module == "pam_faillock.so", "inserted rule reads as \(show(again.lines[i].raw))")
    }
    for i in file.lines.indices {
        var edited = file
        edited.remove(at: i)
        let again = PamFile(bytes: edited.render())
        require(again == edited, "remove at \(i) re-parses differently: \(show(edited.render()))")
    }
    return 0
}
