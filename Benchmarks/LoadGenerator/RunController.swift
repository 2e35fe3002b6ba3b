#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The generator's main thread: starts the workers, follows the driver's commands and the
/// stop conditions, and writes the reports and the summary.
final class RunController {
    struct StopConditions {
        /// Seconds after every connection has settled.
        var duration: Double?
        /// Items received in total.
        var items: Int?
        /// Follow commands on stdin (else run until a stop condition).
        var commands: Bool
    }

    private enum Wait {
        case connections(label: String, since: Double)
        case target(cursor: Int64, generation: Int, since: Double, deadline: Double)
        case drop(since: Double, deadline: Double)
    }

    private struct Window {
        var monotonic: Double
        var usage: ProcessUsage
        var threadCPU: [Double]
        var messages: Int
        var items: Int
        var bytes: Int
    }

    let plan: RunPlan
    let shared = RunShared()
    let clock = Clock()
    let workers: [Worker]
    private let stop: StopConditions
    private let inbox = CommandInbox()
    private var source: LatencySource
    private var queued: [String] = []
    private var wait: Wait?
    private var connectedAt: Double?
    private var window: Window
    private var runLatencies: [Double] = []
    private let startedAt = Clock.monotonicSeconds()
    private let fileLimit: Int

    init(plan: RunPlan, stop: StopConditions, source: LatencySource, fileLimit: Int) {
        self.plan = plan
        self.stop = stop
        self.source = source
        self.fileLimit = fileLimit
        let threads = max(1, min(plan.threads, plan.connections))
        let shared = shared
        let clock = clock
        workers = (0..<threads).map { thread in
            Worker(plan: plan, shared: shared, clock: clock,
                   globalIndex: Array(stride(from: thread, to: plan.connections, by: threads)))
        }
        window = Window(monotonic: Clock.monotonicSeconds(), usage: ProcessUsage.now(),
                        threadCPU: Array(repeating: 0, count: threads), messages: 0, items: 0, bytes: 0)
    }

    func run() -> SummaryEvent {
        shared.pendingConnects.store(plan.connections, ordering: .relaxed)
        wait = .connections(label: "initial", since: Clock.monotonicSeconds())
        for worker in workers where !worker.start() {
            EventOutput.note("cannot start a service thread")
        }
        if stop.commands { inbox.startReading() }
        while !shouldStop() {
            usleep(2_000)
            checkWait()
            if wait == nil, stop.commands {
                queued += inbox.take()
                while wait == nil, !queued.isEmpty {
                    if !perform(queued.removeFirst()) { return finish() }
                }
            }
        }
        return finish()
    }

    // MARK: - Commands and waits

    /// False for `stop`.
    private func perform(_ line: String) -> Bool {
        let words = line.split(separator: " ").map(String.init)
        let now = Clock.monotonicSeconds()
        switch words.first ?? "" {
        case "stop":
            return false
        case "report":
            report(label: words.dropFirst().joined(separator: " "))
        case "wait":
            guard words.count >= 2, let cursor = Int64(words[1]) else {
                EventOutput.note("usage: wait CURSOR [TIMEOUT]")
                return true
            }
            let timeout = words.count >= 3 ? Double(words[2]) ?? 60 : 60
            let generation = shared.commands.withLock { commands -> Int in
                commands.target = cursor
                commands.targetGeneration += 1
                return commands.targetGeneration
            }
            workers.forEach { $0.wake() }
            wait = .target(cursor: cursor, generation: generation, since: now, deadline: now + timeout)
        case "drop":
            shared.commands.withLock { $0.dropGeneration += 1 }
            workers.forEach { $0.wake() }
            wait = .drop(since: now, deadline: now + 60)
        case "resume":
            let reconnecting = plan.connections - (plan.sender == nil ? 0 : 1)
            shared.add(shared.pendingConnects, reconnecting)
            shared.commands.withLock { $0.resumeGeneration += 1 }
            workers.forEach { $0.wake() }
            wait = .connections(label: "resume", since: now)
        default:
            EventOutput.note("unknown command: \(line)")
        }
        return true
    }

    private func checkWait() {
        guard let current = wait else { return }
        let now = Clock.monotonicSeconds()
        switch current {
        case .connections(let label, let since):
            guard shared.read(shared.pendingConnects) <= 0 else { return }
            EventOutput.emit(ConnectedEvent(label: label, established: shared.read(shared.open),
                                            failed: shared.read(shared.failed), seconds: now - since))
            wait = nil
            if connectedAt == nil {
                connectedAt = now
                if plan.sender != nil {
                    shared.commands.withLock { $0.sendGeneration += 1 }
                    workers.forEach { $0.wake() }
                }
            }
        case .target(let cursor, let generation, let since, let deadline):
            let reached = workers.reduce(0) { sum, worker in
                worker.reachedGeneration.load(ordering: .acquiring) == generation
                    ? sum + worker.reached.load(ordering: .relaxed) : sum
            }
            let of = shared.read(shared.openReceivers)
            let done = of > 0 && reached >= of
            guard done || now >= deadline else { return }
            EventOutput.emit(ReachedEvent(cursor: cursor, reached: reached, of: of, seconds: now - since, timedOut: !done))
            wait = nil
        case .drop(let since, let deadline):
            let open = shared.read(shared.open)
            guard open == 0 || now >= deadline else { return }
            EventOutput.emit(DroppedEvent(stillOpen: open, seconds: now - since))
            wait = nil
        }
    }

    private func shouldStop() -> Bool {
        if let items = stop.items, shared.read(shared.items) >= items { return true }
        if let duration = stop.duration, let connectedAt, Clock.monotonicSeconds() - connectedAt >= duration { return true }
        return false
    }

