/// Builds the node tree from events with an explicit stack (no recursion, so depth is bounded
/// by `maxDepth`, not by the thread's stack), resolving aliases and counting expansion.
struct TreeBuilder {
    private enum Frame {
        case sequence(items: [Node], mark: Mark, anchor: String?, tag: String?, size: Int)
        case mapping(
            pairs: [Node.Pair], pendingKey: Node?, seen: [String: Mark], mark: Mark, anchor: String?, tag: String?,
            size: Int)
    }

    let source: SourceFile
    let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: (node: Node, size: Int)] = [:]
    private var total = 0
    private(set) var root: Node?

    init(source: SourceFile, limits: YAMLLimits) {
        self.source = source
        self.limits = limits
    }

    mutating func handle(_ event: Event) throws(Diagnostic) {
        switch event.kind {
        case .scalar(let value, let style, let anchor, let tag):
            let node = Node(.scalar(value, style), mark: event.mark, tag: tag)
            try complete(node, size: 1, anchor: anchor)
        case .alias(let name):
            guard let target = anchors[name] else {
                throw .error("unknown alias '*\(name)': no anchor '&\(name)' before it", at: event.mark)
            }
            var node = target.node
            node.mark = event.mark
            try complete(node, size: target.size, anchor: nil)
        case .sequenceStart(let anchor, let tag):
            try push(.sequence(items: [], mark: event.mark, anchor: anchor, tag: tag, size: 1), at: event.mark)
        case .mappingStart(let anchor, let tag):
            try push(
                .mapping(pairs: [], pendingKey: nil, seen: [:], mark: event.mark, anchor: anchor, tag: tag, size: 1),
                at: event.mark)
        case .sequenceEnd, .mappingEnd:
            guard let frame = stack.popLast() else { return }
            switch frame {
            case .sequence(let items, let mark, let anchor, let tag, let size):
                try complete(Node(.sequence(items), mark: mark, tag: tag), size: size, anchor: anchor, counted: true)
            case .mapping(let pairs, _, _, let mark, let anchor, let tag, let size):
                try complete(Node(.mapping(pairs), mark: mark, tag: tag), size: size, anchor: anchor, counted: true)
            }
        default:
            break
        }
    }

    private mutating func push(_ frame: Frame, at mark: Mark) throws(Diagnostic) {
        if stack.count >= limits.maxDepth {
            throw .error("nesting deeper than \(limits.maxDepth) levels", at: mark)
        }
        try count(1, at: mark)
        stack.append(frame)
    }

    private mutating func count(_ n: Int, at mark: Mark) throws(Diagnostic) {
        total += n
        if total > limits.maxNodes {
            throw .error(
                "document expands to more than \(limits.maxNodes) nodes (alias expansion bound)", at: mark)
        }
    }

    /// Attach a finished node to its parent (or make it the root).
    private mutating func complete(_ node: Node, size: Int, anchor: String?, counted: Bool = false) throws(Diagnostic) {
        if !counted { try count(size, at: node.mark) }
        if let anchor { anchors[anchor] = (node, size) }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(var items, let mark, let a, let tag, let s):
            items.append(node)
            stack.append(.sequence(items: items, mark: mark, anchor: a, tag: tag, size: s + size))
        case .mapping(var pairs, let pendingKey, var seen, let mark, let a, let tag, let s):
            if let key = pendingKey {
                pairs.append(Node.Pair(key: key, value: node))
                stack.append(.mapping(pairs: pairs, pendingKey: nil, seen: seen, mark: mark, anchor: a, tag: tag, size: s + size))
            } else {
                guard let text = node.scalar else {
                    throw .error("a mapping key must be a scalar, found a \(node.kindName)", at: node.mark)
                }
                if let first = seen[text] {
                    throw .error(
                        "duplicate key '\(text)' in mapping", at: node.mark,
                        notes: [.note("'\(text)' first defined here", at: first)])
                }
                seen[text] = node.mark
                stack.append(.mapping(pairs: pairs, pendingKey: node, seen: seen, mark: mark, anchor: a, tag: tag, size: s + size))
            }
        }
    }
}
