#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `peer_info_json` announcing a WebSocket client to the host.
struct PeerInfo: Encodable {
    let transport = "websocket"
    let address: String
    let tls: Bool
    /// The bearer token's subject (never the token).
    let subject: String?
    let origin: String?
    let feed: Bool

    init(_ handshake: ConnectionState.Handshake) {
        address = handshake.peerAddress
        tls = handshake.isTLS
        subject = handshake.subject
        origin = handshake.origin
        feed = handshake.feed != nil
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"transport":"websocket"}"#
    }
}
