/// Socket.IO v5 packets: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]`,
/// carried inside Engine.IO MESSAGE packets.
enum SocketIOPacket: Equatable, Sendable {
    /// The server accepted the namespace CONNECT (`0{"sid":...}`).
    case connect(namespace: String, sid: String?)
    /// The server left the namespace.
    case disconnect(namespace: String)
    /// A server event; `argumentsJSON` is the JSON array text of the arguments after the name.
    case event(namespace: String, name: String, argumentsJSON: String, ackId: Int?)
    /// The reply to one of our events sent with an ack id.
    case ack(namespace: String, id: Int, argumentsJSON: String)
    /// The server refused the namespace CONNECT.
    case connectError(namespace: String, message: String, dataJSON: String?)

    enum PacketType: UInt8 {
        case connect = 0, disconnect, event, ack, connectError, binaryEvent, binaryAck
    }

    /// Ack ids above this are refused: they would not round-trip through every server.
    static let maxAckId = 1 << 53

    /// Decodes the Socket.IO packet in `bytes[range]` (the payload of an Engine.IO message).
    static func decode(_ bytes: [UInt8], _ range: Range<Int>) throws(SocketIOProtocolError) -> SocketIOPacket {
        var index = range.lowerBound
        let end = range.upperBound
        guard index < end else { throw .malformed("empty Socket.IO packet") }
        let typeDigit = bytes[index] &- UInt8(ascii: "0")
        guard let type = PacketType(rawValue: typeDigit) else {
            throw .malformed("unknown Socket.IO packet type")
        }
        index += 1
        if type == .binaryEvent || type == .binaryAck {
            // Binary attachments follow as separate binary frames; Unicat never sends them.
            throw .binaryNotSupported
        }

        var namespace = "/"
        if index < end, bytes[index] == UInt8(ascii: "/") {
            let start = index
            while index < end, bytes[index] != UInt8(ascii: ",") { index += 1 }
            namespace = String(decoding: bytes[start..<index], as: UTF8.self)
            if index < end { index += 1 }  // the comma
        }

        var ackId: Int?
        var digits = 0
        while index < end, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            digits += 1
            guard digits <= 16 else { throw .malformed("ack id too long") }
            ackId = (ackId ?? 0) * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        if let id = ackId, id > maxAckId { throw .malformed("ack id out of range") }

        let payload = JSONText.trimmed(bytes, index..<end)
        switch type {
        case .connect:
            guard !payload.isEmpty else { return .connect(namespace: namespace, sid: nil) }
            let members = try objectMembers(bytes, payload, "CONNECT")
            let sid = members.first { $0.key == "sid" }.flatMap { try? JSONText.decodeString(bytes, $0.value) }
            return .connect(namespace: namespace, sid: sid)
        case .disconnect:
            return .disconnect(namespace: namespace)
        case .event:
            let elements = try arrayElements(bytes, payload, "EVENT")
            guard let first = elements.first,
                  let name = try? JSONText.decodeString(bytes, first) else {
                throw .malformed("EVENT without an event name")
            }
            let arguments: String
            if elements.count > 1 {
                arguments = "[" + JSONText.text(bytes, elements[1].lowerBound..<elements[elements.count - 1].upperBound) + "]"
            } else {
                arguments = "[]"
            }
            return .event(namespace: namespace, name: name, argumentsJSON: arguments, ackId: ackId)
        case .ack:
            guard let id = ackId else { throw .malformed("ACK without an id") }
            _ = try arrayElements(bytes, payload, "ACK")
            return .ack(namespace: namespace, id: id, argumentsJSON: JSONText.text(bytes, payload))
        case .connectError:
            // v5 servers send {"message": ..., "data": ...}; older ones a bare string.
            if payload.isEmpty {
                return .connectError(namespace: namespace, message: "connection refused", dataJSON: nil)
            }
            if bytes[payload.lowerBound] == UInt8(ascii: "\"") {
                guard let message = try? JSONText.decodeString(bytes, payload) else {
                    throw .malformed("CONNECT_ERROR with an invalid string")
                }
                return .connectError(namespace: namespace, message: message, dataJSON: nil)
            }
            let members = try objectMembers(bytes, payload, "CONNECT_ERROR")
            let message = members.first { $0.key == "message" }
                .flatMap { try? JSONText.decodeString(bytes, $0.value) } ?? "connection refused"
            let data = members.first { $0.key == "data" }.map { JSONText.text(bytes, $0.value) }
            return .connectError(namespace: namespace, message: message, dataJSON: data)
        case .binaryEvent, .binaryAck:
            throw .binaryNotSupported
        }
    }

    private static func objectMembers(_ bytes: [UInt8], _ range: Range<Int>, _ what: String)
        throws(SocketIOProtocolError) -> [(key: String, value: Range<Int>)] {
        do {
            return try JSONText.objectMembers(bytes, range)
        } catch {
            throw .malformed("\(what) payload is not a JSON object: \(error)")
        }
    }

    private static func arrayElements(_ bytes: [UInt8], _ range: Range<Int>, _ what: String)
        throws(SocketIOProtocolError) -> [Range<Int>] {
        do {
            return try JSONText.arrayElements(bytes, range)
        } catch {
            throw .malformed("\(what) payload is not a JSON array: \(error)")
        }
    }

    // MARK: - Encoding (client → server), returned as complete Engine.IO frames.

    /// `40[<namespace>,]` + the auth object; `authJSON` must already be validated.
    static func connectFrame(authJSON: String?, namespace: String = "/") -> String {
        EngineIOPacket.messageFrame("0" + prefix(namespace) + (authJSON ?? ""))
    }

    /// `41[<namespace>,]`: leave the namespace (sent on stop).
    static func disconnectFrame(namespace: String = "/") -> String {
        EngineIOPacket.messageFrame("1" + prefix(namespace))
    }

    /// `42[<namespace>,][<id>]["name",args...]`. `argumentsJSON` must be a JSON array.
    static func eventFrame(name: String, argumentsJSON: String, ackId: Int?, namespace: String = "/") throws(SocketIOError) -> String {
        let inner = try arrayInterior(argumentsJSON)
        let id = ackId.map(String.init) ?? ""
        let body = inner.isEmpty ? JSONText.quote(name) : JSONText.quote(name) + "," + inner
        return EngineIOPacket.messageFrame("2" + prefix(namespace) + id + "[" + body + "]")
    }

    /// `43[<namespace>,]<id>[args...]`: our reply when a server event asks for an ack.
    static func ackFrame(id: Int, argumentsJSON: String, namespace: String = "/") throws(SocketIOError) -> String {
        let inner = try arrayInterior(argumentsJSON)
        return EngineIOPacket.messageFrame("3" + prefix(namespace) + String(id) + "[" + inner + "]")
    }

    /// The default namespace goes unnamed; any other is named, then a comma.
    private static func prefix(_ namespace: String) -> String {
        namespace == "/" ? "" : namespace + ","
    }

    /// The text between the brackets of a JSON array, trimmed; throws when not an array.
    private static func arrayInterior(_ json: String) throws(SocketIOError) -> String {
        let bytes = Array(json.utf8)
        let whole = JSONText.trimmed(bytes, 0..<bytes.count)
        guard (try? JSONText.arrayElements(bytes, whole)) != nil else {
            throw .invalidArguments("arguments must be a JSON array")
        }
        let inner = JSONText.trimmed(bytes, (whole.lowerBound + 1)..<(whole.upperBound - 1))
        return JSONText.text(bytes, inner)
    }
}
