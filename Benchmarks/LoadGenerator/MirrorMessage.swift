/// What the mirror reference's sender sends: a `sync.changes`-shaped message numbered by its
/// cursor, as small as the scanner allows, because the test server's mirror protocol relays
/// at most 128 bytes as one message (it splits anything longer).
enum MirrorMessage {
    static let epoch = "m"

    static func changes(cursor: Int64) -> [UInt8] {
        let position = "{\"cc_cursor\":0,\"cursor\":\(cursor),\"epoch\":\"\(epoch)\"}"
        return Array("{\"jsonrpc\":\"2.0\",\"method\":\"sync.changes\",\"params\":{\"items\":[{\"position\":\(position),\"type\":\"project\"}]}}".utf8)
    }
}
