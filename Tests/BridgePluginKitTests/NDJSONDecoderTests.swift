import BridgePluginKit
import Testing

@Suite struct NDJSONDecoderTests {
    @Test func splitsLinesAcrossArbitraryChunks() {
        var decoder = NDJSONDecoder(maxMessageBytes: 100)
        #expect(decoder.decode([#"{"a":1}"#, "\n{\"b\"", ":2}\n{\"c\":3}\n"]) ==
                [.message(#"{"a":1}"#), .message(#"{"b":2}"#), .message(#"{"c":3}"#)])
        #expect(!decoder.hasIncompleteMessage)
    }

    @Test func acceptsCRLFAndSkipsBlankLines() {
        var decoder = NDJSONDecoder(maxMessageBytes: 100)
        #expect(decoder.decodeBytewise("\n \t\r\n{\"a\":1}\r\n\r\n[2]\n") == [.message(#"{"a":1}"#), .message("[2]")])
    }

    @Test func keepsAnUnterminatedLineUntilItsNewline() {
        var decoder = NDJSONDecoder(maxMessageBytes: 100)
        #expect(decoder.decode([#"{"a":"#]).isEmpty)
        #expect(decoder.hasIncompleteMessage)
        #expect(decoder.decode(["1}\n"]) == [.message(#"{"a":1}"#)])
    }

    @Test func aLineAtTheLimitPassesWithOrWithoutCR() {
        var decoder = NDJSONDecoder(maxMessageBytes: 8)
        #expect(decoder.decodeBytewise("12345678\n12345678\r\n") == [.message("12345678"), .message("12345678")])
        #expect(decoder.decode(["12345678\r\n"]) == [.message("12345678")])
    }

    @Test func anOversizeLineIsSkippedAndReportedOnceThenDecodingGoesOn() {
        var decoder = NDJSONDecoder(maxMessageBytes: 8)
        let long = String(repeating: "x", count: 50)
        #expect(decoder.decode([long + "\n[1]\n"]) == [.oversize(50), .message("[1]")])
        // The same, arriving in small pieces: never buffered, reported once at its newline.
        let pieces = stride(from: 0, to: 50, by: 7).map { _ in "xxxxxxx" } + ["\n[2]\n"]
        #expect(decoder.decode(pieces) == [.oversize(56), .message("[2]")])
        #expect(decoder.decodeBytewise("123456789\n[3]\n") == [.oversize(9), .message("[3]")])
    }

    @Test func aLongPartialLineIsNotBufferedPastTheLimit() {
        var decoder = NDJSONDecoder(maxMessageBytes: 4)
        #expect(decoder.decode(["abcdefgh"]).isEmpty)
        #expect(decoder.hasIncompleteMessage)
        #expect(decoder.decode(["ij\r\n"]) == [.oversize(11)])
        #expect(!decoder.hasIncompleteMessage)
    }

    @Test func passesInvalidJSONThroughForTheHostToAnswer() {
        var decoder = NDJSONDecoder(maxMessageBytes: 100)
        #expect(decoder.decode(["not json\n"]) == [.message("not json")])
    }
}
