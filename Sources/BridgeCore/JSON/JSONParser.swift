extension JSONValue {
    /// The default nesting limit: far deeper than any real Unicat payload, and shallow enough
    /// that the recursive work done later on a value (encoding, comparing, freeing it) stays
    /// small on any thread's stack.
    public static let defaultMaxDepth = 512

    /// Parses UTF-8 JSON text strictly per RFC 8259; `maxDepth` bounds how deeply arrays and
    /// objects may nest (`[]` is depth 1). Of duplicate keys in an object, the last wins.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth) throws(ParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer, maxDepth: maxDepth)
            return parser.document()
        }
        if let result { return try result.get() }
        return try parse(Array(bytes), maxDepth: maxDepth)
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(ParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            var parser = JSONParser(buffer, maxDepth: maxDepth)
            return parser.document()
        }.get()
    }

    /// Why a text is not JSON (or nests too deeply), and at which byte.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        /// What is wrong, e.g. "leading zero in a number".
        public let reason: String
        /// The offset of the offending byte from the start of the text.
        public let offset: Int

        public var description: String { "\(reason) at byte \(offset)" }
    }
}

/// A strict JSON parser over UTF-8 bytes. Iterative: open containers live on heap-allocated
/// stacks, not the call stack, so hostile nesting meets the depth limit instead of a stack
/// overflow.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var index = 0
    /// The finished elements and member values of every open container, innermost last.
    private var values: [JSONValue] = []
    /// The keys of every open object's members, in step with their values.
    private var keys: [String] = []
    private var open: [Container] = []
    /// Reused for strings with escapes.
    private var scratch: [UInt8] = []

    private struct Container {
        var isObject: Bool
        /// Where this container's elements start in `values` (and its keys in `keys`).
        var firstValue: Int
        var firstKey: Int
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func document() -> Result<JSONValue, JSONValue.ParseError> {
        do throws(JSONValue.ParseError) {
            let value = try value()
            skipWhitespace()
            guard index == bytes.count else { throw failure("unexpected \(describe(bytes[index])) after the document") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private mutating func value() throws(JSONValue.ParseError) -> JSONValue {
        next: while true {
            guard var value = try start() else { continue next }
            // A value is complete: add it to the innermost container, and close every
            // container that this completes in turn.
            while let container = open.last {
                values.append(value)
                skipWhitespace()
                guard index < bytes.count else {
                    throw failure(container.isObject ? "unterminated object" : "unterminated array")
                }
                switch bytes[index] {
                case UInt8(ascii: ","):
                    index += 1
                    if container.isObject { try key() }
                    continue next
                case UInt8(ascii: "}") where container.isObject, UInt8(ascii: "]") where !container.isObject:
                    index += 1
                    value = close(container)
                default:
                    throw failure("expected ',' or '\(container.isObject ? "}" : "]")', found \(describe(bytes[index]))")
                }
            }
            return value
        }
    }

    /// The value starting here when it is complete already (a scalar or an empty container);
    /// nil after opening a container, positioned at its first element's value.
    private mutating func start() throws(JSONValue.ParseError) -> JSONValue? {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try descend()
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object([:])
            }
            open.append(Container(isObject: true, firstValue: values.count, firstKey: keys.count))
            try key()
            return nil
        case UInt8(ascii: "["):
            try descend()
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array([])
            }
            open.append(Container(isObject: false, firstValue: values.count, firstKey: keys.count))
            return nil
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case let byte: throw failure("unexpected \(describe(byte)), expected a value")
        }
    }

    /// Checks the depth for a container about to open, and steps over its bracket.
    private mutating func descend() throws(JSONValue.ParseError) {
        guard open.count < maxDepth else { throw failure("nested deeper than \(maxDepth) levels") }
        index += 1
    }

    private mutating func close(_ container: Container) -> JSONValue {
        open.removeLast()
        defer {
            values.removeSubrange(container.firstValue...)
            keys.removeSubrange(container.firstKey...)
        }
        guard container.isObject else { return .array(Array(values[container.firstValue...])) }
        var members = [String: JSONValue](minimumCapacity: values.count - container.firstValue)
        for offset in 0..<(values.count - container.firstValue) {
            members[keys[container.firstKey + offset]] = values[container.firstValue + offset]
        }
        return .object(members)
    }

    /// An object member's key and its colon, leaving the parser at the member's value.
    private mutating func key() throws(JSONValue.ParseError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw failure(index < bytes.count ? "expected a string key, found \(describe(bytes[index]))" : "unterminated object")
        }
        keys.append(try string())
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw failure(index < bytes.count ? "expected ':' after an object key, found \(describe(bytes[index]))" : "unterminated object")
        }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONValue.ParseError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - index >= expected.count,
              UnsafeBufferPointer(rebasing: bytes[index..<index + expected.count]).elementsEqual(expected)
        else { throw failure("invalid literal, expected \(word)") }
        index += expected.count
    }

    // MARK: Numbers

    private mutating func number() throws(JSONValue.ParseError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw failure("expected a digit after '-'") }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { throw failure("leading zero in a number", at: index - 1) }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) {
                let (times10, high) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times10.addingReportingOverflow(UInt64(bytes[index] &- UInt8(ascii: "0")))
                overflow = overflow || high || carry
                magnitude = sum
                index += 1
            }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw failure("expected a digit after the decimal point") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw failure("expected a digit in the exponent") }
            skipDigits()
        }
        // Only a literal that an Int64 writes back identically becomes .int: not "-0".
        if isInteger, !overflow {
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            if negative, magnitude != 0, magnitude <= UInt64(Int64.max) + 1 { return .int(Int64(bitPattern: 0 &- magnitude)) }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private mutating func skipDigits() {
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    // MARK: Strings

    /// A string, the parser at its opening quote.
    private mutating func string() throws(JSONValue.ParseError) -> String {
        let opening = index
        index += 1
        let start = index
        // Fast path: no escapes, the bytes are the string. ASCII needs no validation, and
        // String(decoding:) is much the cheaper way to make it.
        let plain = JSONPlainRun.skip(UnsafeRawBufferPointer(bytes), from: index)
        index = plain.end
        var ascii = plain.highBits == 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: content, as: UTF8.self) }
                if let text = String(validating: content, as: UTF8.self) { return text }
                throw invalidUTF8(in: content, at: start)
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start, ascii: ascii) }
            if byte < 0x20 { throw failure("unescaped control character \(describe(byte)) in a string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw failure("unterminated string", at: opening)
    }

    /// The rest of a string that has escapes: its text is assembled in `scratch`.
    private mutating func escapedString(from start: Int, ascii: Bool) throws(JSONValue.ParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        var ascii = ascii
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                if ascii { return String(decoding: scratch, as: UTF8.self) }
                if let text = String(validating: scratch, as: UTF8.self) { return text }
                // The bad byte is raw input (escapes produce whole characters): locate it
                // there, escape sequences being ASCII.
                throw invalidUTF8(in: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), at: start)
            case UInt8(ascii: "\\"):
                try escape()
            case 0..<0x20:
                throw failure("unescaped control character \(describe(byte)) in a string")
            default:
                if byte >= 0x80 { ascii = false }
                scratch.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string", at: start - 1)
    }

    /// One escape sequence, the parser at its backslash; appends its UTF-8 to `scratch`.
    private mutating func escape() throws(JSONValue.ParseError) {
        let backslash = index
        index += 1
        guard index < bytes.count else { throw failure("unterminated string") }
        let letter = bytes[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(at: backslash)
            if scalar & 0xFC00 == 0xD800 {
                // A high surrogate must be followed by an escaped low one.
                guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw failure("lone surrogate \\u\(Self.hex(scalar)) in a string", at: backslash)
                }
                index += 2
                let low = try hex4(at: index - 2)
                guard low & 0xFC00 == 0xDC00 else { throw failure("lone surrogate \\u\(Self.hex(scalar)) in a string", at: backslash) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar & 0xFC00 == 0xDC00 {
                throw failure("lone surrogate \\u\(Self.hex(scalar)) in a string", at: backslash)
            }
            appendUTF8(scalar)
        default:
            throw failure("invalid escape '\\\(Self.printable(letter))' in a string", at: backslash)
        }
    }

    private mutating func hex4(at backslash: Int) throws(JSONValue.ParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("\\u needs four hex digits", at: backslash) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("\\u needs four hex digits", at: backslash)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// The error for `content`, which is not valid UTF-8, naming its first bad byte.
    private func invalidUTF8(in content: UnsafeBufferPointer<UInt8>, at start: Int) -> JSONValue.ParseError {
        var position = 0
        while position < content.count {
            let length = Self.validSequenceLength(content, at: position)
            if length == 0 { break }
            position += length
        }
        return failure("invalid UTF-8 in a string", at: start + position)
    }

    /// The length of the well-formed UTF-8 sequence at `position` (RFC 3629: no overlong
    /// forms, no surrogates, nothing above U+10FFFF), or 0.
    private static func validSequenceLength(_ content: UnsafeBufferPointer<UInt8>, at position: Int) -> Int {
        let lead = content[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        case 0xF1...0xF3: length = 4
        default: return 0
        }
        guard content.count - position >= length, secondRange.contains(content[position + 1]) else { return 0 }
        for offset in 2..<max(2, length) where !(0x80...0xBF).contains(content[position + offset]) { return 0 }
        return length
    }

    // MARK: Errors

    private func failure(_ reason: String, at offset: Int? = nil) -> JSONValue.ParseError {
        JSONValue.ParseError(reason: reason, offset: offset ?? index)
    }

    /// A byte for a message: printable ASCII quoted, anything else in hex.
    private func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Self.printable(byte))'" : "byte 0x\(Self.hex(UInt32(byte), digits: 2))"
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + hex(UInt32(byte), digits: 2)
    }

    private static func hex(_ value: UInt32, digits: Int = 4) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
