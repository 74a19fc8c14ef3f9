import LinjaBase
import LinjaSyntax

/// How the compiled evaluator packs values into Int64 slots. Every ordered
/// type encodes so that Int64 order is value order: integers as themselves,
/// exact decimals as their raw millionths, dates as day numbers, enumeration
/// values and municipalities as their index, booleans as 0/1. A missing
/// optional is `Slot.missing`.
public enum Slot {
    public static let missing = Int64.min

    /// The slot encoding of a value of a known type; nil for values that do
    /// not fit a slot (spans, durations, sets of non-enumerations).
    public static func encode(_ v: Value) -> Int64? {
        switch v {
        case .missing: return missing
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return i == missing ? nil : i
        case .decimal(let f), .percent(let f), .money(let f): return f.raw
        case .date(let d): return Int64(d.number)
        case .enumeration(_, let i): return Int64(i)
        case .municipality(let m): return Int64(m)
        case .group(let g): return Int64(g)
        case .period(let p): return Int64(p.first.number) << 8 | Int64(p.kind.rawValue)
        case .set(let items):
            var mask: Int64 = 0
            for item in items {
                guard case .enumeration(_, let i) = item, i < 63 else { return nil }
                mask |= 1 << Int64(i)
            }
            return mask
        case .text, .duration, .span: return nil
        }
    }

    /// The value a slot holds, given its type.
    public static func decode(_ raw: Int64, _ type: LType, texts: [String] = []) -> Value {
        if raw == missing, type.isOptional { return .missing }
        switch type.base {
        case .bool: return .bool(raw != 0)
        case .int: return .int(raw)
        case .decimal: return .decimal(Fixed(raw: raw))
        case .percent: return .percent(Fixed(raw: raw))
        case .money: return .money(Fixed(raw: raw))
        case .date: return .date(Day(number: Int32(truncatingIfNeeded: raw)))
        case .enumeration(let id, _): return .enumeration(type: id, index: Int(raw))
        case .municipality: return .municipality(Int(raw))
        case .group: return .group(Int(raw))
        case .text:
            let i = Int(raw)
            return i >= 0 && i < texts.count ? .text(texts[i]) : .text("")
        case .set(.enumeration(let id, _)):
            var items: [Value] = []
            for i in 0..<63 where raw & (1 << Int64(i)) != 0 { items.append(.enumeration(type: id, index: i)) }
            return .set(items)
        case .period:
            let day = Day(number: Int32(truncatingIfNeeded: raw >> 8))
            let kind = Period.Kind(rawValue: Int(raw & 0xFF)) ?? .year
            switch kind {
            case .year: return .period(Period(kind: .year, year: day.year, index: 0))
            case .quarter: return .period(Period(kind: .quarter, year: day.year, index: (day.month - 1) / 3 + 1))
            case .month: return .period(Period(kind: .month, year: day.year, index: day.month))
            }
        case .optional, .duration, .span, .set, .error: return .missing
        }
    }
}

/// A batch of client records packed for the compiled evaluator: `width`
/// slots per client, text fields as indexes into `texts`.
public struct ClientBatch: Sendable {
    public let width: Int
    public var slots: [Int64]
    public var texts: [String]
    public var count: Int { width == 0 ? 0 : slots.count / width }

    public init(width: Int, capacity: Int = 0) {
        self.width = width
        self.slots = []
        self.texts = []
        slots.reserveCapacity(capacity * width)
    }

    /// Appends a client given as values in field order.
    public mutating func append(_ values: [Value], record: RecordType) {
        for (i, f) in record.fields.enumerated() {
            let v = i < values.count ? values[i] : .missing
            if case .text(let s) = v {
                slots.append(Int64(texts.count))
                texts.append(s)
            } else {
                slots.append(Slot.encode(v) ?? Slot.missing)
            }
            _ = f
        }
    }

    /// Appends a client already encoded elsewhere (a reader's range of rows):
    /// its slots copied as they are, its texts moved into this batch's table.
    /// The same as `append(values, record:)` with the values decoded, without
    /// making them. `textFields` and `optionalFields` are per slot.
    public mutating func append(encoded source: [Int64], at base: Int, texts sourceTexts: [String],
                                textFields: [Bool], optionalFields: [Bool]) {
        for k in 0..<width {
            let raw = base + k < source.count ? source[base + k] : Slot.missing
            guard k < textFields.count, textFields[k] else {
                slots.append(raw)
                continue
            }
            if raw == Slot.missing, k < optionalFields.count, optionalFields[k] {
                slots.append(Slot.missing)
                continue
            }
            let i = Int(raw)
            slots.append(Int64(texts.count))
            texts.append(i >= 0 && i < sourceTexts.count ? sourceTexts[i] : "")
        }
    }

    /// The values of client `index`.
    public func values(_ index: Int, record: RecordType) -> [Value] {
        let base = index * width
        return record.fields.enumerated().map { i, f in Slot.decode(slots[base + i], f.type, texts: texts) }
    }

    public mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        texts.removeAll(keepingCapacity: true)
    }

    /// Removes the clients at `indices` (ascending); their texts stay, unused.
    public mutating func removeRows(_ indices: [Int]) {
        guard width > 0, !indices.isEmpty else { return }
        var kept: [Int64] = []
        kept.reserveCapacity(slots.count)
        var next = 0
        for i in 0..<count {
            if next < indices.count, indices[next] == i {
                next += 1
                continue
            }
            kept.append(contentsOf: slots[(i * width)..<((i + 1) * width)])
        }
        slots = kept
    }
}
