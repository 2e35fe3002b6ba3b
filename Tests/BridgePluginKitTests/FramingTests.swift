import BridgePluginKit
import Testing

@Suite struct FramingTests {
    @Test func detectsFromTheFirstByteThatIsNotWhitespace() {
        #expect(Framing.detect(firstByte: UInt8(ascii: "C")) == .contentLength)
        #expect(Framing.detect(firstByte: UInt8(ascii: "c")) == .contentLength)
        #expect(Framing.detect(firstByte: UInt8(ascii: "{")) == .ndjson)
        #expect(Framing.detect(firstByte: UInt8(ascii: "[")) == .ndjson)
        #expect(Framing.detect(firstByte: UInt8(ascii: "x")) == .ndjson)
        #expect(Framing.detect(firstByte: UInt8(ascii: " ")) == nil)
        #expect(Framing.detect(firstByte: UInt8(ascii: "\n")) == nil)
        Array(" \r\n\tContent-Length".utf8).withUnsafeBytes { bytes in
            let detected = Framing.detect(in: bytes)
            #expect(detected?.framing == .contentLength)
            #expect(detected?.offset == 4)
        }
        Array(" \n ".utf8).withUnsafeBytes { #expect(Framing.detect(in: $0) == nil) }
    }

    @Test func encodesInEachFraming() {
        let message = SharedMessage(#"{"id":1,"é":2}"#, headroom: 3)
        #expect(Framing.ndjson.encode(message) == Array("{\"id\":1,\"é\":2}\n".utf8))
        #expect(Framing.contentLength.encode(message) == Array("Content-Length: 15\r\n\r\n{\"id\":1,\"é\":2}".utf8))
    }

    @Test func encodedMessagesDecodeBack() {
        let message = SharedMessage(#"{"jsonrpc":"2.0","id":7}"#)
        for framing in [Framing.ndjson, .contentLength] {
            var decoder = framing.makeDecoder(maxMessageBytes: 64)
            let encoded = framing.encode(message) + framing.encode(message)
            #expect(decoder.decode([encoded]) == [.message(#"{"jsonrpc":"2.0","id":7}"#), .message(#"{"jsonrpc":"2.0","id":7}"#)])
        }
    }

    @Test func protocolErrorMessagesAreTheJSONRPCErrorsTheHostWouldSend() {
        #expect(ProtocolErrorMessage.messageTooLarge(limit: 16)
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: message exceeds 16 bytes"}}"#)
        #expect(ProtocolErrorMessage.framingError(detail: "bad \"header\"\n\u{1}")
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: bad \"header\"\n\u0001"}}"#)
    }
}