    // MARK: - Reports

    private func totals() -> Totals {
        Totals(established: shared.read(shared.established), open: shared.read(shared.open),
               failed: shared.read(shared.failed), closedByPeer: shared.read(shared.closedByPeer),
               messages: shared.read(shared.messages), otherMessages: shared.read(shared.otherMessages),
               items: shared.read(shared.items), bytes: shared.read(shared.bytes),
               duplicates: shared.read(shared.duplicates), outOfOrder: shared.read(shared.outOfOrder),
               resets: shared.read(shared.resets), sent: shared.read(shared.sent))
    }

    private func cpuFigures(since previous: Window, now: Window) -> CPUFigures {
        let elapsed = max(now.monotonic - previous.monotonic, 1e-6)
        let threads = zip(now.threadCPU, previous.threadCPU).map { ($0 - $1) / elapsed }
        return CPUFigures(userSeconds: now.usage.userSeconds - previous.usage.userSeconds,
                          systemSeconds: now.usage.systemSeconds - previous.usage.systemSeconds,
                          processFraction: (now.usage.total - previous.usage.total) / elapsed,
                          threadFractions: threads, saturated: threads.contains { $0 > 0.9 })
    }

    private func currentWindow() -> Window {
        let counts = totals()
        return Window(monotonic: Clock.monotonicSeconds(), usage: ProcessUsage.now(),
                      threadCPU: workers.map { $0.threadCPUSeconds() },
                      messages: counts.messages, items: counts.items, bytes: counts.bytes)
    }

    @discardableResult
    private func report(label: String) -> ReportEvent {
        let now = currentWindow()
        let arrivals = workers.flatMap { worker in worker.arrivals.withLock { arrivals -> [ItemArrival] in
            let taken = arrivals
            arrivals = []
            return taken
        } }
        let starts = source.startTimes(for: arrivals, shared: shared)
        var latencies: [Double] = []
        latencies.reserveCapacity(arrivals.count)
        var perSecond: [Int: [Double]] = [:]
        let runStart = clock.now() - (Clock.monotonicSeconds() - startedAt)
        for (arrival, start) in zip(arrivals, starts) {
            guard let start else { continue }
            let milliseconds = (arrival.receivedAt - start) * 1_000
            latencies.append(milliseconds)
            perSecond[Int(arrival.receivedAt - runStart), default: []].append(milliseconds)
        }
        runLatencies += latencies
        let timeline = perSecond.keys.sorted().map { second -> LatencyTimelinePoint in
            let summary = LatencySummary(milliseconds: perSecond[second] ?? [])
            return LatencyTimelinePoint(second: second, count: summary.count, p50: summary.p50, p99: summary.p99)
        }
        let event = ReportEvent(
            label: label, at: clock.now(), windowSeconds: now.monotonic - window.monotonic, totals: totals(),
            windowMessages: now.messages - window.messages, windowItems: now.items - window.items,
            windowBytes: now.bytes - window.bytes,
            firstArrival: arrivals.map(\.receivedAt).min(), lastArrival: arrivals.map(\.receivedAt).max(),
            latencyMs: LatencySummary(milliseconds: latencies), unmatched: arrivals.count - latencies.count,
            latencyTimeline: timeline, cpu: cpuFigures(since: window, now: now))
        window = now
        EventOutput.emit(event)
        return event
    }

    // MARK: - End

    private func finish() -> SummaryEvent {
        let runStartWindow = Window(monotonic: startedAt, usage: ProcessUsage(userSeconds: 0, systemSeconds: 0),
                                    threadCPU: Array(repeating: 0, count: workers.count), messages: 0, items: 0, bytes: 0)
        let endWindow = currentWindow()
        shared.commands.withLock { $0.stop = true }
        workers.forEach { $0.wake() }
        workers.forEach { $0.join() }
        report(label: "final")
        return summary(cpu: cpuFigures(since: runStartWindow, now: endWindow))
    }

    private func summary(cpu: CPUFigures) -> SummaryEvent {
        let connections = workers.flatMap(\.connections)
        let receivers = connections.filter { $0.role == .receiver }
        let stalled = connections.filter { $0.role == .stalled }
        var closeCodes: [String: Int] = [:]
        for connection in connections {
            for code in connection.closeCodes { closeCodes[String(code), default: 0] += 1 }
        }
        var missing: Int?
        switch source {
        case .simulatorLog(let log):
            let expected = log.expectedProjectCursors(types: plan.types, keys: plan.keys)
            missing = receivers.reduce(0) { $0 + $1.project.missing(from: expected) }
        case .sender:
            missing = receivers.reduce(0) { $0 + $1.project.consecutiveGaps() }
        default:
            missing = nil
        }
        let order = StreamCheck(
            duplicates: receivers.reduce(0) { $0 + $1.project.duplicates + $1.cc.duplicates },
            outOfOrder: receivers.reduce(0) { $0 + $1.project.outOfOrder + $1.cc.outOfOrder },
            missing: missing)
        return SummaryEvent(
            connectionsRequested: plan.connections, receivers: receivers.count, stalled: stalled.count,
            totals: totals(), closeCodes: closeCodes, errors: workers.flatMap { $0.errors.withLock { $0 } },
            messagesPerConnection: receivers.map(\.messages), itemsPerConnection: receivers.map { $0.project.items + $0.cc.items },
            order: order, stalledMessages: stalled.reduce(0) { $0 + $1.messages },
            stalledClosedByPeer: stalled.filter(\.closedByPeer).count,
            latencyMs: LatencySummary(milliseconds: runLatencies),
            wallSeconds: Clock.monotonicSeconds() - startedAt, cpu: cpu, fileLimit: fileLimit)
    }
}
