import Foundation
import Linja
import Testing

@testable import LinjaTools

/// `initialize`, `shutdown`, `exit`, and errors that never end the session.
/// A body with its header.
func framed(_ body: String) -> [UInt8] {
    Array("Content-Length: \(body.utf8.count)\r\n\r\n".utf8) + Array(body.utf8)
}

struct LSPLifecycleTests {
    @Test func initializeAnswersWithTheCapabilitiesAndUTF16Positions() throws {
        let client = LSPPipeClient()
        defer { client.finish() }
        let r = try client.initialize()
        let caps = r["result"]?["capabilities"]
        #expect(caps?["positionEncoding"] == "utf-16")
        #expect(caps?["textDocumentSync"]?["change"] == 2)
        for provider in ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                         "documentFormattingProvider", "documentRangeFormattingProvider"] {
            #expect(caps?[provider] == true, "\(provider)")
        }
        #expect(caps?["renameProvider"]?["prepareProvider"] == true)
        #expect(caps?["completionProvider"] != nil)
        #expect(caps?["codeActionProvider"] != nil)
        #expect(caps?["codeLensProvider"] != nil)
        #expect(caps?["executeCommandProvider"]?["commands"] == ["linja.runTests"])
        #expect(r["result"]?["serverInfo"]?["name"] == "linja")
    }

    @Test func aRequestBeforeInitializeIsRefusedWithServerNotInitialized() throws {
        let client = LSPPipeClient()
        defer { client.finish() }
        let r = try client.request("textDocument/hover", ["textDocument": ["uri": "file:///x.linja"],
                                                          "position": ["line": 0, "character": 0]])
        #expect(r["error"]?["code"] == .int(-32002))
        // initialize still works afterwards.
        #expect(try client.initialize()["result"]?["capabilities"] != nil)
    }

    @Test func shutdownThenExitEndsWithCodeZeroAndLaterRequestsAreInvalid() throws {
        let client = try startedClient()
        let r = try client.request("shutdown")
        #expect(r["result"] == .null)
        #expect(r["error"] == nil)
        let after = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": "file:///x.linja"]])
        #expect(after["error"]?["code"] == .int(-32600))
        client.notify("exit", .null)
        #expect(client.waitForExit() == 0)
    }

    @Test func exitWithoutShutdownEndsWithCodeOne() throws {
        let client = try startedClient()
        client.notify("exit", .null)
        #expect(client.waitForExit() == 1)
    }

    @Test func theEndOfInputWithoutShutdownEndsWithCodeOne() throws {
        let client = try startedClient()
        client.closeInput()
        #expect(client.waitForExit() == 1)
    }

    @Test func initializeTwiceIsAnInvalidRequest() throws {
        let client = try startedClient()
        defer { client.finish() }
        let r = try client.request("initialize", ["capabilities": [:]])
        #expect(r["error"]?["code"] == .int(-32600))
    }

    @Test func anUnknownMethodIsMethodNotFoundAndAnUnknownNotificationIsIgnored() throws {
        let client = try startedClient()
        defer { client.finish() }
        client.notify("workspace/somethingNew", ["x": 1])
        let r = try client.request("textDocument/somethingNew", [:])
        #expect(r["error"]?["code"] == .int(-32601))
        #expect(try client.request("shutdown")["result"] == .null)
    }

    @Test func aRequestWithBadParamsGetsAnErrorAndTheServerKeepsServing() throws {
        let client = try startedClient()
        defer { client.finish() }
        for params: JSONValue in [.null, [:], ["textDocument": 5], ["textDocument": ["uri": "file:///nowhere.linja"], "position": "x"],
                                  ["textDocument": ["uri": "file:///nowhere.linja"], "position": ["line": 0, "character": 0]]] {
            for method in ["textDocument/hover", "textDocument/definition", "textDocument/completion", "textDocument/formatting",
                           "textDocument/rename", "textDocument/codeAction", "workspace/executeCommand"] {
                let r = try client.request(method, params)
                #expect(r["error"]?["code"]?.int != nil, "\(method) \(params.text)")
            }
        }
        let r = try client.request("shutdown")
        #expect(r["result"] == .null)
    }

    /// Each malformed input gets an error response with a null id, and a
    /// request after it is still answered.
    @Test(arguments: [
        ("a body that is not JSON", framed("{not json")),
        ("JSON that is not an object", framed("[1,2,3]")),
        ("an object without a method", framed("{\"jsonrpc\":\"2.0\",\"x\":1}")),
        ("a request id that is an object", framed("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"shutdown\"}")),
        ("a body shorter than its Content-Length says, then a request", Array("Content-Length: 3\r\n\r\n{\"a\":1}".utf8)),
        ("a header without Content-Length", Array("Content-Type: x\r\n\r\n".utf8)),
        ("a Content-Length that is not a number", Array("Content-Length: lots\r\n\r\n".utf8)),
        ("a header line without a colon", Array("Hello there\r\n\r\n".utf8)),
        ("a Content-Length over 64 MiB", Array("Content-Length: 99999999999\r\n\r\n".utf8)),
    ])
    func malformedInputGetsAnErrorAndTheServerKeepsServing(_ c: (String, [UInt8])) throws {
        let client = try startedClient()
        defer { client.finish() }
        client.sendRaw(c.1)
        let error = try client.take(what: "an error for \(c.0)") { $0["error"] != nil }
        #expect(error["id"] == .null, "\(c.0)")
        #expect([-32700, -32600].contains(error["error"]?["code"]?.int ?? 0), "\(c.0)")
        let r = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": "file:///nowhere.linja"]])
        #expect(r["error"]?["code"] == .int(-32602), "\(c.0)")
    }

    @Test func messagesSplitAcrossWritesAndJoinedInOneAreAllRead() throws {
        let client = try startedClient()
        defer { client.finish() }
        func framed(_ id: Int) -> [UInt8] {
            let body = Array("{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"textDocument/nothing\"}".utf8)
            return Array("content-length: \(body.count)\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n".utf8) + body
        }
        let two = framed(100) + framed(101)
        client.sendRaw(Array(two[0..<7]))
        Thread.sleep(forTimeInterval: 0.02)
        client.sendRaw(Array(two[7...]))
        #expect(try client.response(id: 100)["error"]?["code"] == .int(-32601))
        #expect(try client.response(id: 101)["error"]?["code"] == .int(-32601))
    }

    @Test func aStringRequestIdIsEchoed() throws {
        let client = try startedClient()
        defer { client.finish() }
        client.send(["jsonrpc": "2.0", "id": "abc", "method": "shutdown"])
        #expect(try client.response(id: "abc")["result"] == .null)
    }
}
