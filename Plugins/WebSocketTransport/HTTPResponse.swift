import CLibWebSockets

/// A complete HTTP/1.1 response, written in one `lws_write` (lws keeps and sends on what
/// the socket does not take at once). Header values are the transport's own, never the
/// client's, so they need no escaping.
struct HTTPResponse {
    var status: UInt32
    var contentType: String
    var body: [UInt8]
    var headers: [(name: String, value: String)] = []

    /// Headers every response carries: nothing is cached, sniffed, framed or referred
    /// onwards (the page URL may hold a token).
    static let commonHeaders: [(name: String, value: String)] = [
        ("cache-control", "no-store"), ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"), ("x-frame-options", "DENY"),
    ]

    init(status: UInt32, contentType: String = "text/plain; charset=utf-8", body: [UInt8],
         headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    init(status: UInt32, text: String, headers: [(name: String, value: String)] = []) {
        self.init(status: status, body: Array(text.utf8), headers: headers)
    }

    /// A bare status with its standard text as the body: refusals say no more than that.
    static func plain(_ status: UInt32, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, text: "\(status) \(reasonPhrase(status))\n", headers: headers)
    }

    /// The status line and headers. Written here rather than with lws' helpers, which
    /// label responses to refused upgrades HTTP/1.0 (the listener only speaks HTTP/1.1).
    var head: [UInt8] {
        var lines = ["HTTP/1.1 \(status) \(Self.reasonPhrase(status))", "content-type: \(contentType)",
                     "content-length: \(body.count)", "server: unicat-bridge"]
        lines += (Self.commonHeaders + headers).map { "\($0.name): \($0.value)" }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Writes the response on `wsi`; false when lws could not.
    func write(to wsi: OpaquePointer) -> Bool {
        let headroom = Int(clws_pre())
        let head = self.head
        var packet = [UInt8](repeating: 0, count: headroom)
        packet.reserveCapacity(headroom + head.count + body.count)
        packet.append(contentsOf: head)
        packet.append(contentsOf: body)
        let length = head.count + body.count
        let written = packet.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let start = buffer.baseAddress else { return -1 }
            return lws_write(wsi, start + headroom, length, LWS_WRITE_HTTP)
        }
        return Int(written) == length
    }

    static func reasonPhrase(_ status: UInt32) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
