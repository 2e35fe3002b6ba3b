import BridgeTestSupport
import BridgeTesting
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// What a client's requests may cost Unicat: `unicat.get` makes at most
/// `maxUpstreamRequestsPerGet` requests, and every request of a client draws from its
/// `UpstreamRate`; refused keys are found with few requests; none of it changes what the
/// sync engine's fetches get.
@Suite struct UpstreamBudgetTests {
    static func unknownKeys(_ count: Int, from start: Int = 0) -> [String] {
        (start..<start + count).map { String(format: "00000000-0000-4000-8000-%012d", $0) }
    }

    static func get(_ keys: [String], id: Int = 1) -> JSONValue {
        ["jsonrpc": "2.0", "id": .int(Int64(id)), "method": "unicat.get",
         "params": ["data_type": "records", "keys": .array(keys.map { .string($0) })]]
    }

    @Test func aGetOfUnknownKeysMakesAtMostItsLimitOfRequests() async throws {
        let upstream = ScriptedUpstream()
        try await ScriptedSession.run(upstream) { session in
            let keys = Self.unknownKeys(1_000)
            let answer = try await session.answer(Self.get(keys), from: 1)
            #expect(upstream.requests("records/get") <= BridgeMethods.maxUpstreamRequestsPerGet)
            let missing = Set(try #require(answer["result"]?["missing"]?.arrayValue).compactMap(\.stringValue))
            let errors = try #require(answer["result"]?["errors"]?.objectValue)
            #expect(missing.count + errors.count == keys.count && missing.isDisjoint(with: errors.keys))
            #expect(!missing.isEmpty, "the keys Unicat was asked about are settled")
            for error in errors.values {
                #expect(error["code"] == -32004)
                #expect(error["message"] == "Rate limited: not asked of Unicat: this unicat.get reached its limit of 20 upstream requests")
            }
        }
    }

    @Test func aBatchOfGetsSharesItsClientsRate() async throws {
        let upstream = ScriptedUpstream()
        try await ScriptedSession.run(upstream) { session in
            // Each get of 100 unknown keys wants a request per key and gets its 20: the
            // second already wants more than the client's burst of 30.
            let source = RequestSource(client: 1, upstream: UpstreamRate(burst: 30, perSecond: 0.001))
            let batch: JSONValue = .array((0..<3).map { Self.get(Self.unknownKeys(100, from: $0 * 100), id: $0) })
            let answers = try #require(try await session.answer(batch, from: source).arrayValue)
            #expect(upstream.requests("records/get") == 30)
            let refusal = "Rate limited: not asked of Unicat: this client asked for more than 30 upstream requests at once or 0.001 per second"
            #expect(answers[1]["result"]?["errors"]?.objectValue?.values.contains { $0["message"] == .string(refusal) } == true)
            #expect(answers[2]["result"]?["errors"]?.objectValue?.values.allSatisfy { $0["message"] == .string(refusal) } == true)
            // Another client has a rate of its own.
            let other = try await session.answer(Self.get([Self.unknownKeys(1, from: 99_999)[0]]), from: 2)
            #expect(other["result"]?["missing"]?.arrayValue?.count == 1)
        }
    }

    @Test func unicatCallDrawsFromTheSameRate() async throws {
        let upstream = ScriptedUpstream()
        try await ScriptedSession.run(upstream) { session in
            _ = await session.connect(1)
            let source = RequestSource(client: 1, upstream: UpstreamRate(burst: 5, perSecond: 0.001))
            let call: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "unicat.call", "params": ["endpoint": "records/root"]]
            for _ in 0..<5 { #expect(try await session.answer(call, from: source)["error"]?["code"] != -32004) }
            let refused = try await session.answer(call, from: source)
            #expect(refused["error"]?["message"]
                    == "Rate limited: not asked of Unicat: this client asked for more than 5 upstream requests at once or 0.001 per second")
            #expect(upstream.requests("records/root") == 5)
        }
    }

    @Test func aRefusalThatNamesItsKeyCostsOneRequestPerRefusedKey() async throws {
        let upstream = ScriptedUpstream()
        let keys = (0..<100).map { String(format: "r%03d", $0) }
        let absent: Set = ["r007", "r050", "r093"]
        for key in keys where !absent.contains(key) { upstream.put("records", key, ScriptedUpstream.record(key, title: key)) }
        let fetcher = ObjectFetcher(upstream: UnicatUpstream(client: upstream.client()))
        let batch = try await fetcher.fetch("records", keys: keys)
        #expect(upstream.requests("records/get") == absent.count + 1)
        for key in keys { #expect(batch[key]?.state == (absent.contains(key) ? .gone : .present(ScriptedUpstream.record(key, title: key)))) }

        // A refusal that names no key is halved instead: the same outcomes, more requests.
        upstream.nameKeysInRefusals(false)
        let halved = try await fetcher.fetch("records", keys: keys)
        for key in keys { #expect(halved[key]?.state == batch[key]?.state, "\(key)") }
        #expect(upstream.requests("records/get") > 2 * (absent.count + 1))
    }

    @Test func aClientsBudgetNeverDecidesWhatTheEngineGets() async throws {
        let upstream = ScriptedUpstream()
        upstream.put("records", "a", ScriptedUpstream.record("a", title: "a"))
        let fetcher = ObjectFetcher(upstream: UnicatUpstream(client: upstream.client()))
        // A client's fetch of a and an unknown key, with room for one request: Unicat refuses
        // it for the unknown key, and no request is left to ask for a again.
        let hold = upstream.hold("records/get")
        let bounded = Task {
            try await fetcher.fetch("records", keys: ["a", "unknown"],
                                    allowance: UpstreamAllowance(limit: 1, rate: UpstreamRate(), purpose: "this test"))
        }
        await hold.arrived()
        // The engine asks for a meanwhile: it does not join the client's fetch.
        let engine = Task { try await fetcher.fetch("records", keys: ["a"], startedSince: fetcher.mark()) }
        try await eventually("the engine's own request") { upstream.requests("records/get") == 2 }
        hold.release()
        #expect(try await engine.value["a"]?.state == .present(ScriptedUpstream.record("a", title: "a")))
        let client = try await bounded.value
        #expect(client["unknown"]?.state == .gone)
        guard case .failed(let error)? = client["a"] else {
            Issue.record("a is not failed for the client: \(String(describing: client["a"]))")
            return
        }
        #expect(error as? UpstreamBudgetExhausted == UpstreamBudgetExhausted(reason: "this test reached its limit of 1 upstream requests"))
    }
}
