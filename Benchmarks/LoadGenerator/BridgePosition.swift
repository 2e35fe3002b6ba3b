import BridgePluginKit
/// A bridge position (`{"epoch", "cc_cursor", "cursor"}`) as last seen on a connection, kept
/// to resume with `since`.
struct BridgePosition: Sendable, Equatable {
    var epoch: String
    var ccCursor: Int64
    var cursor: Int64

    /// As a JSON object, for `sync.subscribe`'s `since`.
    var json: String {
        "{\"epoch\":\(JSONStringLiteral.quote(epoch)),\"cc_cursor\":\(ccCursor),\"cursor\":\(cursor)}"
    }

    /// The short form a feed URL's `since` accepts: `<epoch>:<cc_cursor>:<cursor>`.
    var feedParameter: String {
        "\(URLQuery.percentEncode(epoch)):\(ccCursor):\(cursor)"
    }
}
