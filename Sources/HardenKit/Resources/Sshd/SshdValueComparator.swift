/// Compares sshd values the way sshd interprets them, per `SshdKeyword.Comparison`.
///
/// - Enumerations (yes/no flags, PermitRootLogin, LogLevel, …) compare case-insensitively, with
///   synonyms folded; any other value pair that is yes/no on both sides does too.
/// - Integers compare by value (`04` = `4`), sshd times by seconds (`1m` = `60`).
/// - Comma lists (Ciphers, MACs, KexAlgorithms, …) compare element by element, in order.
/// - Everything else compares byte-exactly.
/// - Accumulating keywords: AllowUsers-style lists compare as sets; HostKey-style lines compare
///   in order, each line by the rules above.
public enum SshdValueComparator {
    /// Whether the arguments of two lines of `keyword` mean the same thing.
    public static func argumentsEqual(_ a: [String], _ b: [String], keyword: SshdKeyword) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where !argumentEqual(x, y, comparison: keyword.comparison) {
            return false
        }
        return true
    }

    /// Whether the effective value (`current`, per `SshdEffectiveValue.lines`) equals the desired
    /// one (`desired`, one argument list per desired line) for `keyword`.
    public static func valueEqual(current: [[String]], desired: [[String]], keyword: SshdKeyword) -> Bool {
        switch keyword.accumulation {
        case .firstWins:
            guard let first = current.first, let wanted = desired.first else {
                return current.isEmpty && desired.isEmpty
            }
            return argumentsEqual(first, wanted, keyword: keyword)
        case .argumentSet:
            return Set(current.flatMap { $0 }) == Set(desired.flatMap { $0 })
        case .linePerValue:
            guard current.count == desired.count else { return false }
            for (x, y) in zip(current, desired) where !argumentsEqual(x, y, keyword: keyword) {
                return false
            }
            return true
        }
    }

    /// Compare one argument.
    public static func argumentEqual(_ a: String, _ b: String, comparison: SshdKeyword.Comparison) -> Bool {
        if a == b { return true }
        switch comparison {
        case .enumeration(let synonyms):
            let x = a.lowercased()
            let y = b.lowercased()
            return (synonyms[x] ?? x) == (synonyms[y] ?? y)
        case .integer:
            if let x = Int(a), let y = Int(b) { return x == y }
        case .time:
            if let x = convtime(a), let y = convtime(b) { return x == y }
        case .commaList:
            return a.split(separator: ",", omittingEmptySubsequences: false)
                == b.split(separator: ",", omittingEmptySubsequences: false)
        case .exact:
            break
        }
        let x = a.lowercased()
        let y = b.lowercased()
        return (x == "yes" || x == "no") && x == y
    }

    /// `convtime()` from misc.c: a number of seconds, or groups of digits each with an optional
    /// unit `s`, `m`, `h`, `d`, `w` (either case), e.g. `1h30m`. Nil when sshd would reject it.
    public static func convtime(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var total = 0
        var i = 0
        while i < bytes.count {
            var value = 0
            let start = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                value = value * 10 + Int(bytes[i] - 0x30)
                if value > Int(Int32.max) { return nil }
                i += 1
            }
            guard i > start else { return nil }
            var multiplier = 1
            if i < bytes.count {
                switch bytes[i] | 0x20 {
                case 0x73: multiplier = 1  // s
                case 0x6D: multiplier = 60  // m
                case 0x68: multiplier = 3600  // h
                case 0x64: multiplier = 86400  // d
                case 0x77: multiplier = 604800  // w
                default: return nil
                }
                i += 1
            }
            total += value * multiplier
            if total > Int(Int32.max) { return nil }
        }
        return total
    }
}
