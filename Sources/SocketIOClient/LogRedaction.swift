/// Blanks credentials out of libwebsockets' own log lines before they reach the bridge's
/// log: lws quotes request headers in some messages (a refused subprotocol list, a dump of
/// a connection holding its headers too long), and those may carry a bearer token in any
/// of the places the WebSocket transport takes one, or the upstream JWT.
enum LogRedaction {
    static let mark = "<redacted>"

    /// `line` with everything after its first credential marker replaced by `mark`:
    /// `bearer.`, `bearer ` or `bearer=` (subprotocol, Authorization), `token=` (query),
    /// `authorization:` or `authorization=` (a header), in any case. The whole rest goes, not
    /// just one token: a value can hold separators and further markers, and lws' lines are
    /// diagnostics that lose little by it.
    static func redacted(_ line: String) -> String {
        let bytes = Array(line.utf8)
        var index = 0
        while index < bytes.count {
            if let end = markerEnd(bytes, at: index) {
                guard end < bytes.count else { return line }
                return String(decoding: bytes[..<end], as: UTF8.self) + mark
            }
            index += 1
        }
        return line
    }

    private static let markers = ["bearer.", "bearer ", "bearer=", "token=", "authorization:", "authorization="].map { Array($0.utf8) }

    /// Where the marker starting at `index` ends, if one does.
    private static func markerEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        for marker in markers where index + marker.count <= bytes.count {
            let matches = marker.indices.allSatisfy { offset in
                let byte = bytes[index + offset]
                return (0x41...0x5A).contains(byte) ? byte + 0x20 == marker[offset] : byte == marker[offset]
            }
            if matches { return index + marker.count }
        }
        return nil
    }
}
