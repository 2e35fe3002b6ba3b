import Testing
@testable import SocketIOClient

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Decodes a Socket.IO packet given as the text after the Engine.IO "4".
private func socketIO(_ text: String) throws -> SocketIOPacket {
    let frame = bytes(text)
    return try SocketIOPacket.decode(frame, 0..<frame.count)
}

@Suite struct EngineIOPacketTests {
    @Test func openPacket() throws {
        let packet = try EngineIOPacket.decode(bytes(
            #"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#))
        #expect(packet == .open(EngineIOOpen(sid: "lv_VI97HAXpY6yYWAAAC", pingInterval: 25000, pingTimeout: 20000,
                                             maxPayload: 1_000_000)))
    }

    @Test func openPacketWithoutMaxPayloadGetsTheDefault() throws {
        let packet = try EngineIOPacket.decode(bytes(#"0{"sid":"a","pingInterval":300,"pingTimeout":200.0}"#))
        #expect(packet == .open(EngineIOOpen(sid: "a", pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000)))
    }

    @Test(arguments: [
        #"0"#, #"0{}"#, #"0{"sid":"a"}"#, #"0{"sid":"a","pingInterval":-1,"pingTimeout":1}"#,
        #"0{"sid":"a","pingInterval":"25000","pingTimeout":1}"#, #"0{"sid":5,"pingInterval":1,"pingTimeout":1}"#,
        #"0{"sid":"a","pingInterval":1,"pingTimeout":1"#, #"0[1,2]"#,
    ])
    func malformedOpenIsRejected(_ text: String) {
        #expect(throws: SocketIOProtocolError.self) { try EngineIOPacket.decode(bytes(text)) }
    }

    @Test func simplePackets() throws {
        #expect(try EngineIOPacket.decode(bytes("1")) == .close)
        #expect(try EngineIOPacket.decode(bytes("2")) == .ping(""))
        #expect(try EngineIOPacket.decode(bytes("2probe")) == .ping("probe"))
        #expect(try EngineIOPacket.decode(bytes("3")) == .pong(""))
        #expect(try EngineIOPacket.decode(bytes("6")) == .noop)
        #expect(try EngineIOPacket.decode(bytes("42[\"a\"]")) == .message(payload: 1..<7))
        #expect(EngineIOPacket.pongFrame(echoing: "") == "3")
        #expect(EngineIOPacket.pongFrame(echoing: "probe") == "3probe")
    }

    @Test func unknownOrEmptyFramesAreRejected() {
        #expect(throws: SocketIOProtocolError.self) { try EngineIOPacket.decode([]) }
        #expect(throws: SocketIOProtocolError.self) { try EngineIOPacket.decode(bytes("9")) }
        #expect(throws: SocketIOProtocolError.self) { try EngineIOPacket.decode(bytes("{}")) }
    }
}

@Suite struct SocketIOPacketDecodingTests {
    @Test func connectAck() throws {
        #expect(try socketIO(#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#) == .connect(namespace: "/", sid: "wZX3oN0bSVIhsaknAAAI"))
        #expect(try socketIO("0") == .connect(namespace: "/", sid: nil))
        #expect(try socketIO(#"0/admin,{"sid":"x"}"#) == .connect(namespace: "/admin", sid: "x"))
    }

    @Test func eventWithoutAckId() throws {
        let packet = try socketIO(#"2["sync",[{"type":"project","cursor":7,"updated_on":1612184925.9805226}]]"#)
        #expect(packet == .event(namespace: "/", name: "sync",
                                 argumentsJSON: #"[[{"type":"project","cursor":7,"updated_on":1612184925.9805226}]]"#,
                                 ackId: nil))
    }

    @Test func eventWithAckIdAndSeveralArguments() throws {
        let packet = try socketIO(#"212["authorization", {"JWT": "t"}, 3, null ]"#)
        #expect(packet == .event(namespace: "/", name: "authorization", argumentsJSON: #"[{"JWT": "t"}, 3, null]"#, ackId: 12))
    }

    @Test func eventWithoutArguments() throws {
        #expect(try socketIO(#"2["ping"]"#) == .event(namespace: "/", name: "ping", argumentsJSON: "[]", ackId: nil))
    }

    @Test func eventInAnotherNamespace() throws {
        #expect(try socketIO(#"2/admin,5["x",1]"#) == .event(namespace: "/admin", name: "x", argumentsJSON: "[1]", ackId: 5))
    }

    @Test func eventNameWithEscapes() throws {
        let packet = try socketIO(#"2["caf\u00e9 \ud83d\ude00 \"q\" \n"]"#)
        #expect(packet == .event(namespace: "/", name: "café 😀 \"q\" \n", argumentsJSON: "[]", ackId: nil))
    }

    @Test func ack() throws {
        #expect(try socketIO(#"35[{"sync":[]}]"#) == .ack(namespace: "/", id: 5, argumentsJSON: #"[{"sync":[]}]"#))
        #expect(try socketIO("3123[]") == .ack(namespace: "/", id: 123, argumentsJSON: "[]"))
    }

    @Test func connectError() throws {
        #expect(try socketIO(#"4{"message":"Invalid JWT","data":{"code":401}}"#)
                == .connectError(namespace: "/", message: "Invalid JWT", dataJSON: #"{"code":401}"#))
        #expect(try socketIO(#"4{"message":"Not authorized"}"#)
                == .connectError(namespace: "/", message: "Not authorized", dataJSON: nil))
        #expect(try socketIO(#"4"Unable to connect""#)
                == .connectError(namespace: "/", message: "Unable to connect", dataJSON: nil))
    }

    @Test func disconnect() throws {
        #expect(try socketIO("1") == .disconnect(namespace: "/"))
        #expect(try socketIO("1/admin,") == .disconnect(namespace: "/admin"))
    }

    @Test func binaryPacketsAreRejected() {
        #expect(throws: SocketIOProtocolError.binaryNotSupported) {
            try socketIO(#"51-["hello",{"_placeholder":true,"num":0}]"#)
        }
        #expect(throws: SocketIOProtocolError.binaryNotSupported) {
            try socketIO(#"61-3[{"_placeholder":true,"num":0}]"#)
        }
    }

    @Test(arguments: [
        "", "7", "x", "2", "2[", "2[]", "2[1]", "2{}", #"2["a",]"#, #"2["a"] x"#, #"2["a\x"]"#, "3[]", "3x",
        "35", "35{}", #"2["a",tru]"#, #"2["a",01]"#, #"2["a",1.]"#, #"2["a","\u12"]"#, "0[]", #"4{"message":}"#,
        "212345678901234567890[\"a\"]", "2[\"a\",\"\u{01}\"]",
    ])
    func malformedPacketsAreRejected(_ text: String) {
        #expect(throws: SocketIOProtocolError.self) { try socketIO(text) }
    }

    @Test func deepNestingIsRejectedWithoutCrashing() {
        let deep = "2[\"a\"," + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "]"
        #expect(throws: SocketIOProtocolError.self) { try socketIO(deep) }
    }

    @Test func largePayloadDecodes() throws {
        let items = (1...20_000).map { #"{"cursor":\#($0),"data_key":"k\#($0)"}"# }.joined(separator: ",")
        let packet = try socketIO(#"2["sync",[\#(items)]]"#)
        guard case .event(_, "sync", let arguments, nil) = packet else {
            Issue.record("unexpected \(packet)")
            return
        }
        #expect(arguments == "[[\(items)]]")
    }
}

@Suite struct SocketIOPacketEncodingTests {
    @Test func connect() {
        #expect(SocketIOPacket.connectFrame(authJSON: #"{"JWT":"abc"}"#) == #"40{"JWT":"abc"}"#)
        #expect(SocketIOPacket.connectFrame(authJSON: nil) == "40")
        #expect(SocketIOPacket.disconnectFrame() == "41")
    }

    @Test func events() throws {
        #expect(try SocketIOPacket.eventFrame(name: "initsync", argumentsJSON: #"[{"cursor":1}]"#, ackId: nil)
                == #"42["initsync",{"cursor":1}]"#)
        #expect(try SocketIOPacket.eventFrame(name: "initsync", argumentsJSON: #" [ {"cursor":1} , 2 ] "#, ackId: 7)
                == #"427["initsync",{"cursor":1} , 2]"#)
        #expect(try SocketIOPacket.eventFrame(name: "ping", argumentsJSON: "[]", ackId: nil) == #"42["ping"]"#)
        #expect(try SocketIOPacket.eventFrame(name: "a\"b\\c\u{01}", argumentsJSON: "[ ]", ackId: nil)
                == #"42["a\"b\\c\u0001"]"#)
    }

    /// Zou's event stream lives in "/events": every packet names it, then a comma.
    @Test func aNamedNamespaceIsInEveryFrame() throws {
        #expect(SocketIOPacket.connectFrame(authJSON: #"{"token":"t"}"#, namespace: "/events") == #"40/events,{"token":"t"}"#)
        #expect(SocketIOPacket.disconnectFrame(namespace: "/events") == "41/events,")
        #expect(try SocketIOPacket.eventFrame(name: "x", argumentsJSON: "[1]", ackId: 2, namespace: "/events") == #"42/events,2["x",1]"#)
        #expect(try SocketIOPacket.ackFrame(id: 3, argumentsJSON: "[]", namespace: "/events") == "43/events,3[]")
    }

    @Test func ackReply() throws {
        #expect(try SocketIOPacket.ackFrame(id: 3, argumentsJSON: "[]") == "433[]")
        #expect(try SocketIOPacket.ackFrame(id: 3, argumentsJSON: #"["ok"]"#) == #"433["ok"]"#)
    }

    @Test(arguments: ["", "{}", "1", "[", "[1,]", "[] []", "null"])
    func argumentsMustBeAJSONArray(_ arguments: String) {
        #expect(throws: SocketIOError.self) {
            try SocketIOPacket.eventFrame(name: "x", argumentsJSON: arguments, ackId: nil)
        }
    }

    @Test func encodedEventsDecodeBack() throws {
        let frame = try SocketIOPacket.eventFrame(name: "naïve \"name\"", argumentsJSON: #"[{"a":[1,2,{"b":null}]},"s"]"#, ackId: 42)
        let encoded = Array(frame.utf8)
        #expect(try EngineIOPacket.decode(encoded) == .message(payload: 1..<encoded.count))
        #expect(try SocketIOPacket.decode(encoded, 1..<encoded.count)
                == .event(namespace: "/", name: "naïve \"name\"", argumentsJSON: #"[{"a":[1,2,{"b":null}]},"s"]"#, ackId: 42))
    }
}

@Suite struct JSONTextTests {
    @Test func validation() {
        for valid in ["0", "-1.5e+3", "\"\"", "[]", "{}", " {\"a\" : [true,false,null]} ", "\"\\u00e9\\/\""] {
            #expect(JSONText.isValid(valid), "\(valid)")
        }
        for invalid in ["", " ", "[", "{\"a\"}", "{a:1}", "'a'", "01", "1.", ".5", "tru", "[1 2]", "\"\t\"", "1 2", "-"] {
            #expect(!JSONText.isValid(invalid), "\(invalid)")
        }
    }

    @Test func quoteRoundTrips() throws {
        let original = "line\nbreak \"quoted\" back\\slash tab\t \u{7} é 😀"
        let quoted = Array(JSONText.quote(original).utf8)
        #expect(try JSONText.decodeString(quoted, 0..<quoted.count) == original)
    }

    @Test func integers() {
        let text = Array("25000".utf8)
        #expect(JSONText.decodeInteger(text, 0..<text.count) == 25000)
        let fraction = Array("1.5".utf8)
        #expect(JSONText.decodeInteger(fraction, 0..<fraction.count) == nil)
        let huge = Array("1e300".utf8)
        #expect(JSONText.decodeInteger(huge, 0..<huge.count) == nil)
    }
}
