/// The JSON-RPC error responses a transport sends by itself, for input the host never
/// sees because it could not be framed into a message. Every well-framed message, even
/// invalid JSON, goes to the host, which answers it.
public enum ProtocolErrorMessage {
    /// For a message over the size limit (it was skipped unread, so its id is unknown).
    public static func messageTooLarge(limit: Int) -> String {
        response(code: -32600, message: "Invalid Request: message exceeds \(limit) bytes")
    }

    /// For bytes that break the framing (e.g. a malformed LSP header block).
    public static func framingError(detail: String) -> String {
        response(code: -32700, message: "Parse error: \(detail)")
    }

    /// For a peer the transport refuses before the host sees it (e.g. a uid outside the
    /// allow-list); the connection is closed after it.
    public static func notPermitted(_ detail: String) -> String {
        response(code: -32001, message: "Not permitted: \(detail)")
    }

    /// For a connection beyond the transport's connection limit; closed after it.
    public static func tooManyConnections(limit: Int) -> String {
        response(code: -32004, message: "Rate limited: at most \(limit) connections on this transport")
    }

    private static func response(code: Int, message: String) -> String {
        #"{"jsonrpc":"2.0","id":null,"error":{"code":\#(code),"message":\#(JSONStringLiteral.quote(message))}}"#
    }
}
