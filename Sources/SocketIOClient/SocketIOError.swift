/// Errors thrown by the public API.
public enum SocketIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The base URL could not be parsed.
    case invalidURL(String)
    /// The base URL's scheme is not http or https.
    case unsupportedScheme(String)
    /// The namespace is not connected, so nothing can be sent.
    case notConnected
    /// The arguments were not a JSON array.
    case invalidArguments(String)
    /// The encoded packet exceeds the server's maxPayload.
    case payloadTooLarge(size: Int, limit: Int)
    /// Too many packets are waiting to be written.
    case outboxFull
    /// No ack arrived within the timeout.
    case ackTimeout
    /// The connection was lost before the ack arrived.
    case disconnected
    /// The client was stopped.
    case stopped

    public var description: String {
        switch self {
        case .invalidURL(let detail): "invalid Socket.IO URL: \(detail)"
        case .unsupportedScheme(let scheme): "unsupported URL scheme '\(scheme)' (use http or https)"
        case .notConnected: "Socket.IO client is not connected"
        case .invalidArguments(let detail): "invalid event arguments: \(detail)"
        case .payloadTooLarge(let size, let limit): "packet of \(size) bytes exceeds the server's maxPayload of \(limit)"
        case .outboxFull: "Socket.IO outbox is full"
        case .ackTimeout: "timed out waiting for the ack"
        case .disconnected: "connection lost before the ack arrived"
        case .stopped: "Socket.IO client stopped"
        }
    }
}

/// Why an incoming frame was rejected. Never thrown out of the module: the client logs it
/// and carries on (or reconnects when the connection is no longer trustworthy).
enum SocketIOProtocolError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case binaryNotSupported

    var description: String {
        switch self {
        case .malformed(let detail): detail
        case .binaryNotSupported: "binary Socket.IO packets are not supported"
        }
    }
}
