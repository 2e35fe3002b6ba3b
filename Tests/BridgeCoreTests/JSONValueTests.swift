import Foundation
import Testing
@testable import BridgeCore

@Suite struct JSONValueTests {
    // MARK: Numbers reach subscribers as Unicat wrote them (issue 10, case 4)

    @Test(arguments: ["469.0", "1e+300", "-0.0", "12345678901234567890", "0.1000000000000000055511151231257827", "1E5",
                      "-0", "1.50", "2.5e-7", "-9223372036854775809", "9223372036854775808", "100e0"])
    func numberLiteralsRoundTripVerbatim(_ literal: String) throws {
        let parsed = try JSONValue.parse(literal)
        #expect(parsed == .number(literal))
        #expect(parsed.encodedString() == literal)
        let document = #"{"price":\#(literal),"prices":[\#(literal),\#(literal)]}"#
        #expect(try JSONValue.parse(document).encodedString() == document)
    }

    @Test func integerLiteralsThatFitBecomeInts() throws {
        #expect(try JSONValue.parse("469") == .int(469))
        #expect(try JSONValue.parse("0") == .int(0))
        #expect(try JSONValue.parse("9223372036854775807") == .int(.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONValue.parse("-9223372036854775808").encodedString() == "-9223372036854775808")
    }

    @Test func literalsAnswerNumericQuestionsExactly() {
        #expect(JSONValue.number("469.0").int64Value == 469)
        #expect(JSONValue.number("1E5").int64Value == 100_000)
        #expect(JSONValue.number("-0.0").int64Value == 0)
        #expect(JSONValue.number("9007199254740993.0").int64Value == 9_007_199_254_740_993)
        #expect(JSONValue.number("-92233720368547758.08e2").int64Value == .min)
        #expect(JSONValue.number("1.0000000000000001").int64Value == nil)
        #expect(JSONValue.number("12345678901234567890").int64Value == nil)
        #expect(JSONValue.number("1e99999999999999999999").int64Value == nil)
        #expect(JSONValue.number("1.5").int64Value == nil)
        #expect(JSONValue.number("0.1000000000000000055511151231257827").doubleValue == 0.1)
        #expect(JSONValue.number("-0.0").doubleValue?.sign == .minus)
        #expect(JSONValue.number("1e400").doubleValue == nil)
        #expect(JSONValue.number("not a number").int64Value == nil)
        #expect(JSONValue.double(1e20).int64Value == nil)
    }

