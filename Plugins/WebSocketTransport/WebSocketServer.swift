#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CBridgePlugin
import CLibWebSockets
import Synchronization

/// The libwebsockets server: one context with a vhost per listen address, served by one
/// thread of its own. `start` creates the context (so that a bind failure is reported to
/// the host); from then on everything lws does happens on the service thread, and other
/// threads only queue work in the `ClientRegistry` and wake it with `lws_cancel_service`.
///
/// The service-thread state below is plain `var`s: only lws callbacks (which run on the
/// service thread) and the service loop touch them.
final class WebSocketServer: @unchecked Sendable {
    /// lws reads each connection in pieces of this size, and allocates it per connection:
    /// subscribers send little (requests), so a small buffer keeps idle connections cheap;
    /// larger messages arrive in several pieces and are assembled.
    static let receiveBufferBytes = 1024
    /// Messages written per writable callback at most (fairness between clients).
    static let maxWritesPerCallback = 32
    /// Longest request line and headers accepted (feed URLs carry positions and keys).
    static let maxHeaderBytes: UInt16 = 8 * 1024
    /// Requests whose headers lws parses at once (each holds `maxHeaderBytes` while it
    /// does); more wait for a slot. Unfinished handshakes per address are bounded well
    /// below this, so that one address cannot take them all.
    static let headerSlots: UInt16 = 256
    /// Seconds a connection gets for its TLS handshake and then again for its request
    /// headers: a client that sends them slowly (Slowloris) is cut after this.
    static let handshakeTimeoutSeconds = 5
    /// How long `stop` lets clients take their close frames.
    static let shutdownGraceSeconds = 1.0

    let configuration: WebSocketConfiguration
    let host: BridgeHost
    let registry: ClientRegistry
    let metrics: TransportMetrics
    let access: AccessPolicy
    let routes: HTTPRoutes
    private let stopping = Atomic(false)
    private var thread: PluginThread?

    // Service thread only (and `start` before the thread exists).
    private var context: OpaquePointer?
    private var resources: LWSResources?
    /// Every accepted connection (WebSocket or not yet) with its client address.
    var accepted: [LWSConnection: String] = [:]
    var connections: [LWSConnection: ConnectionState] = [:]
    var counter: ConnectionCounter
    /// The listener's own origins, known once its addresses are bound.
    var ownOrigins = ListenerOrigins(listening: [], isTLS: false, interfaceAddresses: [])
    /// Whether the log already says that client frames' masking cannot be checked.
    var maskCheckUnavailableLogged = false

    init(configuration: WebSocketConfiguration, host: BridgeHost, registry: ClientRegistry, metrics: TransportMetrics,
         access: AccessPolicy) {
        self.configuration = configuration
        self.host = host
        self.registry = registry
        self.metrics = metrics
        self.access = access
        routes = HTTPRoutes(host: host, access: access, metrics: metrics, registry: registry,
                            servesDashboard: configuration.servesDashboard)
        counter = ConnectionCounter(maxTotal: configuration.maxConnections, maxPerAddress: configuration.maxConnectionsPerIP,
                                    maxUnfinishedPerAddress: configuration.maxHandshakesPerIP)
    }

    var isTLS: Bool { configuration.tls != nil }

    /// Binds every listen address and starts the service thread; throws naming the
    /// address that could not be bound.
    func start() throws {
        let wantedDescriptors = configuration.maxConnections * 2 + 256
        let descriptors = FileDescriptorLimit.raise(toAtLeast: wantedDescriptors)
        if descriptors < configuration.maxConnections + 64 {
            host.log(BRIDGE_LOG_WARNING, "the open-file limit (\(descriptors)) is too low for max_connections \(configuration.maxConnections): raise it (e.g. LimitNOFILE=)")
        }
        let resources = LWSResources(receiveBufferBytes: Self.receiveBufferBytes,
                                     deflate: configuration.permessageDeflate,
                                     pingSeconds: configuration.pingIntervalSeconds, idleSeconds: configuration.idleTimeoutSeconds)
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.gid = -1
        info.uid = -1
        info.options = UInt64(LWS_SERVER_OPTION_EXPLICIT_VHOSTS) | UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.fd_limit_per_thread = UInt32(min(wantedDescriptors, descriptors))
        info.max_http_header_data = Self.maxHeaderBytes
        info.max_http_header_pool = Self.headerSlots
        info.timeout_secs = UInt32(Self.handshakeTimeoutSeconds)
        guard let context = lws_create_context(&info) else {
            resources.release()
            throw PluginError("cannot create the libwebsockets context")
        }
        var bound: [ListenAddress] = []
        for (index, address) in configuration.listen.enumerated() {
            guard let port = listen(on: address, index: index, context: context, resources: resources) else {
                lws_context_destroy(context)
                resources.release()
                throw PluginError("cannot listen on \(address)\(isTLS ? " with TLS" : ""): the address is in use or not available here, or the TLS files are unusable")
            }
            bound.append(address.bound(to: port))
        }
        self.context = context
        self.resources = resources
        ownOrigins = ListenerOrigins(listening: bound, isTLS: isTLS, interfaceAddresses: ListenerOrigins.interfaceAddresses())
        do {
            thread = try PluginThread(name: "ws-service") { [self] in serve() }
        } catch {
            registry.detachContext()
            lws_context_destroy(context)
            resources.release()
            throw error
        }
        announce(bound)
    }

