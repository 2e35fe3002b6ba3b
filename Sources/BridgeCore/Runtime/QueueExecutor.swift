import Dispatch

/// Runs tasks (as a task executor preference) or an actor (as its serial executor) on a
/// dispatch queue of its own, off Swift's cooperative pool: work that blocks in the kernel
/// (SQLite commits with `synchronous=FULL` fsyncs) then stalls this queue only, not the
/// two threads the pool has on a 2-core machine, which the hub, the feed and every
/// client's requests share.
public final class QueueExecutor: TaskExecutor, SerialExecutor {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}
