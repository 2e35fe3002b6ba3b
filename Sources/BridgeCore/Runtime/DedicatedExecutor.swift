import Foundation
import Synchronization
import Locking

/// A task executor with threads of its own, apart from Swift's cooperative pool. Work whose
/// cost a client decides (parsing its messages, building its answers) runs here, so however
/// much of it there is, the cooperative threads the hub and the sync engine need to serve
/// subscribers stay free. Bounded: `threadCount` threads take jobs in arrival order; more work
/// waits its turn instead of taking more threads (unlike a dispatch queue, which may add
/// threads while its work blocks). Its threads live as long as the process.
///
/// Work moves here at its next call into a nonisolated async function (or at a task's
/// start) under `withTaskExecutorPreference` / `Task(executorPreference:)`.
final class DedicatedExecutor: TaskExecutor {
    private let pending = Locked<[UnownedJob]>([])
    /// Counts the jobs in `pending`: a thread waits on it for the next one.
    private let available = DispatchSemaphore(value: 0)

    init(threadCount: Int) {
        for _ in 0..<max(1, threadCount) {
            Thread { [self] in run() }.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pending.withLock { $0.append(job) }
        available.signal()
    }

    private func run() {
        while true {
            available.wait()
            guard let job = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
