// A grammar-aware libFuzzer mutator for rule files, linked into the
// `parser_mutations` and `check` harnesses (each defines
// `MutatorMix.byteLevelOneIn`: how often libFuzzer's own byte-level mutator
// is used instead).
//
// `LLVMFuzzerCustomMutator` works on whole tokens (as Linja's own lexer
// splits the input) and whole lines: it deletes, duplicates, swaps and
// replaces them, inserts keywords and literals from fuzz/dict/linja.dict,
// nests parentheses and repeats tokens, and splices in tokens, lines and
// blocks of lines of the rule files under rules/ (the "pool").
// `LLVMFuzzerCustomCrossOver` splices a block of one input's lines into
// another's.
import Foundation
import Linja

@_silgen_name("LLVMFuzzerMutate")
func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// Linja's seeded generator picks the mutations.
typealias MutationRandom = SplitMix64

extension SplitMix64 {
    mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
}

enum Grammar {
    /// Entries of fuzz/dict/linja.dict, unescaped.
    static let dictionary: [[UInt8]] = {
        let path = Fuzz.repoRoot + "/fuzz/dict/linja.dict"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var out: [[UInt8]] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let open = line.firstIndex(of: "\""), line.last == "\"" else { continue }
            let body = Array(line[line.index(after: open)..<line.index(before: line.endIndex)].utf8)
            var bytes: [UInt8] = []
            var i = 0
            while i < body.count {
                if body[i] == UInt8(ascii: "\\"), i + 1 < body.count {
                    if body[i + 1] == UInt8(ascii: "x"), i + 3 < body.count,
                       let v = UInt8(String(decoding: body[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                        bytes.append(v)
                        i += 4
                        continue
                    }
                    bytes.append(body[i + 1])
                    i += 2
                    continue
                }
                bytes.append(body[i])
                i += 1
            }
            out.append(bytes)
        }
        return out
    }()

    /// The rule files under rules/, each read once.
    static let ruleFiles: [[UInt8]] = {
        let root = Fuzz.repoRoot + "/rules"
        var out: [[UInt8]] = []
        let e = FileManager.default.enumerator(atPath: root)
        while let rel = e?.nextObject() as? String {
            if rel.hasSuffix(".linja"), let d = FileManager.default.contents(atPath: root + "/" + rel) { out.append([UInt8](d)) }
        }
        return out
    }()

    /// Every distinct line of those files.
    static let poolLines: [[UInt8]] = {
        var seen = Set<[UInt8]>()
        for f in ruleFiles {
            for l in f.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) { seen.insert(Array(l)) }
        }
        return seen.sorted { $0.lexicographicallyPrecedes($1) }
    }()

    /// Every distinct token text of those files, as written.
    static let poolTokens: [[UInt8]] = {
        var seen = Set<[UInt8]>()
        for f in ruleFiles {
            for t in Lexer.lex(SourceFile(path: "pool", bytes: f)).tokens where !t.isEOF && t.end > t.start {
                seen.insert(Array(f[t.start..<t.end]))
            }
        }
        return seen.sorted { $0.lexicographicallyPrecedes($1) }
    }()

    static func tokens(_ b: [UInt8]) -> [Range<Int>] {
        Lexer.lex(SourceFile(path: "m", bytes: b)).tokens.compactMap { t in
            t.isEOF || t.end <= t.start || t.end > b.count ? nil : t.start..<t.end
        }
    }

    /// Line ranges including their "\n".
    static func lines(_ b: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        for (i, c) in b.enumerated() where c == UInt8(ascii: "\n") {
            out.append(start..<(i + 1))
            start = i + 1
        }
        if start < b.count { out.append(start..<b.count) }
        return out
    }

    static func pick(_ list: [[UInt8]], _ r: inout MutationRandom) -> [UInt8] {
        list.isEmpty ? [] : list[r.below(list.count)]
    }

