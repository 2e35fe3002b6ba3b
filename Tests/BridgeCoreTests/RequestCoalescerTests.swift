import BridgeCore
import Testing

@Suite struct RequestCoalescerTests {
    @Test func callersShareOneOperation() async throws {
        let coalescer = RequestCoalescer<Int>()
        let runs = Counter()
        async let first = coalescer.run(key: "k") { await runs.bump(); try await Task.sleep(for: .milliseconds(200)); return 7 }
        try await Task.sleep(for: .milliseconds(50))
        async let second = coalescer.run(key: "k") { await runs.bump(); return 8 }
        #expect(try await [first, second] == [7, 7])
        #expect(await runs.value == 1)
        #expect(coalescer.inFlightCount == 0)
    }

    @Test func theOperationStopsWhenEveryCallerIsCancelled() async throws {
        let coalescer = RequestCoalescer<Int>()
        let caller = Task { try await coalescer.run(key: "auth") { try await Task.sleep(for: .seconds(60)); return 1 } }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(ContinuousClock.now - started < .seconds(10), "a shutdown does not wait out the shared retries")
        #expect(coalescer.inFlightCount == 0)
    }
}

private actor Counter {
    var value = 0
    func bump() { value += 1 }
}
