#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CBridgePlugin
import Synchronization

/// The stdio transport: the process that spawned the bridge is its one client, speaking
/// JSON-RPC on stdin/stdout, framed with LSP `Content-Length:` headers or one JSON per
/// line (detected from the first byte, answered alike). When that client goes (stdin
/// ends, stdout breaks) or the host closes it, the session is over and the transport
/// asks the bridge to shut down. stdout carries protocol only; logs go to the host.
final class StdioTransport: OutboxTransport {
    /// What `start` set up and `stop` takes down.
    private struct Session: Sendable {
        let client: StdioClient
        let output: OutputChannel
        let stop: StopSignal
        let threads: [PluginThread]
    }

    private let host: BridgeHost
    private let configuration: StdioConfiguration
    private let session = Locked<Session?>(nil)
    /// The client host calls reach: set from just before `client_open` until `stop`.
    private let activeClient = Locked<StdioClient?>(nil)
    private let stopped = Atomic(false)

    init(host: BridgeHost, configJSON: String) throws {
        self.host = host
        configuration = try PluginConfiguration.decode(StdioConfiguration.self, from: configJSON)
    }

    /// A host that destroys without stopping still gets no call from a leftover thread.
    deinit { stop() }

    func start() throws {
        let input = configuration.inputFD
        let inputFlags = fcntl(input, F_GETFL)
        guard inputFlags >= 0, inputFlags & O_ACCMODE != O_WRONLY else {
            throw PluginError("input_fd \(input) is not open for reading")
        }
        let output = try OutputChannel(descriptor: configuration.outputFD)
        let stop: StopSignal
        do { stop = try StopSignal() } catch {
            output.restoreFlags()
            throw error
        }
        let client = StdioClient(host: host, limits: configuration.limits)
        activeClient.withLock { $0 = client }
        guard let id = host.clientOpened(peerInfo: #"{"transport":"stdio","parent_pid":\#(getppid())}"#) else {
            activeClient.withLock { $0 = nil }
            output.restoreFlags()
            throw PluginError("the host refused the stdio client")
        }
        client.opened(as: id)

        var threads: [PluginThread] = []
        do {
            let writer = StdioWriter(output: output, client: client, stop: stop)
            threads.append(try PluginThread(name: "stdio-writer") { writer.run() })
            let reader = StdioReader(input: input, client: client, limits: configuration.limits, stop: stop)
            threads.append(try PluginThread(name: "stdio-reader") { reader.run() })
        } catch {
            shutDown(Session(client: client, output: output, stop: stop, threads: threads))
            throw error
        }
        session.withLock { $0 = Session(client: client, output: output, stop: stop, threads: threads) }
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let running = session.withLock({ $0.take() }) { shutDown(running) }
    }

    /// Flushes what is queued (for at most the close timeout), stops and joins the
    /// threads, then reports the client closed if nothing did yet. After this, no thread
    /// of the transport calls the host.
    private func shutDown(_ running: Session) {
        activeClient.withLock { $0 = nil }
        running.client.stopping()
        running.client.beginClose(final: nil, reason: "transport stopped", timeout: configuration.limits.closeTimeoutSeconds)
        // The writer is the first thread: it ends once the queue is flushed or timed out.
        running.threads.first?.join()
        running.stop.fire()
        running.client.outbox.discardAll()
        for thread in running.threads.dropFirst() { thread.join() }
        running.client.reportClosed("transport stopped")
        running.output.restoreFlags()
    }

    /// Its writer waits on the outbox: queueing wakes it.
    func enqueue(for client: UInt64, _ enqueue: (ClientOutbox) -> bridge_status) -> bridge_status {
        if stopped.load(ordering: .acquiring) { return BRIDGE_ERR_STOPPED }
        guard let current = activeClient.withLock({ $0 }), current.isAddressed(by: client) else {
            return stopped.load(ordering: .acquiring) ? BRIDGE_ERR_STOPPED : BRIDGE_ERR_UNKNOWN_CLIENT
        }
        return enqueue(current.outbox)
    }

    func closeClient(_ client: UInt64, final: SharedMessage?, code: Int32, reason: String) {
        guard let current = activeClient.withLock({ $0 }), current.isAddressed(by: client) else { return }
        current.beginClose(final: final, reason: reason.isEmpty ? "closed by the bridge" : reason,
                           timeout: configuration.limits.closeTimeoutSeconds)
    }
}
