import BridgeTestSupport
import Foundation
import Logging
import Testing
@testable import BridgeCore

/// The upstream client and the object fetcher against the simulator, over real HTTP.
@Suite struct UpstreamClientTests {
    func client(for simulator: SimulatorProcess) -> UpstreamClient {
        UpstreamClient(baseURL: simulator.url, project: simulator.project, apiKey: Secret(simulator.apiKey),
                       transport: CurlHTTPTransport(caFile: nil),
                       retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 0.2), logger: Logger(label: "test"))
    }

    func requests(_ simulator: SimulatorProcess, _ suffix: String) async throws -> Int64 {
        let counts = try await simulator.control("/stats")["requests"]?.objectValue ?? [:]
        return counts.filter { $0.key.hasSuffix(suffix) }.values.compactMap(\.int64Value).reduce(0, +)
    }

    @Test func aMutationIsNeverReplayedButReadsAre() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { Task { await simulator.stop(); simulator.directory.remove() } }
        let upstream = client(for: simulator)
        try await upstream.authenticate()
        let root = try await upstream.call(.project("records/root"))
        let record = try #require(root.result["root"]?.stringValue)

        try await simulator.control("/faults", ["match": "/api/p/{gid}/records/update", "status": 503, "count": 1])
        try await simulator.control("/stats/reset", [:])
        await #expect(throws: UnicatError.self) {
            try await upstream.call(.project("records/update"), ["record": .string(record), "fields": ["en": ["name": "x"]]])
        }
        #expect(try await requests(simulator, "/records/update") == 1, "a 503 on a mutation is not retried")

        try await simulator.control("/faults", ["match": "/api/p/{gid}/records/get", "status": 503, "count": 2, "retry_after": 0])
        let fetched = try await upstream.call(.project("records/get"), ["record": .string(record)])
        #expect(fetched.objects("records")[record] != nil)
        #expect(try await requests(simulator, "/records/get") == 3, "a read is retried until it succeeds")
    }

    @Test func expiredTokenIsReplacedOnceWhateverTheErrorShape() async throws {
        let simulator = try await SimulatorProcess.start(["--error-401-shape", "error"])
        defer { Task { await simulator.stop(); simulator.directory.remove() } }
        let upstream = client(for: simulator)
        try await upstream.authenticate()
        let before = upstream.credentials.token
        try await simulator.control("/jwt/expire-all", [:])
        _ = try await upstream.call(.syncCursors)
        #expect(upstream.credentials.token != before)
        #expect(try await requests(simulator, "/auth") == 2)
    }

    @Test func oneFetchPerObjectHoweverManyAsk() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { Task { await simulator.stop(); simulator.directory.remove() } }
        let upstream = client(for: simulator)
        try await upstream.authenticate()
        let children = try await upstream.call(.project("records/children"),
                                               ["record": .string(try #require(try await upstream.call(.project("records/root")).result["root"]?.stringValue))])
        let keys = Array((children.result["children"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(5))
        #expect(keys.count == 5)
        // A slow upstream keeps the first request in flight while the others ask.
        try await simulator.control("/faults", ["match": "/api/p/{gid}/records/get", "delay": 0.5, "count": 1])
        try await simulator.control("/stats/reset", [:])
        let fetcher = ObjectFetcher(upstream: UnicatUpstream(client: upstream))
        let results = try await withThrowingTaskGroup(of: ObjectFetcher.Batch.self) { group in
            for consumer in 0..<8 {
                group.addTask { try await fetcher.fetch("records", keys: consumer % 2 == 0 ? keys : keys.reversed()) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { batch in batch.count == 5 && batch.values.allSatisfy(\.isPresent) })
        #expect(try await requests(simulator, "/records/get") == 1, "eight consumers, one batched request")

        // A key that does not exist comes back as gone, the others are still served.
        let mixed = try await fetcher.fetch("records", keys: [keys[0], "00000000-0000-4000-8000-000000000000"])
        #expect(mixed[keys[0]]?.isPresent == true && mixed["00000000-0000-4000-8000-000000000000"]?.state == .gone)
    }
}

extension FetchedObject {
    var isPresent: Bool {
        if case .present = self { return true }
        return false
    }
}
