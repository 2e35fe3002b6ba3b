/// Blanks credentials out of libwebsockets' own log lines before they reach the bridge's
/// log: lws quotes request headers in some messages (a refused subprotocol list, a dump of
/// a connection holding its headers too long), and those may carry a bearer token in any
/// of the places the WebSocket transport takes one, or the upstream JWT.
enum LogRedaction {
    static let mark = "<redacted>"

    /// `line` with the value after each credential marker replaced by `mark`: `bearer.` and
    /// `bearer ` (subprotocol, Authorization), `token=` (query), and the whole value of an
    /// `authorization` header.
    static func redacted(_ line: String) -> String {
        let bytes = Array(line.utf8)
        let lowered = bytes.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if let (markerEnd, toEndOfLine) = marker(in: lowered, at: index) {
                output += bytes[index..<markerEnd]
                var end = markerEnd
                while end < bytes.count && (toEndOfLine ? bytes[end] != UInt8(ascii: "\n") : isTokenByte(bytes[end])) { end += 1 }
                if end > markerEnd { output += mark.utf8 }
                index = end
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let tokenMarkers = ["bearer.", "bearer ", "bearer=", "token="].map { Array($0.utf8) }
    private static let headerMarker = Array("authorization".utf8)

    /// Where the value after a marker starting at `index` begins, and whether it runs to the
    /// end of the line (a header value) rather than to the end of a token.
    private static func marker(in lowered: [UInt8], at index: Int) -> (Int, Bool)? {
        for marker in tokenMarkers where lowered[index...].starts(with: marker) {
            return (index + marker.count, false)
        }
        guard lowered[index...].starts(with: headerMarker) else { return nil }
        // "authorization: Bearer x", lws' dump "authorization: = x", "authorization=x".
        var end = index + headerMarker.count
        var sawSeparator = false
        while end < lowered.count, [UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: " ")].contains(lowered[end]) {
            sawSeparator = sawSeparator || lowered[end] != UInt8(ascii: " ")
            end += 1
        }
        return sawSeparator ? (end, true) : nil
    }

    /// Bytes a token can be made of: anything up to a space, quote or list separator.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'") && byte != UInt8(ascii: ",")
            && byte != UInt8(ascii: ";") && byte != UInt8(ascii: "&")
    }
}
