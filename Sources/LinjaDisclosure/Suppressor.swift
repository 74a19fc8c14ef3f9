/// Primary, then secondary suppression over one publication.
///
/// 1. Primary: every count from 1 to `limit − 1` is hidden.
/// 2. Secondary: take the first hidden cell (by position) not yet protected.
///    The exact check asks whether it can take another value; if so, its
///    witness protects it and every other cell it moves. If not (or if the
///    check ran out of budget), the cheapest unit move through it names the
///    shown cells to hide, and the move protects all the cells it touches.
///    When no move is found, and hiding every non-zero cell would free it,
///    the cheapest shown cell related to it is hidden and the check runs
///    again; when even that would not free it, it is reported as
///    unprotected. Repeat until every hidden cell is settled.
///
/// Hiding a cell never takes protection away (every witness stays a
/// solution: a newly hidden cell keeps its true value in it), so each cell is
/// settled once, and the loop ends because every round either protects a cell
/// or hides one more.
struct Suppressor {
    let publication: Publication
    let system: LinearSystem

    init(_ p: Publication) {
        publication = p
        system = LinearSystem(p)
    }

    func run() -> ProtectedPublication {
        let values = publication.values
        let limit = publication.limit
        var stats = ProtectedPublication.Statistics()
        guard limit > 2 else {
            return ProtectedPublication(cells: values.map { .shown($0) }, unprotected: [], statistics: stats)
        }
        var state: [CellState] = values.map { $0 >= 1 && $0 < limit ? .primary : .shown }
        stats.primary = state.filter { $0 == .primary }.count
        var protected = Array(repeating: false, count: values.count)
        var gaveUp = Array(repeating: false, count: values.count)
        var moveFailed = Array(repeating: false, count: values.count)
        var hopelessChecked = Array(repeating: false, count: values.count)
        let check = IntegerCheck(system: system)
        let search = MoveSearch(system: system)
        // The first open cell at or after `from`, wrapping round once.
        func nextOpen(from: Int) -> Int? {
            let n = values.count
            for k in 0..<n {
                let i = (from + k) % n
                if state[i] != .shown && !protected[i] && !gaveUp[i] { return i }
            }
            return nil
        }
        var from = 0
        while let c = nextOpen(from: from) {
            from = c
            stats.checks += 1
            let (verdict, nodes) = check.alternative(for: c, state)
            stats.nodes += nodes
            switch verdict {
            case .witness(let solution):
                for (cell, value) in solution where value != values[cell] { protected[cell] = true }
                continue
            case .undecided:
                stats.undecided += 1
            case .pinned:
                break
            }
            // A cell whose move search failed once goes straight to the
            // fallback afterwards: the search is the expensive part.
            var move: [(cell: Int, delta: Int)]?
            if !moveFailed[c] {
                let (m, expanded) = search.cheapestMove(through: c, state)
                stats.nodes += expanded
                move = m
            }
            if let move, valid(move, state) {
                for (cell, _) in move {
                    if state[cell] == .shown {
                        state[cell] = .secondary
                        stats.secondary += 1
                    }
                    protected[cell] = true
                }
                stats.moves += 1
                continue
            }
            moveFailed[c] = true
            // Before hiding anything more one cell at a time: can any amount
            // of hiding free it? Ask with every non-zero cell hidden. Some
            // cells cannot be freed (four hidden 1s under a hidden total of
            // 4: each is at least 1, so all are 1); those are reported, not
            // buried under pointless extra suppression.
            if !hopelessChecked[c] {
                hopelessChecked[c] = true
                let everything: [CellState] = state.indices.map { state[$0] == .shown && values[$0] > 0 ? .secondary : state[$0] }
                let (v, n) = check.alternative(for: c, everything)
                stats.nodes += n
                if case .pinned = v {
                    gaveUp[c] = true
                    continue
                }
            }
            // Fallback: hide the cheapest related cell (with its identical
            // cells) and ask again.
            if let f = check.frontier(of: c, state).first {
                let cls = system.identityClass[f]
                for cell in values.indices where system.identityClass[cell] == cls && state[cell] == .shown {
                    state[cell] = .secondary
                    stats.secondary += 1
                }
                stats.fallbacks += 1
            } else {
                gaveUp[c] = true
            }
        }
        let cells: [Disclosed] = zip(values, state).map { v, s in
            switch s {
            case .shown: return .shown(v)
            case .primary: return .hidden(.primary)
            case .secondary: return .hidden(.secondary)
            }
        }
        let unprotected = values.indices.filter { gaveUp[$0] }.map(CellID.init)
        return ProtectedPublication(cells: cells, unprotected: unprotected, statistics: stats)
    }

    /// A move is a witness only if every touched cell stays within its bounds
    /// once hidden and every constraint still holds: checked again here, not
    /// trusted from the search.
    func valid(_ move: [(cell: Int, delta: Int)], _ state: [CellState]) -> Bool {
        var values: [Int: Int] = [:]
        for (cell, d) in move {
            let s: CellState = state[cell] == .shown ? .secondary : state[cell]
            let b = system.bounds(cell, s)
            let v = system.truth[cell] + d
            guard d != 0, v >= b.lo, v <= b.hi, system.truth[cell] >= (state[cell] == .shown ? b.lo : 0) else { return false }
            values[cell] = v
        }
        return !move.isEmpty && system.satisfies(values, touching: move.map(\.cell))
    }
}
