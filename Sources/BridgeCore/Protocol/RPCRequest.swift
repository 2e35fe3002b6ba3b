/// One JSON-RPC 2.0 request or notification, validated.
public struct RPCRequest: Sendable {
    /// nil for a notification (no response is sent).
    public let id: JSONValue?
    public let method: String
    public let params: JSONValue

    /// Validates one element of a message; the error carries the id when it could be read.
    public static func parse(_ value: JSONValue) -> Result<RPCRequest, RPCFailure> {
        guard case .object(let members) = value else {
            return .failure(RPCFailure(id: .null, error: .invalidRequest("a request must be a JSON object")))
        }
        var id: JSONValue? = nil
        if let rawID = members["id"] {
            // JSON-RPC 2.0: numbers "SHOULD NOT contain fractional parts"; a whole one of any
            // size is echoed as the client wrote it.
            switch rawID {
            case .string, .null: id = rawID
            case _ where rawID.isWholeNumber: id = rawID
            default: return .failure(RPCFailure(id: .null, error: .invalidRequest("id must be a string, a number or null")))
            }
        }
        guard members["jsonrpc"] == .string("2.0") else {
            return .failure(RPCFailure(id: id ?? .null, error: .invalidRequest("\"jsonrpc\" must be \"2.0\"")))
        }
        guard case .string(let method)? = members["method"] else {
            return .failure(RPCFailure(id: id ?? .null, error: .invalidRequest("\"method\" must be a string")))
        }
        let params = members["params"] ?? .object([:])
        switch params {
        case .object, .array: break
        default: return .failure(RPCFailure(id: id ?? .null, error: .invalidRequest("\"params\" must be an object or an array")))
        }
        return .success(RPCRequest(id: id, method: method, params: params))
    }
}

/// A request that failed validation, with the id to answer it under (null when unreadable).
public struct RPCFailure: Error, Sendable {
    public let id: JSONValue
    public let error: RPCError
}

/// Encodes JSON-RPC responses and notifications.
public enum RPCMessage {
    public static func response(id: JSONValue, result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "result": result]
    }

    public static func error(id: JSONValue, _ error: RPCError) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": error.json]
    }

    public static func notification(_ method: String, _ params: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "method": .string(method), "params": params]
    }
}
