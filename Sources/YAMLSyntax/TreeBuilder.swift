/// Builds the node tree from events with an explicit stack (no recursion, so depth is bounded
/// by `maxDepth`, not by the thread's stack), resolving aliases and counting expansion.
struct TreeBuilder {
    /// An open sequence or mapping; mutated in place at the top of the stack so appends never
    /// copy the collected children.
    private struct Frame {
        var isMapping: Bool
        var items: [Node] = []
        var pairs: [Node.Pair] = []
        var pendingKey: Node?
        var seen: [String: Mark] = [:]
        var mark: Mark
        var anchor: String?
        var tag: String?
        var size = 1
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
                if stack.contains(where: { $0.anchor == name }) {
                    throw .error("alias '*\(name)' refers to the node that contains it (recursive alias)", at: event.mark)
                }
                throw .error("unknown alias '*\(name)': no anchor '&\(name)' before it", at: event.mark)
            }
            var node = target.node
            node.mark = event.mark
            try complete(node, size: target.size, anchor: nil)
        case .sequenceStart(let anchor, let tag):
            try push(Frame(isMapping: false, mark: event.mark, anchor: anchor, tag: tag), at: event.mark)
        case .mappingStart(let anchor, let tag):
            try push(Frame(isMapping: true, mark: event.mark, anchor: anchor, tag: tag), at: event.mark)
        case .sequenceEnd, .mappingEnd:
            guard let frame = stack.popLast() else { return }
            let kind: Node.Kind = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            try complete(Node(kind, mark: frame.mark, tag: frame.tag), size: frame.size, anchor: frame.anchor, counted: true)
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
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        stack[top].size += size
        if !stack[top].isMapping {
            stack[top].items.append(node)
            return
        }
        if let key = stack[top].pendingKey {
            stack[top].pairs.append(Node.Pair(key: key, value: node))
            stack[top].pendingKey = nil
            return
        }
        guard let text = node.scalar else {
            throw .error("a mapping key must be a scalar, found a \(node.kindName)", at: node.mark)
        }
        if text == "<<", node.style == .plain {
            throw .error("merge keys ('<<') are not supported; write the keys out", at: node.mark)
        }
        if let first = stack[top].seen[text] {
            throw .error(
                "duplicate key '\(text)' in mapping", at: node.mark,
                notes: [.note("'\(text)' first defined here", at: first)])
        }
        stack[top].seen[text] = node.mark
        stack[top].pendingKey = node
    }
}
