import Foundation
import Synchronization
import Testing
@testable import BridgeCore

/// Work given to a `DedicatedExecutor` runs on its threads, as many at once as it has:
/// with its one thread taken, more work waits, where the cooperative pool would have run it.
@Suite struct DedicatedExecutorTests {
    final class Flag: Sendable {
        private let state = Mutex(false)
        func set() { state.withLock { $0 = true } }
        var isSet: Bool { state.withLock { $0 } }
    }

    /// Blocks its thread until `gate` opens, as a long parse holds one. Async and not
    /// isolated: it runs on the task's preferred executor.
    static func block(until gate: DispatchSemaphore) async { gate.wait() }

    static func mark(_ flag: Flag) async { flag.set() }

    @Test func workWaitsForTheExecutorsThread() async throws {
        let executor = DedicatedExecutor(name: "test-executor", threadCount: 1)
        let gate = DispatchSemaphore(value: 0)
        let ran = Flag()
        let blocker = Task { await withTaskExecutorPreference(executor) { await Self.block(until: gate) } }
        try await Task.sleep(for: .milliseconds(50))
        let waiting = Task { await withTaskExecutorPreference(executor) { await Self.mark(ran) } }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!ran.isSet, "the second job waits for the executor's only thread")
        gate.signal()
        await blocker.value
        await waiting.value
        #expect(ran.isSet)
    }

    /// What `top -H` shows for the thread a job runs on.
    static func threadName() async -> String? {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
    }

    @Test func itsThreadsCarryItsName() async {
        let executor = DedicatedExecutor(name: "named-executor", threadCount: 1)
        let name = await withTaskExecutorPreference(executor) { await Self.threadName() }
        #expect(name == "named-executor")
    }
}
