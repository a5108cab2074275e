/// Byte-level tokeniser that mirrors how OpenSSH (servconf.c / misc.c, 8.7 … 9.x) reads one
/// sshd_config line:
///
/// 1. `load_server_config` drops leading `" \t\r"`; `process_server_config_line_depth` strips
///    trailing `" \t\r\n\f"`.
/// 2. The keyword is taken with `strdelim`: it ends at whitespace, `"` or `=`; one `=` (with
///    whitespace around it) may separate keyword and arguments (`key value`, `key=value`,
///    `key = value`). A keyword starting with `#` makes the line a comment.
/// 3. The rest is split by `argv_split(..., terminate_on_comment = 1)`: tokens separated by
///    space/tab, single or double quotes group, `\"` `\'` `\\` and (outside quotes) `\ ` are
///    escapes, and a token that *starts* with `#` ends the line (`yes # note` → `yes`, but
///    `yes#note` is one token). An unterminated quote is an error.
///
/// (OpenSSH < 8.7, e.g. RHEL 7's 7.4, used `strdelim` for arguments too: single quotes did not
/// group and a trailing `# note` was a fatal "garbage at end of line". Lines that both versions
/// accept are read identically.)
enum SshdTokenizer {
    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
    private static let formFeed: UInt8 = 0x0C, dquote: UInt8 = 0x22, squote: UInt8 = 0x27
    private static let equals: UInt8 = 0x3D, hash: UInt8 = 0x23, backslash: UInt8 = 0x5C

