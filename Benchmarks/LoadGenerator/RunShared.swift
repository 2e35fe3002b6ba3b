import Synchronization

/// Counters and commands shared by the controller and the workers' service threads.
/// Counters are atomics (a worker adds once per message); commands carry a generation
/// number, so a worker acts on each command exactly once when its service loop wakes.
final class RunShared: Sendable {
    struct Commands: Sendable {
        var stop = false
        var target: Int64 = .max
        var targetGeneration = 0
        var dropGeneration = 0
        var resumeGeneration = 0
        var sendGeneration = 0
    }

    let commands = Mutex(Commands())

    /// Connection attempts not yet settled (established or failed).
    let pendingConnects = Atomic<Int>(0)
    let open = Atomic<Int>(0)
    let openReceivers = Atomic<Int>(0)
    let established = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let closedByPeer = Atomic<Int>(0)
    let messages = Atomic<Int>(0)
    let otherMessages = Atomic<Int>(0)
    let items = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    let outOfOrder = Atomic<Int>(0)
    let resets = Atomic<Int>(0)
    let sent = Atomic<Int>(0)

    /// The sender's send time of message n at index n - 1 (mirror latency).
    let sendTimes = Mutex<[Double]>([])

    func add(_ counter: borrowing Atomic<Int>, _ amount: Int = 1) {
        counter.wrappingAdd(amount, ordering: .relaxed)
    }

    func read(_ counter: borrowing Atomic<Int>) -> Int {
        counter.load(ordering: .relaxed)
    }
}
