import Foundation

/// The desired state as a graph: one node per resource key, the rules that want it, and
/// edges for order (content before owner/mode, persisted sysctl before runtime, config edits
/// before a service reload). `order` is a deterministic topological order.
public struct DesiredGraph: Sendable {
    public struct GraphNode: Sendable {
        /// e.g. `sshd:permitrootlogin`, `sysctl-runtime:net.ipv4.ip_forward`, `service:sshd`
        public var key: String
        /// Rule ids that want this node, in rule order.
        public var rules: [String]
        /// attribute ("" for the whole value) → desired value
        public var desired: [(attribute: String, value: String)]
        /// Keys of the nodes that must come before this one.
        public var after: [String]

        public var kind: String { String(key.prefix { $0 != ":" }) }
    }

    public private(set) var nodes: [String: GraphNode] = [:]
    /// Node keys in topological order (ties broken by kind rank, then key).
    public private(set) var order: [String] = []

    static let rank: [String: Int] = [
        "sysctl": 0, "keyvalue": 1, "sshd": 2, "pam": 3, "audit": 4, "file": 5, "sysctl-runtime": 6, "service": 7,
    ]

    /// Build from the active rules of a resolved set.
    public init(rules: [Rule]) {
        for rule in rules {
            for claim in rule.claims.isEmpty ? rule.body.claims : rule.claims {
                add(claim.node, rule: rule.id, attribute: claim.attribute, value: claim.value)
                if claim.node.hasPrefix("sysctl:") {
                    let runtime = "sysctl-runtime:" + claim.node.dropFirst("sysctl:".count)
                    add(runtime, rule: rule.id, attribute: "", value: claim.value)
                    edge(from: claim.node, to: runtime)
                }
            }
            if case .sshd = rule.body {
                add("service:sshd", rule: rule.id, attribute: "", value: "reload")
            }
            if case .audit = rule.body {
                add("service:auditd", rule: rule.id, attribute: "", value: "load rules")
            }
        }
        // content before owner/mode of the same file; config before service reload
        let keys = nodes.keys.sorted()
        for key in keys {
            if let path = Self.contentPath(of: key), nodes["file:" + path] != nil {
                edge(from: key, to: "file:" + path)
            }
            if key.hasPrefix("sshd:") { edge(from: key, to: "service:sshd") }
            if key.hasPrefix("file:/etc/ssh/"), nodes["service:sshd"] != nil { edge(from: key, to: "service:sshd") }
            if key.hasPrefix("audit:") { edge(from: key, to: "service:auditd") }
            if key.hasPrefix("keyvalue:/etc/audit/auditd.conf:"), nodes["service:auditd"] != nil {
                edge(from: key, to: "service:auditd")
            }
        }
        order = Self.topologicalOrder(nodes)
    }

    /// The file a content node edits, when known from its key alone.
    static func contentPath(of key: String) -> String? {
        if key.hasPrefix("keyvalue:") {
            let rest = key.dropFirst("keyvalue:".count)
            guard let colon = rest.lastIndex(of: ":") else { return nil }
            return String(rest[rest.startIndex..<colon])
        }
        if key.hasPrefix("pam:") {
            let parts = key.split(separator: ":")
            return parts.count > 1 ? "/etc/pam.d/" + parts[1] : nil
        }
        if key.hasPrefix("sshd:") { return "/etc/ssh/sshd_config" }
        return nil
    }

    private mutating func add(_ key: String, rule: String, attribute: String, value: String) {
        var node = nodes[key] ?? GraphNode(key: key, rules: [], desired: [], after: [])
        if !node.rules.contains(rule) { node.rules.append(rule) }
        if !node.desired.contains(where: { $0.attribute == attribute }) { node.desired.append((attribute, value)) }
        nodes[key] = node
    }

    private mutating func edge(from: String, to: String) {
        guard nodes[from] != nil, var target = nodes[to], !target.after.contains(from) else { return }
        target.after.append(from)
        nodes[to] = target
    }

    private static func topologicalOrder(_ nodes: [String: GraphNode]) -> [String] {
        var indegree: [String: Int] = [:]
        var next: [String: [String]] = [:]
        var sortKey: [String: (Int, String)] = [:]
        for (k, n) in nodes {
            indegree[k, default: 0] += n.after.count
            for a in n.after { next[a, default: []].append(k) }
            sortKey[k] = (rank[n.kind] ?? 9, k)
        }
        // `ready` is kept sorted descending so the smallest key pops from the end
        var ready = nodes.keys.filter { indegree[$0] == 0 }.sorted { sortKey[$0]! > sortKey[$1]! }
        var out: [String] = []
        out.reserveCapacity(nodes.count)
        while let k = ready.popLast() {
            out.append(k)
            for n in next[k] ?? [] {
                indegree[n]! -= 1
                if indegree[n] == 0 {
                    let sk = sortKey[n]!
                    var lo = 0
                    var hi = ready.count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if sortKey[ready[mid]]! > sk { lo = mid + 1 } else { hi = mid }
                    }
                    ready.insert(n, at: lo)
                }
            }
        }
        return out  // edges only go from content to attribute/runtime/service nodes: no cycles
    }

    /// One line per node in order: `key  <- after  [rules]  = value`.
    public func renderText() -> String {
        var lines: [String] = []
        for key in order {
            let n = nodes[key]!
            let value = n.desired.map { $0.attribute.isEmpty ? $0.value : "\($0.attribute)=\($0.value)" }
                .joined(separator: ", ").replacingOccurrences(of: "\n", with: " ")
            var line = "\(key) = \(value)  [\(n.rules.joined(separator: ", "))]"
            if !n.after.isEmpty { line += "  after: \(n.after.sorted().joined(separator: ", "))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    /// Graphviz dot.
    public func renderDot() -> String {
        func q(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var out = "digraph harden {\n  rankdir=LR;\n"
        for key in order {
            let n = nodes[key]!
            let label = q(key).dropLast() + "\\n" + q(n.rules.joined(separator: ",")).dropFirst()
            out += "  \(q(key)) [label=\(label)];\n"
        }
        for key in order {
            for a in nodes[key]!.after.sorted() { out += "  \(q(a)) -> \(q(key));\n" }
        }
        return out + "}\n"
    }
}