    /// sshd's WHITESPACE set: space, tab, CR, LF.
    private static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr || b == lf }

    /// True when the line holds nothing but blanks (as sshd sees it).
    static func isBlank(_ raw: [UInt8]) -> Bool {
        raw.withUnsafeBufferPointer { b in
            for c in b where !(c == space || c == tab || c == cr || c == lf || c == formFeed) { return false }
            return true
        }
    }

    /// The directive on the line, or nil for blank lines, comments and lines sshd ignores.
    static func parseLine(_ raw: [UInt8]) -> SshdDirective? {
        // Leading " \t\r" is dropped when the file is loaded.
        var start = 0
        while start < raw.count, raw[start] == space || raw[start] == tab || raw[start] == cr { start += 1 }
        // Trailing whitespace (and form feed) is stripped; sshd never strips index 0.
        var end = raw.count
        while end > start + 1, isWhitespace(raw[end - 1]) || raw[end - 1] == formFeed { end -= 1 }
        if end == start + 1, isWhitespace(raw[start]) || raw[start] == formFeed { end = start }
        guard start < end else { return nil }
        // A keyword starting with '#' makes the line a comment, whatever follows: answer
        // before scanning (and copying) a 10 MB comment line as a would-be keyword.
        if raw[start] == hash { return nil }

        guard var token = strdelim(raw, from: start, end: end) else { return nil }
        if token.bytes.isEmpty {  // "Ignore leading whitespace" (e.g. a line starting with '=')
            guard let next = token.next, let again = strdelim(raw, from: next, end: end) else { return nil }
            token = again
        }
        guard let first = token.bytes.first, first != hash else { return nil }
        let keyword = String(decoding: token.bytes, as: UTF8.self)
        guard let argStart = token.next, argStart < end else {
            let at = token.next ?? end
            return SshdDirective(
                keyword: keyword, arguments: [], keywordRange: token.range, argumentsRange: at..<at,
                problem: "no argument after keyword \"\(keyword)\"")
        }
        switch argvSplit(raw, from: argStart, end: end) {
        case .success(let tokens):
            let range =
                tokens.isEmpty
                ? argStart..<argStart : tokens[0].range.lowerBound..<tokens[tokens.count - 1].range.upperBound
            return SshdDirective(
                keyword: keyword, arguments: tokens.map { String(decoding: $0.bytes, as: UTF8.self) },
                keywordRange: token.range, argumentsRange: range,
                problem: tokens.isEmpty ? "no argument after keyword \"\(keyword)\"" : nil)
        case .failure:
            return SshdDirective(
                keyword: keyword, arguments: [], keywordRange: token.range, argumentsRange: argStart..<end,
                problem: "invalid quotes")
        }
    }

    /// Split argument text (e.g. a desired value from a profile) exactly as sshd would.
    /// Returns nil on an unterminated quote.
    static func splitArguments(_ text: String) -> [String]? {
        let bytes = Array(text.utf8)
        guard case .success(let tokens) = argvSplit(bytes, from: 0, end: bytes.count) else { return nil }
        return tokens.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    struct Token {
        var bytes: [UInt8]
        var range: Range<Int>
        /// Where the next token search starts (nil when the line is used up).
        var next: Int?
    }

    /// `strdelim_internal(s, split_equals = 1)` from misc.c, on indices instead of a C string.
    private static func strdelim(_ raw: [UInt8], from: Int, end: Int) -> Token? {
        let pos = raw.withUnsafeBufferPointer { b in
            var p = from
            while p < end {
                let c = b[p]
                if c == space || c == tab || c == cr || c == lf || c == dquote || c == equals { break }
                p += 1
            }
            return p
        }
        if pos == end { return Token(bytes: Array(raw[from..<end]), range: from..<end, next: nil) }
        if raw[pos] == dquote {
            var close = pos + 1
            while close < end, raw[close] != dquote { close += 1 }
            guard close < end else { return nil }  // no matching quote: sshd ignores the line
            var next = close + 1
            while next < end, isWhitespace(raw[next]) { next += 1 }
            return Token(bytes: Array(raw[from..<pos] + raw[(pos + 1)..<close]), range: from..<(close + 1), next: next)
        }
        let sawEquals = raw[pos] == equals
        var next = pos + 1
        while next < end, isWhitespace(raw[next]) { next += 1 }
        if next < end, raw[next] == equals, !sawEquals {
            next += 1
            while next < end, isWhitespace(raw[next]) { next += 1 }
        }
        return Token(bytes: Array(raw[from..<pos]), range: from..<pos, next: next)
    }

    struct UnterminatedQuote: Error {}

    /// `argv_split(s, ..., terminate_on_comment = 1)` from misc.c, with byte ranges per token.
    private static func argvSplit(_ s: [UInt8], from: Int, end: Int) -> Result<[Token], UnterminatedQuote> {
        s.withUnsafeBufferPointer { argvSplit($0, from: from, end: end) }
    }

    private static func argvSplit(_ s: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Result<[Token], UnterminatedQuote> {
        var tokens: [Token] = []
        var i = from
        while i < end {
            if s[i] == space || s[i] == tab { i += 1; continue }
            if s[i] == hash { break }
            let tokenStart = i
            var arg: [UInt8] = []
            var quote: UInt8 = 0
            while i < end {
                let c = s[i]
                // a run of ordinary bytes is copied at once (a 10 MB argument is one run)
                var run = i
                while run < end {
                    let r = s[run]
                    if r == backslash || r == dquote || r == squote || (quote == 0 && (r == space || r == tab)) { break }
                    run += 1
                }
                if run > i {
                    arg.append(contentsOf: UnsafeBufferPointer(rebasing: s[i..<run]))
                    i = run
                    continue
                }
                if c == backslash {
                    let n: UInt8 = i + 1 < end ? s[i + 1] : 0
                    if n == squote || n == dquote || n == backslash || (quote == 0 && n == space) {
                        i += 1
                        arg.append(s[i])
                    } else {
                        arg.append(c)
                    }
                } else if quote == 0 && (c == space || c == tab) {
                    break
                } else if quote == 0 && (c == dquote || c == squote) {
                    quote = c
                } else if quote != 0 && c == quote {
                    quote = 0
                } else {
                    arg.append(c)
                }
                i += 1
            }
            if quote != 0 { return .failure(UnterminatedQuote()) }
            tokens.append(Token(bytes: arg, range: tokenStart..<i, next: nil))
        }
        return .success(tokens)
    }

    /// Quote one argument for writing if sshd would otherwise split or misread it.
    static func quoteIfNeeded(_ argument: String) -> String {
        let special: Set<UInt8> = [space, tab, dquote, squote, backslash]
        let needs = argument.isEmpty || argument.hasPrefix("#") || argument.utf8.contains { special.contains($0) }
        guard needs else { return argument }
        var out = "\""
        for ch in argument {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out + "\""
    }
}
