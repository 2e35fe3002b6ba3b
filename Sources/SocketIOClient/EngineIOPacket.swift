/// Engine.IO v4 packets as they travel over a WebSocket: one packet per text frame, the
/// type digit first. (Binary frames carry raw binary messages; Unicat does not use them.)
enum EngineIOPacket: Equatable, Sendable {
    case open(EngineIOOpen)
    case close
    case ping(String)
    case pong(String)
    /// A message whose payload (a Socket.IO packet) is `bytes[payload]` of the frame.
    case message(payload: Range<Int>)
    case upgrade
    case noop

    /// Decodes one text frame.
    static func decode(_ frame: [UInt8]) throws(SocketIOProtocolError) -> EngineIOPacket {
        guard let first = frame.first else { throw .malformed("empty Engine.IO frame") }
        guard let type = EngineIOPacketType(rawValue: first) else {
            throw .malformed("unknown Engine.IO packet type \(first)")
        }
        let rest = 1..<frame.count
        switch type {
        case .open: return .open(try EngineIOOpen.decode(frame, rest))
        case .close: return .close
        case .ping: return .ping(JSONText.text(frame, rest))
        case .pong: return .pong(JSONText.text(frame, rest))
        case .message: return .message(payload: rest)
        case .upgrade: return .upgrade
        case .noop: return .noop
        }
    }

    /// The client's answer to a server ping (Engine.IO v4: the server pings, the client pongs,
    /// echoing any ping data such as "probe").
    static func pongFrame(echoing data: String) -> String { "3" + data }

    /// Wraps a Socket.IO packet in an Engine.IO message.
    static func messageFrame(_ socketIOPacket: String) -> String { "4" + socketIOPacket }
}

/// The handshake data of the Engine.IO OPEN packet.
struct EngineIOOpen: Equatable, Sendable {
    var sid: String
    /// Milliseconds between server pings.
    var pingInterval: Int
    /// Milliseconds the server waits for our pong; also our grace for its next ping.
    var pingTimeout: Int
    /// Largest packet the server accepts, in bytes.
    var maxPayload: Int

    static func decode(_ bytes: [UInt8], _ range: Range<Int>) throws(SocketIOProtocolError) -> EngineIOOpen {
        let members: [(key: String, value: Range<Int>)]
        do {
            members = try JSONText.objectMembers(bytes, range)
        } catch {
            throw .malformed("Engine.IO OPEN payload is not a JSON object: \(error)")
        }
        var sid: String?
        var pingInterval: Int?
        var pingTimeout: Int?
        var maxPayload: Int?
        for member in members {
            switch member.key {
            case "sid": sid = try? JSONText.decodeString(bytes, member.value)
            case "pingInterval": pingInterval = JSONText.decodeInteger(bytes, member.value)
            case "pingTimeout": pingTimeout = JSONText.decodeInteger(bytes, member.value)
            case "maxPayload": maxPayload = JSONText.decodeInteger(bytes, member.value)
            default: break
            }
        }
        guard let sid, !sid.isEmpty else { throw .malformed("Engine.IO OPEN without a sid") }
        // Bounds keep a hostile or buggy server from disabling the heartbeat check.
        let day = 86_400_000
        guard let pingInterval, (1...day).contains(pingInterval) else {
            throw .malformed("Engine.IO OPEN with a missing or invalid pingInterval")
        }
        guard let pingTimeout, (1...day).contains(pingTimeout) else {
            throw .malformed("Engine.IO OPEN with a missing or invalid pingTimeout")
        }
        // maxPayload is optional in older servers; 1 MB is the Engine.IO default.
        let payload = maxPayload.map { $0 > 0 ? $0 : 1_000_000 } ?? 1_000_000
        return EngineIOOpen(sid: sid, pingInterval: pingInterval, pingTimeout: pingTimeout, maxPayload: payload)
    }
}
