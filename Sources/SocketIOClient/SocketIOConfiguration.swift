/// How to reach and authenticate to the Socket.IO server.
public struct SocketIOConfiguration: Sendable {
    public var endpoint: SocketIOEndpoint
    /// The one namespace the client joins, e.g. "/events" (Zou); "/" is the default one.
    public var namespace: String = "/"
    /// PEM bundle used to verify the server (replaces the system CAs); nil = system CAs.
    public var caFile: String?
    /// JSON text of the namespace CONNECT auth payload, e.g. `{"JWT":"..."}`. Called on the
    /// client's service thread before EVERY (re)connect, so it must be quick and must not
    /// call back into the client. Returning nil (or text that is not a JSON object) sends
    /// no auth payload. The text is never logged.
    public var auth: @Sendable () -> String?
    /// Reconnect delay bounds in seconds: exponential growth from the lower bound, capped at
    /// the upper bound, with full jitter (each delay is drawn from lower...current cap).
    public var reconnectDelay: ClosedRange<Double> = 0.5...30
    /// Seconds from the start of an attempt (DNS, TCP, TLS, WebSocket, Engine.IO and
    /// namespace handshakes) until the namespace must be connected.
    public var connectTimeout: Double = 20
    /// Largest incoming message accepted; a bigger one drops the connection and reconnects.
    public var maxMessageSize: Int = 16 << 20
    /// Outgoing packets allowed to wait for the socket (count and bytes); `emit` fails beyond.
    public var outboxLimit: (count: Int, bytes: Int) = (1024, 32 << 20)

    public init(endpoint: SocketIOEndpoint, caFile: String? = nil, auth: @escaping @Sendable () -> String?) {
        self.endpoint = endpoint
        self.caFile = caFile
        self.auth = auth
    }
}