    @Test func rpcIdsMayBeWholeNumbersOfAnySizeAndAreEchoedVerbatim() throws {
        func id(_ text: String) throws -> Result<String, RPCFailure> {
            RPCRequest.parse(try JSONValue.parse(#"{"jsonrpc": "2.0", "id": \#(text), "method": "m"}"#))
                .map { $0.id?.encodedString() ?? "none" }
        }
        #expect(try id("7").get() == "7")
        #expect(try id("1.0").get() == "1.0")
        #expect(try id("12345678901234567890").get() == "12345678901234567890")
        #expect(try id("1E3").get() == "1E3")
        #expect(throws: RPCFailure.self) { try id("1.5").get() }
        #expect(throws: RPCFailure.self) { try id("true").get() }
    }

    // MARK: Writing

    @Test func doublesStayFloatsAndNonFiniteOnesBecomeNull() throws {
        #expect(JSONValue.double(469).encodedString() == "469.0")
        #expect(JSONValue.double(0.1).encodedString() == "0.1")
        #expect(JSONValue.double(-0.0).encodedString() == "-0.0")
        #expect(JSONValue.double(1e300).encodedString() == "1e+300")
        #expect(JSONValue.double(.nan).encodedString() == "null")
        #expect(JSONValue.double(-.infinity).encodedString() == "null")
        #expect(try JSONValue.parse(JSONValue.double(1e300).encodedString()).doubleValue == 1e300)
    }

    @Test func writingIsCompactSortedAndEscapesOnlyWhatJSONRequires() {
        let value: JSONValue = ["b": [1, -2, true, nil], "a": "x/y \"q\" \\ \n\r\t\u{8}\u{C}\u{1}\u{1F}\u{7F} é 😀", "": [:], "B": []]
        #expect(value.encodedString()
            == #"{"":{},"B":[],"a":"x/y \"q\" \\ \n\r\t\b\f\u0001\u001f"# + "\u{7F} é 😀" + #"","b":[1,-2,true,null]}"#)
        #expect(JSONValue.int(.min).encodedString() == "-9223372036854775808")
        #expect(Array(value.encoded()) == value.encodedBytes())
    }

    @Test func equalValuesEncodeToEqualBytes() throws {
        let first = try JSONValue.parse(#"{"a": 1, "b": {"c": [1.0, "x"], "d": null}}"#)
        let second = try JSONValue.parse(#"{"b":{"d":null,"c":[1.0,"x"]},"a":1}"#)
        #expect(first == second)
        #expect(first.encodedBytes() == second.encodedBytes())
        // Different literals of one number are different values: they encode differently.
        #expect(try JSONValue.parse("1.0") != JSONValue.parse("1e0"))
        #expect(try JSONValue.parse("1.0") != .double(1))
    }

    /// Strings are scanned 8 bytes at a time: a character that matters is found in any position.
    @Test func charactersThatMatterAreFoundAtEveryOffsetInAString() throws {
        for special in ["\"", "\\", "\n", "\u{1}", "\u{1F}", "é", "😀", "\u{7F}", " "] {
            for offset in 0..<20 {
                let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: 19 - offset)
                let encoded = JSONValue.string(text).encodedBytes()
                #expect(try JSONValue.parse(encoded) == .string(text))
                #expect(try JSONSerialization.jsonObject(with: Data(encoded), options: [.fragmentsAllowed]) as? String == text)
            }
        }
        for offset in 0..<20 {
            let padding = Array(repeating: UInt8(ascii: "a"), count: offset)
            let control: [UInt8] = [0x22] + padding + [0x01] + padding + [0x22]
            #expect(throws: JSONValue.ParseError(reason: "unescaped control character byte 0x01 in a string", offset: offset + 1)) {
                try JSONValue.parse(control)
            }
            let invalid: [UInt8] = [0x22] + padding + [0xFF] + padding + [0x22]
            #expect(throws: JSONValue.ParseError(reason: "invalid UTF-8 in a string", offset: offset + 1)) { try JSONValue.parse(invalid) }
        }
    }

    // MARK: Strict parsing

    @Test(arguments: [
        ("", "unexpected end of input, expected a value", 0),
        ("  ", "unexpected end of input, expected a value", 2),
        ("[1,]", "unexpected ']', expected a value", 3),
        (#"{"a":1,}"#, "expected a string key, found '}'", 7),
        ("{1:2}", "expected a string key, found '1'", 1),
        (#"{"a" 1}"#, "expected ':' after an object key, found '1'", 5),
        ("[1 2]", "expected ',' or ']', found '2'", 3),
        (#"{"a":1]"#, "expected ',' or '}', found ']'", 6),
        ("[1", "unterminated array", 2),
        (#"{"a":1"#, "unterminated object", 6),
        ("01", "leading zero in a number", 0),
        ("[-012]", "leading zero in a number", 2),
        ("1.", "expected a digit after the decimal point", 2),
        (".5", "unexpected '.', expected a value", 0),
        ("1e", "expected a digit in the exponent", 2),
        ("1e+", "expected a digit in the exponent", 3),
        ("-", "expected a digit after '-'", 1),
        ("+1", "unexpected '+', expected a value", 0),
        ("NaN", "unexpected 'N', expected a value", 0),
        ("Infinity", "unexpected 'I', expected a value", 0),
        ("-Infinity", "expected a digit after '-'", 1),
        ("tru", "invalid literal, expected true", 0),
        ("nul", "invalid literal, expected null", 0),
        ("True", "unexpected 'T', expected a value", 0),
        ("[1] x", "unexpected 'x' after the document", 4),
        ("{} {}", "unexpected '{' after the document", 3),
        ("1 2", "unexpected '2' after the document", 2),
        ("\u{FEFF}1", "unexpected byte 0xEF, expected a value", 0),
        ("\u{B}1", "unexpected byte 0x0B, expected a value", 0),
        ("\"abc", "unterminated string", 0),
        ("\"a\u{1}\"", "unescaped control character byte 0x01 in a string", 2),
        ("\"a\\n\tb\"", "unescaped control character byte 0x09 in a string", 4),
        (#""\x""#, "invalid escape '\\x' in a string", 1),
        (#""\u12G4""#, "\\u needs four hex digits", 1),
        (#""\u12"#, "\\u needs four hex digits", 1),
        (#""\ud800""#, "lone surrogate \\uD800 in a string", 1),
        (#""a\udc00""#, "lone surrogate \\uDC00 in a string", 2),
        (#""\ud800\u0041""#, "lone surrogate \\uD800 in a string", 1),
        (#""\ud800\n""#, "lone surrogate \\uD800 in a string", 1),
    ] as [(String, String, Int)])
    func rejectsWhatRFC8259Forbids(_ text: String, _ reason: String, _ offset: Int) {
        #expect(throws: JSONValue.ParseError(reason: reason, offset: offset)) { try JSONValue.parse(text) }
    }

    @Test(arguments: [
        ([0x22, 0xC3, 0x28, 0x22], 1),                    // a lead byte without its continuation
        ([0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], 2),        // a UTF-16 surrogate encoded as UTF-8
        ([0x22, 0xC0, 0xAF, 0x22], 1),                    // an overlong "/"
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),        // above U+10FFFF
        ([0x22, 0x5C, 0x6E, 0xC3, 0xA9, 0xFF, 0x22], 5),  // after an escape and a valid é
        ([0x22, 0x61, 0x80, 0x22], 2),                    // a stray continuation byte
        ([0x5B, 0xFF, 0x5D], 1),                          // outside a string
    ] as [([UInt8], Int)])
    func rejectsInvalidUTF8NamingTheByte(_ bytes: [UInt8], _ offset: Int) {
        let reason = bytes[offset - 1] == 0x5B ? "unexpected byte 0xFF, expected a value" : "invalid UTF-8 in a string"
        #expect(throws: JSONValue.ParseError(reason: reason, offset: offset)) { try JSONValue.parse(bytes) }
    }

    @Test func acceptsWhatRFC8259Allows() throws {
        #expect(try JSONValue.parse(" \t\r\n[ 1 , { \"a\" : null } ] \n") == [1, ["a": nil]])
        #expect(try JSONValue.parse(#""\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00 é""#) == .string("\"\\/\u{8}\u{C}\n\r\t\u{E9}😀 é"))
        #expect(try JSONValue.parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try JSONValue.parse("\"\u{7F}\"") == .string("\u{7F}"))
        #expect(try JSONValue.parse("true") == true)
        #expect(try JSONValue.parse("[]") == [])
        #expect(try JSONValue.parse("{}") == [:])
        #expect(try JSONValue.parse(Data("[1]".utf8)) == [1])
        #expect(try JSONValue.parse("[1]".utf8.lazy.map { $0 }) == [1])
    }

    @Test func ofDuplicateKeysTheLastWins() throws {
        #expect(try JSONValue.parse(#"{"a": 1, "b": 2, "a": {"c": 3}}"#) == ["a": ["c": 3], "b": 2])
    }

    @Test func hostileNestingIsRejectedWithoutCrashing() throws {
        let deep = 1_000_000
        #expect(throws: JSONValue.ParseError(reason: "nested deeper than 512 levels", offset: 512)) {
            try JSONValue.parse(String(repeating: "[", count: deep) + String(repeating: "]", count: deep))
        }
        #expect(throws: JSONValue.ParseError(reason: "nested deeper than 512 levels", offset: 512 * 5)) {
            try JSONValue.parse(String(repeating: #"{"a":"#, count: deep))
        }
        let limit = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSONValue.parse(limit).encodedString() == limit)
        #expect(throws: JSONValue.ParseError(reason: "nested deeper than 64 levels", offset: 64)) {
            try JSONValue.parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65), maxDepth: 64)
        }
        #expect(try JSONValue.parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64), maxDepth: 64) != nil)
    }

    // MARK: Against Foundation

    /// Random valid documents parse to the same values as with Foundation's JSONSerialization.
    @Test func agreesWithJSONSerializationOnRandomDocuments() throws {
        var generator = RandomDocument(seed: 20_240_101)
        for _ in 0..<1000 {
            let text = generator.document()
            let ours = try JSONValue.parse(text)
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(ours, theirs), "\(text)")
            // And what we write reads back as the same value.
            #expect(try JSONValue.parse(ours.encodedBytes()) == ours)
        }
    }

    private static func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours {
        case .null: return theirs is NSNull
        case .bool(let flag): return (theirs as? Bool) == flag
        case .int(let number): return (theirs as? NSNumber)?.int64Value == number
        case .number(let literal):
            // Foundation keeps exponents and big integers as decimals: compare those exactly.
            if let decimal = theirs as? NSDecimalNumber { return Decimal(string: literal) == decimal.decimalValue }
            return (theirs as? NSNumber)?.doubleValue == ours.doubleValue
        case .double(let number): return (theirs as? NSNumber)?.doubleValue == number
        case .string(let text): return (theirs as? String) == text
        case .array(let elements):
            guard let other = theirs as? [Any], other.count == elements.count else { return false }
            return zip(elements, other).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let other = theirs as? [String: Any], other.count == members.count else { return false }
            return members.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
        case .encoded:
            return false  // the parser never makes one
        }
    }

    @Test func preEncodedTextIsWrittenVerbatim() throws {
        let inner = JSONValue.object(["price": .number("469.0"), "name": "x"]).encodedBytes()
        let outer: JSONValue = ["data": .encoded(inner), "id": 1]
        #expect(outer.encodedString() == #"{"data":{"name":"x","price":469.0},"id":1}"#)
        #expect(try JSONValue.parse(outer.encodedBytes())["data"]?["price"] == .number("469.0"))
    }
}

/// Random JSON text: every kind of value, number forms, escapes, raw UTF-8, whitespace.
private struct RandomDocument {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func document() -> String { value(depth: 0) }

    private mutating func next() -> UInt64 {
        // SplitMix64: small, seedable, good enough for test data.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    private mutating func space() -> String { ["", "", " ", "\n", "\t ", "\r\n  "][below(6)] }

    private mutating func value(depth: Int) -> String {
        switch below(depth > 4 ? 6 : 8) {
        case 0: return ["null", "true", "false"][below(3)]
        case 1, 2: return number()
        case 3, 4, 5: return string()
        case 6:
            let elements = (0..<below(6)).map { _ in space() + value(depth: depth + 1) + space() }
            return "[" + elements.joined(separator: ",") + "]"
        default:
            var keys = Set<String>()
            for _ in 0..<below(6) { keys.insert(string()) }
            let members = keys.sorted().map { space() + $0 + space() + ":" + space() + value(depth: depth + 1) }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    private mutating func number() -> String {
        let sign = below(3) == 0 ? "-" : ""
        switch below(5) {
        case 0: return sign + String(below(1000))
        case 1: return sign + String(next() >> 1) + (below(4) == 0 ? String(below(1000)) : "")
        case 2: return sign + String(below(100_000)) + "." + String(below(10_000))
        case 3: return sign + String(below(10)) + "." + String(below(1000)) + ["e", "E"][below(2)] + ["", "+", "-"][below(3)] + String(below(300))
        default: return String(Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF))
        }
    }

    private mutating func string() -> String {
        var text = "\""
        for _ in 0..<below(12) {
            switch below(10) {
            case 0: text += ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"][below(8)]
            case 1: text += String(format: "\\u%04x", [0x00, 0x1F, 0xE9, 0x20AC, 0xFFFD][below(5)])
            case 2: text += "\\uD83D\\uDE00"
            case 3: text += ["é", "€", "😀", "中", "\u{7F}"][below(5)]
            default:
                let byte = UInt8(0x20 + below(0x5F))
                text.unicodeScalars.append(UnicodeScalar(byte == 0x22 || byte == 0x5C ? 0x61 : byte))
            }
        }
        return text + "\""
    }
}
