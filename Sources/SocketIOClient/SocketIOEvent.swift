/// What the client reports on `SocketIOClient.events`.
///
/// Every connection attempt ends with exactly one `.disconnected` or `.connectError`
/// (never both), after which a reconnect is scheduled; `stop()` ends the stream instead.
public enum SocketIOEvent: Sendable, Equatable {
    /// The namespace CONNECT was acknowledged; `sid` is the Socket.IO session id.
    case connected(sid: String)
    /// The transport closed, failed to open (including TLS verification failures), timed
    /// out waiting for a ping, or the server left the namespace. A reconnect is scheduled.
    case disconnected(reason: String)
    /// The server refused the namespace CONNECT (e.g. a bad JWT). A reconnect is scheduled;
    /// re-authenticate and call `reconnectNow()` to retry sooner.
    case connectError(message: String, dataJSON: String?)
    /// A server event; `argumentsJSON` is the JSON array text of the arguments after the name.
    case event(name: String, argumentsJSON: String)
}