    /// A fragment to insert: a dictionary word, a pool token, or a pool line.
    static func fragment(_ r: inout MutationRandom) -> [UInt8] {
        switch r.below(3) {
        case 0: return pick(dictionary, &r)
        case 1: return pick(poolTokens, &r)
        default: return pick(poolLines, &r) + [UInt8(ascii: "\n")]
        }
    }

    /// One token- or line-level mutation; nil when it does not apply.
    static func mutateOnce(_ b: [UInt8], _ r: inout MutationRandom) -> [UInt8]? {
        let space: [UInt8] = [UInt8(ascii: " ")]
        switch r.below(16) {
        case 0, 1: // delete a token
            let ts = tokens(b); guard !ts.isEmpty else { return nil }
            var out = b; out.removeSubrange(ts[r.below(ts.count)]); return out
        case 2: // duplicate a token
            let ts = tokens(b); guard !ts.isEmpty else { return nil }
            let t = ts[r.below(ts.count)]
            var out = b; out.insert(contentsOf: space + Array(b[t]), at: t.upperBound); return out
        case 3: // swap two tokens
            let ts = tokens(b); guard ts.count >= 2 else { return nil }
            var i = r.below(ts.count), j = r.below(ts.count)
            if i == j { return nil }
            if i > j { swap(&i, &j) }
            let a = ts[i], c = ts[j]
            return Array(b[..<a.lowerBound]) + Array(b[c]) + Array(b[a.upperBound..<c.lowerBound]) + Array(b[a]) + Array(b[c.upperBound...])
        case 4: // replace a token with another of the same file
            let ts = tokens(b); guard ts.count >= 2 else { return nil }
            let t = ts[r.below(ts.count)], u = ts[r.below(ts.count)]
            var out = b; out.replaceSubrange(t, with: Array(b[u])); return out
        case 5, 6: // replace a token with a dictionary word or pool token
            let ts = tokens(b); guard !ts.isEmpty else { return nil }
            let t = ts[r.below(ts.count)]
            var out = b; out.replaceSubrange(t, with: r.chance(2) ? pick(dictionary, &r) : pick(poolTokens, &r)); return out
        case 7, 8: // insert a dictionary word, pool token or pool line at a token boundary
            let ts = tokens(b)
            let at = ts.isEmpty ? b.count : (r.chance(2) ? ts[r.below(ts.count)].lowerBound : ts[r.below(ts.count)].upperBound)
            var out = b; out.insert(contentsOf: space + fragment(&r) + space, at: at); return out
        case 9: // delete a line or a block of lines
            let ls = lines(b); guard !ls.isEmpty else { return nil }
            let i = r.below(ls.count), n = r.chance(3) ? 1 + r.below(8) : 1
            var out = b; out.removeSubrange(ls[i].lowerBound..<ls[min(ls.count - 1, i + n - 1)].upperBound); return out
        case 10: // duplicate a line or block somewhere
            let ls = lines(b); guard !ls.isEmpty else { return nil }
            let i = r.below(ls.count), n = r.chance(3) ? 1 + r.below(8) : 1
            let block = Array(b[ls[i].lowerBound..<ls[min(ls.count - 1, i + n - 1)].upperBound])
            let at = ls[r.below(ls.count)].lowerBound
            var out = b; out.insert(contentsOf: block, at: at); return out
        case 11: // swap two lines
            let ls = lines(b); guard ls.count >= 2 else { return nil }
            var i = r.below(ls.count), j = r.below(ls.count)
            if i == j { return nil }
            if i > j { swap(&i, &j) }
            let a = ls[i], c = ls[j]
            var la = Array(b[a]), lc = Array(b[c])
            if la.last != UInt8(ascii: "\n") { la.append(UInt8(ascii: "\n")) }
            if lc.last != UInt8(ascii: "\n") { lc.append(UInt8(ascii: "\n")) }
            return Array(b[..<a.lowerBound]) + lc + Array(b[a.upperBound..<c.lowerBound]) + la + Array(b[c.upperBound...])
        case 12, 13: // insert or replace a line from the pool
            let ls = lines(b)
            let line = pick(poolLines, &r) + [UInt8(ascii: "\n")]
            guard !ls.isEmpty else { return line }
            let l = ls[r.below(ls.count)]
            var out = b
            if r.chance(2) { out.insert(contentsOf: line, at: l.lowerBound) } else { out.replaceSubrange(l, with: line) }
            return out
        case 14: // nest: wrap a token range in parentheses, or repeat a token many times
            let ts = tokens(b); guard !ts.isEmpty else { return nil }
            let i = r.below(ts.count), j = min(ts.count - 1, i + r.below(6))
            if r.chance(2) {
                var out = b
                out.insert(UInt8(ascii: ")"), at: ts[j].upperBound)
                out.insert(UInt8(ascii: "("), at: ts[i].lowerBound)
                return out
            }
            let t = Array(b[ts[i]]), n = 2 + r.below(r.chance(4) ? 300 : 10)
            var rep: [UInt8] = []
            for _ in 0..<n { rep += space + t }
            var out = b; out.insert(contentsOf: rep, at: ts[i].upperBound); return out
        default: // a whole declaration-sized block from a rule file
            let f = pick(ruleFiles, &r)
            let fl = lines(f); guard !fl.isEmpty else { return nil }
            let i = r.below(fl.count), n = 1 + r.below(12)
            let block = Array(f[fl[i].lowerBound..<fl[min(fl.count - 1, i + n - 1)].upperBound])
            let ls = lines(b)
            let at = ls.isEmpty ? b.count : ls[r.below(ls.count)].lowerBound
            var out = b; out.insert(contentsOf: block, at: at); return out
        }
    }
}

