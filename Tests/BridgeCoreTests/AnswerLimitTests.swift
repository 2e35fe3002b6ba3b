import BridgeTesting
import Testing
@testable import BridgeCore

/// The answer to one message (a whole batch) stays within `RequestSource.maxAnswerBytes`:
/// a request whose answer would not fit gets -32007, and the batch's later requests are
/// not run.
@Suite struct AnswerLimitTests {
    static func get(_ dataType: String, _ keys: [String], id: Int) -> JSONValue {
        ["jsonrpc": "2.0", "id": .int(Int64(id)), "method": "unicat.get",
         "params": ["data_type": .string(dataType), "keys": .array(keys.map { .string($0) })]]
    }

    /// A definition of about 2 KB, in the init data (so in the mirror).
    static func definition(_ key: String) -> JSONValue {
        ["gid": .string(key), "name": .string(String(repeating: "d", count: 2_000))]
    }

    @Test func objectsHeldInTheMirrorAreRefusedBeforeTheyAreRead() async throws {
        let upstream = ScriptedUpstream()
        let keys = (0..<10).map { "d\($0)" }
        for key in keys { upstream.put("definitions", key, Self.definition(key)) }
        try await ScriptedSession.run(upstream) { session in
            let batch: JSONValue = .array((0..<6).map { Self.get("definitions", keys, id: $0) })
            let answers = try #require(try await session.answer(batch, from: RequestSource(client: 1, maxAnswerBytes: 50_000)).arrayValue)
            #expect(answers.count == 6)
            let results = answers.prefix { $0["result"] != nil }
            #expect(results.count == 2, "two answers of about 20 KB fit in 50 KB")
            let refused = answers[2]["error"]
            #expect(refused?["code"] == -32007)
            #expect(refused?["message"]?.stringValue?.hasPrefix("Answer too large: the definitions held for these 10 keys are ") == true, "\(answers[2].encodedString())")
            for answer in answers.dropFirst(3) {
                #expect(answer["error"]?["message"] == "Answer too large: not run: the answer to this message reached its limit of 50000 bytes")
            }
        }
    }

    @Test func anAnswerBuiltPastTheLimitIsReplacedAndTheRestNotRun() async throws {
        let upstream = ScriptedUpstream()
        let keys = (0..<10).map { "r\($0)" }
        for key in keys { upstream.put("records", key, ScriptedUpstream.record(key, title: String(repeating: "t", count: 2_000))) }
        try await ScriptedSession.run(upstream) { session in
            let batch: JSONValue = .array((0..<4).map { Self.get("records", keys, id: $0) })
            let answers = try #require(try await session.answer(batch, from: RequestSource(client: 1, maxAnswerBytes: 30_000)).arrayValue)
            #expect(answers[0]["result"]?["objects"]?.objectValue?.count == 10)
            #expect(answers[1]["error"]?["code"] == -32007)
            #expect(answers[1]["error"]?["message"]?.stringValue?.contains("the request was carried out") == true)
            #expect(upstream.requests("records/get") == 2, "the last two were not run")
            #expect(answers[3]["error"]?["message"]?.stringValue?.contains("not run") == true)
        }
    }

    @Test func aSubscriptionsAnswerAlwaysGoesOut() async throws {
        let upstream = ScriptedUpstream()
        let keys = (0..<10).map { "d\($0)" }
        for key in keys { upstream.put("definitions", key, Self.definition(key)) }
        try await ScriptedSession.run(upstream) { session in
            _ = await session.connect(1)
            let subscribe: JSONValue = ["jsonrpc": "2.0", "id": "s", "method": "sync.subscribe",
                                        "params": ["keys": .array((0..<50).map { .string("key-\($0)") })]]
            let answers = try #require(try await session.answer([Self.get("definitions", keys, id: 1), subscribe],
                                                                from: RequestSource(client: 1, maxAnswerBytes: 21_000)).arrayValue)
            #expect(answers[0]["result"] != nil)
            #expect(answers[1]["result"]?["subscription"]?.stringValue != nil, "the client learns of its subscription")
        }
    }
}
