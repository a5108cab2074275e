/// Reads the main sshd_config and everything it includes, the way sshd (OpenSSH ≥ 8.2) does.
///
/// Semantics, checked against servconf.c (`sInclude`, `sMatch`, `parse_server_config_depth`)
/// and against Debian 12's sshd 9.2p1 with `sshd -T`:
/// - `Include` takes one or more patterns; a pattern not starting with `/` (or `~`) is relative
///   to the ssh directory (`/etc/ssh`). Each pattern is expanded with glob(3): matches in byte
///   order, no match is fine, a missing plain path is fine.
/// - Included lines are processed where the `Include` stands, so a drop-in included at the top
///   of the main file is read before the main file's own settings.
/// - Match state: sshd saves the includer's Match state before each included file and restores
///   it afterwards (`*activep = oactive`, "Don't let included files clobber the containing
///   file's Match state"). So a `Match` inside an included file lasts to the end of *that* file
///   only, and an `Include` inside a Match block puts the whole included file in that block.
/// - `Match all` makes the following lines active again in the initial (global) parse, so lines
///   after `Match all` count as global — unless the file itself sits in a Match block.
/// - Nesting deeper than 16 is fatal in sshd. A file including itself (directly or through
///   others) would recurse until that limit; it is reported as an include loop.
public struct SshdConfigLoader: Sendable {
    /// sshd's `SERVCONF_MAX_DEPTH`.
    public static let maxDepth = 16

    /// Where files are read (paths inside the target root).
    public let host: HostReader
    /// Directory relative Include patterns are resolved against (`SSHDIR`).
    public let sshDirectory: String

    /// A loader reading through `host`.
    public init(host: HostReader, sshDirectory: String = "/etc/ssh") {
        self.host = host
        self.sshDirectory = sshDirectory
    }

    /// Load the main config and its includes. Never throws: a problem is recorded in
    /// `SshdLoadedConfig.error` and loading stops there.
    public func load(mainConfig: String = "/etc/ssh/sshd_config") -> SshdLoadedConfig {
        var result = SshdLoadedConfig(mainPath: mainConfig)
        do {
            try visit(mainConfig, depth: 0, inherited: .global, stack: [mainConfig], includedAt: nil, into: &result)
        } catch {
            result.error = error
        }
        return result
    }

    /// The absolute form of an Include pattern.
    public func absolutePattern(_ pattern: String) -> String {
        if pattern.hasPrefix("/") || pattern.hasPrefix("~") { return pattern }
        return sshDirectory.hasSuffix("/") ? sshDirectory + pattern : sshDirectory + "/" + pattern
    }

    private func parsedFile(_ path: String, includedAt: String?, into result: inout SshdLoadedConfig)
        throws(SshdLoadError) -> SshdConfigFile
    {
        if let cached = result.files[path] { return cached }
        result.noteRead(path)
        let bytes: [UInt8]
        do {
            bytes = try host.readFile(path)
        } catch {
            throw .unreadable(error, includedAt: includedAt)
        }
        let file = SshdConfigFile(bytes: bytes)
        result.files[path] = file
        result.bytes[path] = bytes
        return file
    }

    private func visit(
        _ path: String, depth: Int, inherited: SshdContext, stack: [String], includedAt: String?,
        into result: inout SshdLoadedConfig
    ) throws(SshdLoadError) {
        let file = try parsedFile(path, includedAt: includedAt, into: &result)
        var current = inherited
        for (index, line) in file.lines.enumerated() {
            guard let directive = line.directive else { continue }
            switch line.kind {
            case .match:
                let block = SshdMatchBlock(
                    path: path, line: index + 1,
                    header: ([directive.keyword] + directive.arguments).joined(separator: " "))
                let matchAll = directive.arguments.count == 1 && directive.arguments[0].lowercased() == "all"
                current = inherited.isGlobal && matchAll ? .global : .match(block)
                result.entries.append(
                    SshdEntry(
                        path: path, lineIndex: index, kind: .match, directive: directive, context: current,
                        depth: depth))
            case .include:
                let includeEntry = result.entries.count
                result.entries.append(
                    SshdEntry(
                        path: path, lineIndex: index, kind: .include, directive: directive, context: current,
                        depth: depth))
                let at = "\(path):\(index + 1)"
                for pattern in directive.arguments {
                    let absolute = absolutePattern(pattern)
                    let matches: [String]
                    do {
                        matches = try SshdGlob.expand(absolute, host: host)
                    } catch {
                        throw .unreadable(error, includedAt: at)
                    }
                    var files: [SshdIncludeExpansion.File] = []
                    let expansionStart = result.entries.count
                    for match in matches {
                        if stack.contains(match) {
                            throw .includeLoop(chain: stack + [match], at: at)
                        }
                        if depth + 1 > Self.maxDepth {
                            throw .tooDeep(path: match, at: at, limit: Self.maxDepth)
                        }
                        let start = result.entries.count
                        // `current` is passed by value: the included file cannot change this
                        // file's Match state (sshd restores `*activep = oactive`).
                        try visit(
                            match, depth: depth + 1, inherited: current, stack: stack + [match], includedAt: at,
                            into: &result)
                        files.append(.init(path: match, entries: start..<result.entries.count))
                    }
                    result.expansions.append(
                        SshdIncludeExpansion(
                            includeEntry: includeEntry, pattern: pattern, absolutePattern: absolute, files: files,
                            entries: expansionStart..<result.entries.count))
                }
            default:
                result.entries.append(
                    SshdEntry(
                        path: path, lineIndex: index, kind: .directive, directive: directive, context: current,
                        depth: depth))
            }
        }
    }
}
