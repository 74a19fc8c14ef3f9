import Foundation
import Testing

/// `linja lsp` as an editor starts it: a process speaking the protocol on
/// standard input and output, writing nothing else there.
struct LSPCommandTests {
    static func framed(_ json: String) -> String { "Content-Length: \(json.utf8.count)\r\n\r\n" + json }

    /// Splits standard output into message bodies; nil if any byte is not part of a framed message.
    static func messages(_ out: String) -> [String]? {
        var rest = Substring(out)
        var bodies: [String] = []
        while !rest.isEmpty {
            guard rest.hasPrefix("Content-Length: "), let end = rest.range(of: "\r\n\r\n") else { return nil }
            guard let n = Int(rest[rest.index(rest.startIndex, offsetBy: 16)..<end.lowerBound]) else { return nil }
            let bytes = Array(rest[end.upperBound...].utf8)
            guard bytes.count >= n else { return nil }
            bodies.append(String(decoding: bytes[0..<n], as: UTF8.self))
            rest = Substring(String(decoding: bytes[n...], as: UTF8.self))
        }
        return bodies
    }

    @Test func aSessionWritesOnlyProtocolMessagesAndEndsWithZeroAfterShutdownAndExit() throws {
        let file = CLI.repoRoot + "/rules/etela-keski-suomi/rules.linja"
        let uri = "file://" + file
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let textJSON = String(decoding: try JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]), as: UTF8.self)
        let input = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
            #"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            #"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"\#(uri)","languageId":"linja","version":1,"text":\#(textJSON.dropFirst().dropLast())}}}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"\#(uri)"},"position":{"line":7,"character":10}}}"#,
            "not json",
            #"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#,
            #"{"jsonrpc":"2.0","method":"exit"}"#,
        ].map(Self.framed).joined()
        let r = try CLI.run(["lsp"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let bodies = try #require(Self.messages(r.stdout), "stdout holds something other than framed messages: \(r.stdout.prefix(300))")
        #expect(bodies.contains { $0.contains(#""id":1"#) && $0.contains("capabilities") })
        #expect(bodies.contains { $0.contains(#""id":2"#) && $0.contains("career_guidance_after") })
        #expect(bodies.contains { $0.contains(#""id":null"#) && $0.contains("-32700") })
        #expect(bodies.contains { $0.contains(#""id":3"#) && $0.contains(#""result":null"#) })
    }

    @Test func theEndOfInputWithoutShutdownExitsOne() throws {
        let r = try CLI.run(["lsp"], stdin: Self.framed(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#))
        #expect(r.status == 1)
        #expect(Self.messages(r.stdout)?.count == 1)
    }

    @Test func pathsAreAUsageError() throws {
        let r = try CLI.run(["lsp", "rules/"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("linja lsp takes no paths"))
    }
}
