import BridgePluginKit
import CBridgePlugin
import Synchronization

/// The Unix-domain socket transport: local tools, cron jobs and daemons connect to a
/// SOCK_STREAM socket and speak JSON-RPC, one message per line (`\n` or `\r\n`), of any
/// size up to `max_message_bytes`. Peers are admitted by uid/gid (SO_PEERCRED); the socket
/// file is created private (0600, or 0660 with a group), or taken from systemd.
///
/// A line over the limit is answered with a -32600 "message exceeds N bytes" error and
/// skipped up to its newline: the connection stays usable. A peer may half-close its
/// writing side and still read the answers; the connection ends when it closes fully.
final class UnixSocketTransport: OutboxTransport {
    /// What `start` set up and `stop` takes down.
    private struct Running: Sendable {
        let listener: UnixListener
        let thread: PluginThread
    }

    private let host: BridgeHost
    private let configuration: UnixSocketConfiguration
    private let registry = ClientRegistry()
    private let wakeup: LoopWakeup
    private let stopSignal: StopSignal
    private let running = Locked<Running?>(nil)
    private let stopped = Atomic(false)

    init(host: BridgeHost, configJSON: String) throws {
        self.host = host
        configuration = try PluginConfiguration.decode(UnixSocketConfiguration.self, from: configJSON)
        wakeup = try LoopWakeup()
        stopSignal = try StopSignal()
    }

    /// A host that destroys without stopping still gets no call from a leftover thread.
    deinit { stop() }

    func start() throws {
        let host = self.host
        let listener = try UnixListener(configuration: configuration) { host.log(BRIDGE_LOG_INFO, $0) }
        let loop = UnixEventLoop(host: host, configuration: configuration, listener: listener, registry: registry,
                                 wakeup: wakeup, stop: stopSignal)
        let thread: PluginThread
        do {
            thread = try PluginThread(name: "unix-io") { loop.run() }
        } catch {
            listener.stopListening()
            throw error
        }
        running.withLock { $0 = Running(listener: listener, thread: thread) }
        let mode = listener.isInherited ? "" : "mode \(modeDescription), "
        host.log(BRIDGE_LOG_INFO, "listening on \(listener.summary) (\(mode)\(allowListDescription))")
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        registry.stop()
        stopSignal.fire()
        guard let current = running.withLock({ $0.take() }) else { return }
        current.thread.join()
        current.listener.stopListening()
    }

    func enqueue(for client: UInt64, _ enqueue: (ClientOutbox) -> bridge_status) -> bridge_status {
        switch registry.lookUp(client) {
        case .client(let target):
            let status = enqueue(target.outbox)
            if status.isAccepted { wakeup.notify(client) }
            return status
        case .unknown: return BRIDGE_ERR_UNKNOWN_CLIENT
        case .stopped: return BRIDGE_ERR_STOPPED
        }
    }

    func closeClient(_ client: UInt64, final: SharedMessage?, code: Int32, reason: String) {
        guard case .client(let target) = registry.lookUp(client) else { return }
        target.requestClose(final: final, reason: reason.isEmpty ? "closed by the bridge" : reason,
                            timeout: configuration.limits.closeTimeoutSeconds)
        wakeup.notify(client)
    }

    private var modeDescription: String {
        let octal = String(configuration.mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - octal.count)) + octal + (configuration.group.map { ", group \($0)" } ?? "")
    }

    private var allowListDescription: String {
        let uids = configuration.allowList.uids.sorted().map(String.init).joined(separator: ", ")
        let gids = configuration.allowList.gids.sorted().map(String.init).joined(separator: ", ")
        return "allowed uids [\(uids)], gids [\(gids)]"
    }
}
