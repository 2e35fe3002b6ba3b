import BridgePluginKit
import Testing

@Suite struct ContentLengthDecoderTests {
    static func framed(_ body: String, header: String = "Content-Length") -> String {
        "\(header): \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func decodesBackToBackMessagesInAnySplit() {
        let stream = Self.framed(#"{"id":1}"#) + Self.framed(#"{"id":22}"#) + Self.framed("[]")
        let expected: [DecodedEvent] = [.message(#"{"id":1}"#), .message(#"{"id":22}"#), .message("[]")]
        var whole = ContentLengthDecoder(maxMessageBytes: 100)
        #expect(whole.decode([stream]) == expected)
        var bytewise = ContentLengthDecoder(maxMessageBytes: 100)
        #expect(bytewise.decodeBytewise(stream) == expected)
        #expect(!bytewise.hasIncompleteMessage)
    }

    @Test func headerNamesAreCaseInsensitiveAndOtherHeadersIgnored() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        let stream = "content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n[]"
            + "Content-Type: x\nCONTENT-LENGTH:3\n\n[1]"
        #expect(decoder.decode([stream]) == [.message("[]"), .message("[1]")])
    }

    @Test func blankLinesBetweenMessagesAreTolerated() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        #expect(decoder.decode(["\r\n\r\n" + Self.framed("[1]") + "\r\n" + Self.framed("[2]")]) == [.message("[1]"), .message("[2]")])
    }

    @Test func anEmptyBodyIsAMessageForTheHostToRefuse() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        #expect(decoder.decode(["Content-Length: 0\r\n\r\n" + Self.framed("[1]")]) == [.message(""), .message("[1]")])
    }

    @Test func anOversizeBodyIsReportedAtItsHeaderAndSkippedToTheNextHeader() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 10)
        let big = String(repeating: "x", count: 25)
        #expect(decoder.decode([Self.framed(big) + Self.framed("[1]")]) == [.oversize(25), .message("[1]")])
        // Streamed in pieces: reported once its header block ends, skipped as it arrives.
        #expect(decoder.decode(["Content-Length: 25\r\n\r\n"]) == [.oversize(25)])
        #expect(decoder.decode([String(big.prefix(12))]).isEmpty)
        #expect(decoder.decode([String(big.dropFirst(12)) + Self.framed("[2]")]) == [.message("[2]")])
    }

    @Test func aLengthOverTheLimitThatLiesDoesNotSwallowTheNextMessage() {
        // The issue's case: a huge length, then at once a valid request. The error comes
        // right after the header, and the request is answered without 2 MiB more input.
        var decoder = ContentLengthDecoder(maxMessageBytes: 1 << 20)
        let request = #"{"jsonrpc":"2.0","id":2,"method":"initialize"}"#
        let stream = "Content-Length: 2097152\r\n\r\n" + Self.framed(request)
        #expect(decoder.decode([stream]) == [.oversize(2_097_152), .message(request)])
        var bytewise = ContentLengthDecoder(maxMessageBytes: 1 << 20)
        #expect(bytewise.decodeBytewise(stream) == [.oversize(2_097_152), .message(request)])
        #expect(!bytewise.hasIncompleteMessage)
    }

    @Test func aMalformedHeaderIsReportedAndTheNextMessageFound() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        let events = decoder.decode(["garbage line\r\n\r\nmore {garbage}\r\n" + Self.framed("[1]")])
        #expect(events == [.framingError("malformed header line"), .message("[1]")])
    }

    @Test func badOrMissingLengthsAreFramingErrors() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        #expect(decoder.decode(["Content-Length: abc\r\n\r\n" + Self.framed("[1]")])
                == [.framingError("invalid Content-Length value"), .message("[1]")])
        #expect(decoder.decode(["Content-Type: x\r\n\r\n{}" + Self.framed("[2]")])
                == [.framingError("header block without Content-Length"), .message("[2]")])
        #expect(decoder.decode(["Content-Length: 2\r\nContent-Length: 3\r\n\r\n[3]" + Self.framed("[4]")])
                == [.framingError("conflicting Content-Length headers"), .message("[4]")])
        #expect(decoder.decode(["Content-Length: 99999999999999999999\r\n\r\n" + Self.framed("[5]")])
                == [.framingError("invalid Content-Length value"), .message("[5]")])
    }

    @Test func aLengthThatIsTooShortCostsOnlyThatMessage() {
        // The host gets the truncated text (and answers it as invalid JSON); the rest of
        // the body runs straight into the next header, which is found mid-line.
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        let stream = #"Content-Length: 5\#r\#n\#r\#n{"id":1,"method":"x"}"# + Self.framed(#"{"id":2}"#)
        let expected: [DecodedEvent] = [.message(#"{"id""#), .framingError("malformed header line"), .message(#"{"id":2}"#)]
        #expect(decoder.decode([stream]) == expected)
        var bytewise = ContentLengthDecoder(maxMessageBytes: 100)
        #expect(bytewise.decodeBytewise(stream) == expected)
    }

    @Test func aLengthThatIsTooLongWaitsForBytesThenRecovers() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        let swallowed = #"Content-Length: 40\#r\#n\#r\#n{"id":1}"# + Self.framed(#"{"id":2}"#)
        #expect(decoder.decode([swallowed]).isEmpty)
        #expect(decoder.hasIncompleteMessage)
        // 3 more bytes complete the 40; the rest of the line is then not a header.
        let events = decoder.decode([String(repeating: " ", count: 10) + Self.framed(#"{"id":3}"#)])
        #expect(events == [.message(#"{"id":1}Content-Length: 8\#r\#n\#r\#n{"id":2}"# + "   "),
                           .framingError("malformed header line"), .message(#"{"id":3}"#)])
    }

    @Test func anOverlongHeaderLineIsAnErrorAndNotBuffered() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        let junk = String(repeating: "x", count: ContentLengthDecoder.maxHeaderLineBytes * 3)
        let events = decoder.decode([junk, "Content-Length: 3\r\n\r\n[1]"])
        #expect(events == [.framingError("header line longer than \(ContentLengthDecoder.maxHeaderLineBytes) bytes"), .message("[1]")])
    }

    @Test func garbageWithoutAHeaderIsScannedWithoutEnd() {
        var decoder = ContentLengthDecoder(maxMessageBytes: 100)
        let events = decoder.decode([":::\n", String(repeating: "{}", count: 5000), "Content-Length: 2\r\n\r\n[]"])
        #expect(events == [.framingError("malformed header line"), .message("[]")])
    }
}
