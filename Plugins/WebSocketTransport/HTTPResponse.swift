import CLibWebSockets

/// A complete HTTP/1.1 response, written in one `lws_write` (lws keeps and sends on what
/// the socket does not take at once).
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

    /// Writes the response on `wsi`; false when lws could not.
    func write(to wsi: OpaquePointer) -> Bool {
        let headroom = clws_pre()
        var head = [UInt8](repeating: 0, count: 4096)
        let headLength = head.withUnsafeMutableBufferPointer { buffer -> Int? in
            guard let start = buffer.baseAddress else { return nil }
            var position: UnsafeMutablePointer<UInt8>? = start
            let end = start + buffer.count
            guard lws_add_http_common_headers(wsi, status, contentType, lws_filepos_t(body.count), &position, end) == 0 else { return nil }
            for (name, value) in Self.commonHeaders + headers {
                let added = value.withCString { text in
                    lws_add_http_header_by_name(wsi, name + ":", UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                                                Int32(value.utf8.count), &position, end)
                }
                guard added == 0 else { return nil }
            }
            guard lws_finalize_http_header(wsi, &position, end) == 0, let position else { return nil }
            return position - start
        }
        guard let headLength else { return false }
        var packet = [UInt8](repeating: 0, count: headroom)
        packet.reserveCapacity(headroom + headLength + body.count)
        packet.append(contentsOf: head[..<headLength])
        packet.append(contentsOf: body)
        let length = headLength + body.count
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
