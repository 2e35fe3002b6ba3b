import BridgePluginKit
import CBridgePlugin
import Synchronization

/// One WebSocket client as every thread sees it: the host's id for it, its outgoing
/// queue, and the close the host asked for. Its connection (`wsi`) is only touched on
/// the service thread.
final class WebSocketClient: Sendable {
    /// A close the host asked for (`close_client`).
    struct CloseRequest: Sendable {
        let code: UInt32
        let reason: String
    }

    let id: UInt64
    let connection: LWSConnection
    let outbox: ClientOutbox
    /// True while the client waits in the registry for the service thread (one wake-up
    /// per client however many messages arrive meanwhile).
    let awaitingService = Atomic(false)
    private let closeRequest = Locked<CloseRequest?>(nil)

    init(id: UInt64, connection: LWSConnection, limits: TransportLimits, host: BridgeHost) {
        self.id = id
        self.connection = connection
        // Called from `take` on the service thread, before any `client_close` for this id.
        outbox = ClientOutbox(limits: limits) { host.clientWritable(id) }
    }

    /// Records the host's close (the first one counts) and queues its final message.
    func requestClose(_ request: CloseRequest, final: SharedMessage?) {
        closeRequest.withLock { existing in
            if existing == nil { existing = request }
        }
        outbox.enqueueFinal(final)
    }

    var requestedClose: CloseRequest? { closeRequest.withLock { $0 } }
}