    /// Ends the service thread: clients are sent a going-away close, then the context is
    /// destroyed (reporting every client still open as closed). Call once.
    func stop() {
        stopping.store(true, ordering: .releasing)
        registry.stop()
        thread?.join()
        thread = nil
    }

    /// Creates the vhost listening on `address`; the port it bound, or nil.
    private func listen(on address: ListenAddress, index: Int, context: OpaquePointer, resources: LWSResources) -> Int? {
        var info = lws_context_creation_info()
        info.port = Int32(address.port)
        info.iface = address.host.map(resources.string)
        info.protocols = UnsafePointer(resources.protocols)
        info.extensions = resources.extensions.map { UnsafePointer($0) }
        info.vhost_name = resources.string("listen-\(index)")
        info.retry_and_idle_policy = UnsafePointer(resources.idlePolicy)
        info.server_string = resources.string("unicat-bridge")
        info.keepalive_timeout = 5
        info.timeout_secs_ah_idle = UInt32(Self.handshakeTimeoutSeconds)
        if address.host != nil && !address.isIPv6 { info.options |= UInt64(LWS_SERVER_OPTION_DISABLE_IPV6) }
        if let tls = configuration.tls {
            // lws reads this per vhost too: without it the vhost would serve plain text.
            info.options |= UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
            info.ssl_cert_filepath = resources.string(tls.certificateFile)
            info.ssl_private_key_filepath = resources.string(tls.keyFile)
            info.ssl_options_set = clws_ssl_options_tls12_minimum()
            // WebSockets need HTTP/1.1; no HTTP/2 is offered.
            info.alpn = resources.string("http/1.1")
            if let clientCA = tls.clientCAFile {
                info.ssl_ca_filepath = resources.string(clientCA)
                info.options |= clws_option_require_valid_client_cert()
            }
        }
        guard let vhost = lws_create_vhost(context, &info) else { return nil }
        let port = Int(lws_get_vhost_listen_port(vhost))
        return port > 0 ? port : nil
    }

    private func announce(_ addresses: [ListenAddress]) {
        let scheme = isTLS ? "wss" : "ws"
        for address in addresses {
            host.log(BRIDGE_LOG_INFO, "websocket transport listening on \(address) (\(scheme)://\(address)/)")
            if !address.isLoopback && !access.tokens.isRequired {
                host.log(BRIDGE_LOG_WARNING, "websocket transport listens on \(address), beyond this machine, without tokens: anyone who can reach it can read the project's data (set tokens_file or hmac_secret_file)")
            }
        }
    }

    /// The service thread.
    private func serve() {
        guard let context else { return }
        registry.attach(context: context)
        while !stopping.load(ordering: .acquiring) {
            if lws_service(context, 0) < 0 { break }
        }
        closeAllGoingAway()
        let deadline = MonotonicDeadline.after(seconds: Self.shutdownGraceSeconds)
        while connections.values.contains(where: { $0.client != nil }) && !deadline.hasPassed {
            if lws_service(context, 0) < 0 { break }
        }
        registry.detachContext()
        // Runs the CLOSED callbacks of the connections still open, here on this thread.
        lws_context_destroy(context)
        resources?.release()
        resources = nil
        self.context = nil
    }

    /// Starts a 1001 close for every client (after what is already queued).
    private func closeAllGoingAway() {
        for state in connections.values {
            guard let client = state.client else { continue }
            client.requestClose(.init(code: 1001, reason: "bridge shutting down"), final: nil)
            lws_callback_on_writable(client.connection.pointer)
        }
    }
}
