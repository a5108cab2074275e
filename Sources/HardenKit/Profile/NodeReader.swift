import Foundation
import YAMLSyntax

/// Typed access to YAML nodes that records a diagnostic (instead of throwing) for every
/// mistake, so one pass reports all problems of a file.
struct NodeReader {
    var diagnostics: [Diagnostic] = []

    mutating func error(_ message: String, at mark: Mark, notes: [Diagnostic] = []) {
        diagnostics.append(.error(message, at: mark, notes: notes))
    }

    mutating func warning(_ message: String, at mark: Mark) {
        diagnostics.append(.warning(message, at: mark))
    }

    /// The pairs of a mapping node whose keys are all in `allowed`; unknown keys are reported
    /// (with a suggestion) and left out.
    mutating func mapping(_ node: Node, what: String, allowed: [String]) -> [String: Node.Pair]? {
        guard let pairs = node.mapping else {
            error("\(what) must be a mapping, found a \(node.kindName)", at: node.mark)
            return nil
        }
        var out: [String: Node.Pair] = [:]
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if allowed.contains(key) {
                out[key] = pair
            } else {
                var message = "unknown key '\(key)' in \(what)"
                if let guess = Suggest.closest(key, in: allowed) { message += "; did you mean '\(guess)'?" }
                error(message, at: pair.key.mark)
            }
        }
        return out
    }

    /// A scalar as a `Value`; collections and null are reported.
    mutating func scalar(_ node: Node, what: String) -> Value? {
        guard case .scalar(let text, let style) = node.kind, !node.isNull else {
            error("\(what) must be a string, found a \(node.kindName)", at: node.mark)
            return nil
        }
        return Value(text, mark: node.mark, style: style)
    }

    /// A non-empty scalar.
    mutating func text(_ node: Node, what: String) -> Value? {
        guard let v = scalar(node, what: what) else { return nil }
        if v.text.isBlank {
            error("\(what) must not be empty", at: node.mark)
            return nil
        }
        return v
    }

    /// A plain boolean (`true`/`false`).
    mutating func bool(_ node: Node, what: String) -> Bool? {
        guard let v = scalar(node, what: what) else { return nil }
        guard let b = v.bool else {
            if v.style.isQuoted, Value(v.text, mark: v.mark).bool != nil {
                error("\(what) must be a plain true or false, not the quoted string '\(v.text)'", at: node.mark)
            } else {
                error("\(what) must be true or false, found '\(v.text)'", at: node.mark)
            }
            return nil
        }
        return b
    }

    /// A sequence of scalars; a single scalar is accepted as a one-element list when `single`.
    mutating func list(_ node: Node, what: String, single: Bool = false) -> [Value]? {
        if single, node.scalar != nil, !node.isNull {
            return scalar(node, what: what).map { [$0] }
        }
        guard let items = node.sequence else {
            error("\(what) must be a list, found a \(node.kindName)", at: node.mark)
            return nil
        }
        var out: [Value] = []
        for item in items {
            if let v = scalar(item, what: "each item of \(what)") { out.append(v) }
        }
        return out
    }

    /// One of the given words.
    mutating func oneOf<T: RawRepresentable>(_ node: Node, what: String, as: T.Type) -> T?
    where T.RawValue == String, T: CaseIterable {
        guard let v = scalar(node, what: what) else { return nil }
        if let t = T(rawValue: v.text) { return t }
        let words = T.allCases.map(\.rawValue).joined(separator: ", ")
        error("\(what) must be one of \(words), found '\(v.text)'", at: node.mark)
        return nil
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggest {
    static func closest(_ word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        var best: (String, Int)?
        for c in candidates {
            let d = distance(lower, c.lowercased())
            let limit = c.count <= 3 ? 1 : c.count <= 6 ? 2 : 3
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // optimal string alignment distance: a swap of two neighbours counts as one edit
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
