import BridgeTestSupport
import Foundation
import Logging
import SocketIOClient

/// Consumes a client's event stream in the background and lets tests wait for patterns.
final class EventRecorder: Sendable {
    /// NSLock rather than Mutex keeps ThreadSanitizer runs free of false positives.
    private final class Storage: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [SocketIOEvent] = []
        private var finished = false
        func append(_ event: SocketIOEvent) { lock.withLock { events.append(event) } }
        func finish() { lock.withLock { finished = true } }
        var snapshot: [SocketIOEvent] { lock.withLock { events } }
        var isFinished: Bool { lock.withLock { finished } }
    }

    private let storage = Storage()
    private let task: Task<Void, Never>

    init(_ client: SocketIOClient) {
        let stream = client.events
        let storage = self.storage
        task = Task {
            for await event in stream {
                storage.append(event)
            }
            storage.finish()
        }
    }

    deinit { task.cancel() }

    var events: [SocketIOEvent] { storage.snapshot }
    var finished: Bool { storage.isFinished }

    var connectedCount: Int { events.filter { if case .connected = $0 { true } else { false } }.count }
    var disconnects: [String] { events.compactMap { if case .disconnected(let reason) = $0 { reason } else { nil } } }
    var connectErrors: [String] { events.compactMap { if case .connectError(let message, _) = $0 { message } else { nil } } }

    func events(named name: String) -> [String] {
        events.compactMap { if case .event(name, let arguments) = $0 { arguments } else { nil } }
    }

    /// Waits until `condition` holds for the events recorded so far.
    func wait(_ what: String, timeout: Duration = .seconds(15), _ condition: @escaping ([SocketIOEvent]) -> Bool) async throws {
        do {
            try await eventually(timeout: timeout, interval: .milliseconds(10), what) { condition(self.events) }
        } catch {
            throw TestFailure("\(error); events so far: \(events)")
        }
    }

    func waitForConnected(count: Int = 1, timeout: Duration = .seconds(15)) async throws {
        try await wait("\(count) connected event(s)", timeout: timeout) { events in
            events.filter { if case .connected = $0 { true } else { false } }.count >= count
        }
    }
}

/// A logger for the client under test: debug output to stderr when SOCKETIO_TEST_LOG is set.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { label -> any LogHandler in
        ProcessInfo.processInfo.environment["SOCKETIO_TEST_LOG"] != nil
            ? StreamLogHandler.standardError(label: label) : SwiftLogNoOpLogHandler()
    }
    logger.logLevel = .debug
    return logger
}

/// Counts calls of the auth closure.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}

/// Measures how long `body` takes.
func elapsed(_ body: () -> Void) -> Double {
    let start = ContinuousClock.now
    body()
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
