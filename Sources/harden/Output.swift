import Foundation
import HardenKit
import YAMLSyntax

/// The only place that writes to the terminal: stdout for results, stderr for diagnostics.
/// Colour only when the stream is a terminal, `--no-color` is absent and NO_COLOR unset.
final class Output {
    let colorOut: Bool
    let colorErr: Bool

    init(noColor: Bool) {
        let allowed = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        colorOut = allowed && isatty(1) == 1
        colorErr = allowed && isatty(2) == 1
    }

    func print(_ s: String) {
        FileHandle.standardOutput.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }

    func printRaw(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    func error(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }

    func diagnostics(_ ds: [Diagnostic]) {
        for d in ds { error(paint(d)) }
    }

    private func paint(_ d: Diagnostic) -> String {
        guard colorErr else { return d.rendered }
        let word = d.severity.rawValue + ":"
        let code = d.severity == .error ? "31" : d.severity == .warning ? "33" : "36"
        return d.rendered.replacingOccurrences(of: " " + word + " ", with: " \u{1B}[1;\(code)m\(word)\u{1B}[0m ")
    }

    func bold(_ s: String) -> String { colorOut ? "\u{1B}[1m\(s)\u{1B}[0m" : s }

    /// Pretty, key-sorted JSON of a Foundation object.
    func json(_ object: Any) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }
}