@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var r = MutationRandom(seed: UInt64(seed) &* 0x2545_F491_4F6C_DD1D)
    if r.chance(MutatorMix.byteLevelOneIn) { return LLVMFuzzerMutate(data, size, maxSize) }
    var b = Array(UnsafeBufferPointer(start: data, count: size))
    let rounds = 1 + (r.chance(3) ? r.below(4) : 0)
    var changed = false
    for _ in 0..<rounds {
        if let m = Grammar.mutateOnce(b, &r), m != b {
            b = m
            changed = true
        }
    }
    if !changed { return LLVMFuzzerMutate(data, size, maxSize) }
    if b.count > maxSize { b.removeSubrange(maxSize...) }
    if b.isEmpty { return 0 }
    b.withUnsafeBufferPointer { p in data.update(from: p.baseAddress!, count: p.count) }
    return b.count
}

@_cdecl("LLVMFuzzerCustomCrossOver")
public func customCrossOver(_ data1: UnsafePointer<UInt8>, _ size1: Int, _ data2: UnsafePointer<UInt8>, _ size2: Int,
                            _ out: UnsafeMutablePointer<UInt8>, _ maxOutSize: Int, _ seed: UInt32) -> Int {
    var r = MutationRandom(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
    let a = Array(UnsafeBufferPointer(start: data1, count: size1))
    let b = Array(UnsafeBufferPointer(start: data2, count: size2))
    let la = Grammar.lines(a), lb = Grammar.lines(b)
    guard !la.isEmpty, !lb.isEmpty else { return 0 }
    // a's lines before i, a block of b's lines, a's lines from i (or from a later line).
    let i = r.below(la.count + 1)
    let j = r.below(lb.count), k = min(lb.count, j + 1 + r.below(20))
    let resume = r.chance(2) ? i : min(la.count, i + r.below(10))
    var result = Array(a[0..<(i < la.count ? la[i].lowerBound : a.count)])
    if let last = result.last, last != UInt8(ascii: "\n") { result.append(UInt8(ascii: "\n")) }
    result += b[lb[j].lowerBound..<lb[k - 1].upperBound]
    if result.last != UInt8(ascii: "\n") { result.append(UInt8(ascii: "\n")) }
    if resume < la.count { result += a[la[resume].lowerBound...] }
    let n = min(result.count, maxOutSize)
    if n == 0 { return 0 }
    result.withUnsafeBufferPointer { p in out.update(from: p.baseAddress!, count: n) }
    return n
}
