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
    /// Jobs in arrival order; the taken front is dropped in bulk (a long queue is not
    /// shifted once per job).
    private let pending = Locked<(jobs: [UnownedJob], next: Int)>(([], 0))
    /// Counts the jobs in `pending`: a thread waits on it for the next one.
    private let available = DispatchSemaphore(value: 0)

    /// `name` names its threads (15 bytes at most: the kernel's limit) for `top -H` and profiles.
    init(name: String, threadCount: Int) {
        for _ in 0..<max(1, threadCount) {
            Thread { [self] in
                CurrentThread.name(name)
                run()
            }.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pending.withLock { $0.jobs.append(job) }
        available.signal()
    }

    private func run() {
        while true {
            available.wait()
            guard let job = pending.withLock({ pending -> UnownedJob? in
                guard pending.next < pending.jobs.count else { return nil }
                let job = pending.jobs[pending.next]
                pending.next += 1
                if pending.next == pending.jobs.count {
                    pending.jobs.removeAll(keepingCapacity: true)
                    pending.next = 0
                } else if pending.next >= 1024, pending.next * 2 >= pending.jobs.count {
                    pending.jobs.removeFirst(pending.next)
                    pending.next = 0
                }
                return job
            }) else { continue }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
