/// A JSON value with ordered object keys, for output that reads well and
/// parses well. (Foundation's JSONSerialization reorders keys and prints
/// numbers through Double; policy values must stay exact.)
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number written exactly as given (e.g. an exact decimal).
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Compact, one line (JSON Lines).
    public var compact: String {
        var out = ""
        write(into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented with two spaces.
    public var pretty: String {
        var out = ""
        write(into: &out, indent: "  ", level: 0)
        return out
    }

    public subscript(key: String) -> JSON? {
        if case let .object(pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    func write(into out: inout String, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .number(s): out += s
        case let .string(s): JSON.escape(s, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if let ind = indent { out += "\n" + String(repeating: ind, count: level + 1) }
                item.write(into: &out, indent: indent, level: level + 1)
            }
            if let ind = indent { out += "\n" + String(repeating: ind, count: level) }
            out += "]"
        case let .object(pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                if let ind = indent { out += "\n" + String(repeating: ind, count: level + 1) }
                JSON.escape(k, into: &out)
                out += indent == nil ? ":" : ": "
                v.write(into: &out, indent: indent, level: level + 1)
            }
            if let ind = indent { out += "\n" + String(repeating: ind, count: level) }
            out += "}"
        }
    }

    /// Escapes a string as a JSON string literal; non-ASCII stays UTF-8.
    public static func escape(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        escape(s, into: &out)
        return out
    }
}

extension JSON {
    /// Appends a JSON string made from UTF-8 bytes: the bytes as they are,
    /// between quotes, when nothing in them needs escaping (the usual case
    /// for ids and names), else `quoted`.
    public static func appendQuoted(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        if b.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: quoted(String(decoding: b, as: UTF8.self)).utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: b)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `s` as a JSON string (see the bytes' version).
    public static func appendQuoted(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendQuoted(UnsafeRawBufferPointer($0), into: &out) }
    }
}
