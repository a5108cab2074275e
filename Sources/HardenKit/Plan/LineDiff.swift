#if canImport(Glibc)
import Glibc
#endif

/// Unified diff of two byte buffers by lines (Myers' O(ND) algorithm), for plan output.
///
/// Sized for hostile inputs: lines are found with `memchr` and compared with `memcmp`, and
/// the search keeps, per edit distance d, only the 2d+3 diagonals it can use (O(D²) memory,
/// not O(D·(N+M)): a few edits in a million-line file no longer copy the whole array per step).
public enum LineDiff {
    /// Lines including their terminator, so a missing final newline shows up.
    static func lines(_ b: [UInt8]) -> [ArraySlice<UInt8>] { b.lineRanges().map { b[$0] } }

    /// Byte equality of two lines.
    static func same(_ x: ArraySlice<UInt8>, _ y: ArraySlice<UInt8>) -> Bool {
        guard x.count == y.count else { return false }
        if x.isEmpty { return true }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in memcmp(px.baseAddress!, py.baseAddress!, px.count) == 0 }
        }
    }

    enum Op: Equatable { case same(Int, Int), del(Int), ins(Int) }

    /// Edit script turning `a` into `b`.
    static func script(_ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>]) -> [Op] {
        let n = a.count
        let m = b.count
        let maxD = n + m
        if maxD == 0 { return [] }
        var v = [Int](repeating: 0, count: 2 * maxD + 2)
        // trace[d] holds v[lows[d]...] as it was before round d: the diagonals -d-1...d+1
        var trace: [[Int]] = []
        var lows: [Int] = []
        outer: for d in 0...maxD {
            let lo = max(0, maxD - d - 1)
            let hi = min(v.count - 1, maxD + d + 1)
            trace.append(Array(v[lo...hi]))
            lows.append(lo)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[maxD + k - 1] < v[maxD + k + 1]) {
                    x = v[maxD + k + 1]
                } else {
                    x = v[maxD + k - 1] + 1
                }
                var y = x - k
                while x < n && y < m && same(a[x], b[y]) {
                    x += 1
                    y += 1
                }
                v[maxD + k] = x
                if x >= n && y >= m { break outer }
            }
        }
        var ops: [Op] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let saved = trace[d]
            let lo = lows[d]
            func v(_ i: Int) -> Int { saved[i - lo] }
            let k = x - y
            let prevK = (k == -d || (k != d && v(maxD + k - 1) < v(maxD + k + 1))) ? k + 1 : k - 1
            let prevX = d == 0 ? 0 : v(maxD + prevK)
            let prevY = prevX - prevK
            while x > prevX && y > prevY {
                ops.append(.same(x - 1, y - 1))
                x -= 1
                y -= 1
            }
            if d > 0 {
                if x == prevX { ops.append(.ins(y - 1)) } else { ops.append(.del(x - 1)) }
            }
            x = prevX
            y = prevY
        }
        return ops.reversed()
    }

    /// `--- a` / `+++ b` headers and `@@` hunks with `context` lines around changes.
    public static func unified(_ before: [UInt8]?, _ after: [UInt8]?, path: String, context: Int = 3) -> String {
        let a = lines(before ?? [])
        let b = lines(after ?? [])
        let ops = script(a, b)
        var out = "--- \(before == nil ? "/dev/null" : "a" + path)\n+++ \(after == nil ? "/dev/null" : "b" + path)\n"
        func text(_ l: ArraySlice<UInt8>) -> String {
            var body = l
            guard body.last == 0x0A else { return String(decoding: body, as: UTF8.self) + "\n\\ No newline at end of file\n" }
            body = body.dropLast()
            var cr = ""
            if body.last == 0x0D {
                body = body.dropLast()
                cr = "\\r"
            }
            return String(decoding: body, as: UTF8.self) + cr + "\n"
        }
        var i = 0
        while i < ops.count {
            guard let firstChange = ops[i...].firstIndex(where: { if case .same = $0 { return false } else { return true } }) else { break }
            let start = max(i, firstChange - context)
            var end = firstChange
            // extend the hunk while changes are within 2*context of each other
            var j = firstChange
            while j < ops.count {
                if case .same = ops[j] {
                    let nextChange = ops[j...].firstIndex(where: { if case .same = $0 { return false } else { return true } })
                    if let nc = nextChange, nc - j <= 2 * context { j = nc; continue }
                    break
                }
                j += 1
                end = j
            }
            let stop = min(ops.count, end + context)
            var aStart = 0, bStart = 0, aCount = 0, bCount = 0
            var body = ""
            var firstA: Int?, firstB: Int?
            for op in ops[start..<stop] {
                switch op {
                case .same(let x, let y):
                    firstA = firstA ?? x; firstB = firstB ?? y
                    aCount += 1; bCount += 1
                    body += " " + text(a[x])
                case .del(let x):
                    firstA = firstA ?? x
                    aCount += 1
                    body += "-" + text(a[x])
                case .ins(let y):
                    firstB = firstB ?? y
                    bCount += 1
                    body += "+" + text(b[y])
                }
            }
            aStart = aCount == 0 ? Self.position(before: start, in: ops, a: true) : (firstA ?? 0) + 1
            bStart = bCount == 0 ? Self.position(before: start, in: ops, a: false) : (firstB ?? 0) + 1
            out += "@@ -\(aStart),\(aCount) +\(bStart),\(bCount) @@\n" + body
            i = stop
        }
        return out
    }

    /// For an empty side, the line number after which the hunk sits (unified diff convention).
    static func position(before index: Int, in ops: [Op], a: Bool) -> Int {
        var count = 0
        for op in ops[..<index] {
            switch op {
            case .same: count += 1
            case .del: if a { count += 1 }
            case .ins: if !a { count += 1 }
            }
        }
        return count
    }
}
