/// A JSON-RPC 2.0 error: the standard codes, and the bridge's own in -32000…-32099.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    public init(_ code: Int, _ message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }

    public var description: String { "\(code) \(message)" }

    // Standard codes.
    public static func parseError(_ detail: String) -> RPCError { RPCError(-32700, "Parse error: \(detail)") }
    public static func invalidRequest(_ detail: String) -> RPCError { RPCError(-32600, "Invalid Request: \(detail)") }
    public static func methodNotFound(_ method: String) -> RPCError { RPCError(-32601, "Method not found: \(method)") }
    public static func invalidParams(_ detail: String) -> RPCError { RPCError(-32602, "Invalid params: \(detail)") }
    public static func internalError(_ detail: String) -> RPCError { RPCError(-32603, "Internal error: \(detail)") }

    // Bridge codes (documented in docs/protocol.md).
    public static func upstreamUnavailable(_ detail: String) -> RPCError { RPCError(-32000, "Upstream unavailable: \(detail)") }
    public static func notPermitted(_ detail: String) -> RPCError { RPCError(-32001, "Not permitted: \(detail)") }
    public static func unknownSubscription(_ id: String) -> RPCError { RPCError(-32002, "Unknown subscription: \(id)") }
    public static func positionOutOfRange(_ detail: String) -> RPCError { RPCError(-32003, "Position out of range: \(detail)") }
    public static func rateLimited(_ detail: String) -> RPCError { RPCError(-32004, "Rate limited: \(detail)") }
    public static func upstreamError(_ error: UnicatError) -> RPCError {
        RPCError(-32005, "Upstream error: \(error.message)",
                 data: ["code": .int(Int64(error.code)), "message": .string(error.message), "info": error.info,
                        "http_status": .int(Int64(error.httpStatus))])
    }
    public static func tooManySubscriptions(_ limit: Int) -> RPCError { RPCError(-32006, "Too many subscriptions: at most \(limit) per client") }
    public static let answerTooLargeCode = -32007
    public static func answerTooLarge(_ detail: String) -> RPCError { RPCError(answerTooLargeCode, "Answer too large: \(detail)") }

    /// How a failure is reported to a subscriber: Unicat's own error answer as -32005, no
    /// usable answer from Unicat as -32000, an upstream request the client's budget did not
    /// allow as -32004, anything else as internal.
    public static func reporting(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: return error
        case let error as UnicatError: return .upstreamError(error)
        case let error as UpstreamError: return .upstreamUnavailable(error.description)
        case let error as UpstreamBudgetExhausted: return .rateLimited(error.description)
        default: return .internalError(String(describing: error))
        }
    }
}
