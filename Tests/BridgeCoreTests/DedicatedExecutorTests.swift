import Foundation
import Synchronization
import Testing
@testable import BridgeCore

/// Work given to a `DedicatedExecutor` runs on its own threads, as many at once as it has.
@Suite struct DedicatedExecutorTests {
    static let single = DedicatedExecutor(name: "test-single", threadCount: 1)

    /// The running thread's name (a synchronous look, as async code may not ask).
    static func threadName() -> String? { Thread.current.name }

    /// How many jobs run at once, and the most seen.
    final class Overlap: Sendable {
        private let state = Mutex((now: 0, most: 0))
        func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    /// Blocks its thread for a while, as a large parse does; the thread's name. Async and
    /// not isolated: it runs on the task's preferred executor.
    static func block(_ running: Overlap) async -> String? {
        running.enter()
        usleep(20_000)
        running.leave()
        return threadName()
    }

    @Test func workRunsOnTheExecutorsThreadsAndOneAtATime() async {
        let running = Overlap()
        let names = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    await withTaskExecutorPreference(Self.single) { await Self.block(running) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(names.allSatisfy { $0 == "test-single-0" }, "\(names)")
        #expect(running.most == 1)
    }
}
