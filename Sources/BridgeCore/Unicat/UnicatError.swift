/// An error answer from Unicat: `{code, message, info}` from either body shape
/// (`result` with `data: {}`, or `error` with `data: null`), plus the HTTP status.
public struct UnicatError: Error, CustomStringConvertible, Sendable {
    public let httpStatus: Int
    public let code: Int
    public let message: String
    public let info: JSONValue
    public let endpoint: UnicatEndpoint

    public init(httpStatus: Int, code: Int, message: String, info: JSONValue, endpoint: UnicatEndpoint) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.info = info
        self.endpoint = endpoint
    }

    /// Reads the error from a parsed body; keys off `code` with the HTTP status as fallback.
    public init(httpStatus: Int, body: JSONValue?, endpoint: UnicatEndpoint) {
        let detail = body?["result"]?.objectValue.flatMap { $0["code"] != nil ? $0 : nil }
            ?? body?["error"]?.objectValue ?? [:]
        self.init(
            httpStatus: httpStatus,
            code: detail["code"]?.int64Value.map(Int.init) ?? httpStatus,
            message: detail["message"]?.stringValue ?? "HTTP \(httpStatus)",
            info: detail["info"] ?? .object([:]),
            endpoint: endpoint)
    }

    /// The body was not JSON: reported like the official client does (code 500,
    /// "Invalid response"), with a short excerpt of what came back.
    public static func invalidResponse(httpStatus: Int, body: [UInt8], endpoint: UnicatEndpoint) -> UnicatError {
        let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
        return UnicatError(httpStatus: httpStatus, code: 500, message: "Invalid response",
                           info: ["http_status": .int(Int64(httpStatus)), "response.text": .string(excerpt)],
                           endpoint: endpoint)
    }

    /// Unicat's own wording for "not found / cannot process": a gone object on refetch.
    public var isUnprocessable: Bool { httpStatus == 422 || (1000...1999).contains(code) }

    public var description: String {
        "Unicat \(endpoint) failed: HTTP \(httpStatus), code \(code) \"\(message)\"" +
            (info.objectValue?.isEmpty == false ? " \(info.encodedString())" : "")
    }
}
