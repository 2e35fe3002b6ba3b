/// A small, strict JSON scanner over UTF-8 bytes.
///
/// Payloads cross this module's API as JSON *text*, so the client never builds a JSON tree:
/// it only needs to validate text, find the top-level elements of an array or object, and
/// decode a few strings and integers (the Engine.IO OPEN packet, ack ids, event names).
/// Keeping the original bytes also preserves number precision (e.g. float timestamps).
enum JSONText {
    struct SyntaxError: Error, CustomStringConvertible {
        let message: String
        let offset: Int
        var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Nesting limit: deep enough for any real payload, shallow enough that the recursive
    /// scanner cannot exhaust the service thread's stack on hostile input.
    static let maxDepth = 512

    /// True when `bytes[range]` is exactly one JSON value, with optional surrounding whitespace.
    static func isValid(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        var scanner = Scanner(bytes: bytes, range: range)
        do {
            scanner.skipWhitespace()
            try scanner.skipValue(depth: 0)
            scanner.skipWhitespace()
            return scanner.atEnd
        } catch {
            return false
        }
    }

    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return isValid(bytes, 0..<bytes.count)
    }

    /// The ranges of the top-level elements of the JSON array in `bytes[range]`.
    static func arrayElements(_ bytes: [UInt8], _ range: Range<Int>) throws -> [Range<Int>] {
        var scanner = Scanner(bytes: bytes, range: range)
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "["))
        var elements: [Range<Int>] = []
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "]") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let start = scanner.index
                try scanner.skipValue(depth: 1)
                elements.append(start..<scanner.index)
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
                try scanner.expect(UInt8(ascii: "]"))
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.error("trailing data after the array") }
        return elements
    }

    /// The top-level members of the JSON object in `bytes[range]`: decoded key, value range.
    static func objectMembers(_ bytes: [UInt8], _ range: Range<Int>) throws -> [(key: String, value: Range<Int>)] {
        var scanner = Scanner(bytes: bytes, range: range)
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"))
        var members: [(key: String, value: Range<Int>)] = []
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let key = try scanner.decodeString()
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                let start = scanner.index
                try scanner.skipValue(depth: 1)
                members.append((key, start..<scanner.index))
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.error("trailing data after the object") }
        return members
    }

    /// Decodes the JSON string that exactly fills `bytes[range]`.
    static func decodeString(_ bytes: [UInt8], _ range: Range<Int>) throws -> String {
        var scanner = Scanner(bytes: bytes, range: range)
        let value = try scanner.decodeString()
        guard scanner.atEnd else { throw scanner.error("trailing data after the string") }
        return value
    }

    /// Decodes a JSON number that is a whole number fitting an Int (e.g. `25000` or `25000.0`).
    static func decodeInteger(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var scanner = Scanner(bytes: bytes, range: range)
        guard (try? scanner.skipNumber()) != nil, scanner.atEnd else { return nil }
        let text = String(decoding: bytes[range], as: UTF8.self)
        if let value = Int(text) { return value }
        guard let value = Double(text), value.isFinite, value.rounded() == value,
              abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// `value` as a JSON string literal.
    static func quote(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    /// Trims JSON whitespace from both ends of `range`.
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    struct Scanner {
        let bytes: [UInt8]
        let end: Int
        var index: Int

        init(bytes: [UInt8], range: Range<Int>) {
            self.bytes = bytes
            self.index = range.lowerBound
            self.end = range.upperBound
        }

        var atEnd: Bool { index >= end }

        func peek() -> UInt8? { index < end ? bytes[index] : nil }

        func error(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: index) }

        mutating func skipWhitespace() {
            while index < end, JSONText.isWhitespace(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            guard peek() == byte else {
                throw error("expected '\(Character(Unicode.Scalar(byte)))'")
            }
            index += 1
        }

        mutating func skipValue(depth: Int) throws {
            guard depth < JSONText.maxDepth else { throw error("nesting too deep") }
            guard let byte = peek() else { throw error("unexpected end of input") }
            switch byte {
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { index += 1; return }
                while true {
                    skipWhitespace()
                    try skipString()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    skipWhitespace()
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    if peek() == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "}"))
                    return
                }
            case UInt8(ascii: "["):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") { index += 1; return }
                while true {
                    skipWhitespace()
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    if peek() == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "]"))
                    return
                }
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "t"):
                try skipLiteral("true")
            case UInt8(ascii: "f"):
                try skipLiteral("false")
            case UInt8(ascii: "n"):
                try skipLiteral("null")
            default:
                try skipNumber()
            }
        }

        mutating func skipLiteral(_ literal: StaticString) throws {
            let count = literal.utf8CodeUnitCount
            guard end - index >= count else { throw error("truncated literal") }
            let matches = literal.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
            }
            guard matches else { throw error("invalid literal") }
            index += count
        }

        mutating func skipNumber() throws {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), isDigit(first) else { throw error("invalid number") }
            if first == UInt8(ascii: "0") {
                index += 1
            } else {
                while let byte = peek(), isDigit(byte) { index += 1 }
            }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard let byte = peek(), isDigit(byte) else { throw error("invalid fraction") }
                while let byte = peek(), isDigit(byte) { index += 1 }
            }
            if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                index += 1
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
                guard let byte = peek(), isDigit(byte) else { throw error("invalid exponent") }
                while let byte = peek(), isDigit(byte) { index += 1 }
            }
            if index == start { throw error("invalid number") }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func skipString() throws {
            try expect(UInt8(ascii: "\""))
            while true {
                guard let byte = peek() else { throw error("unterminated string") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return
                case UInt8(ascii: "\\"):
                    guard let escaped = peek() else { throw error("unterminated escape") }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        break
                    case UInt8(ascii: "u"):
                        _ = try hex4()
                    default:
                        throw error("invalid escape")
                    }
                case 0..<0x20:
                    throw error("control character in string")
                default:
                    break
                }
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard end - index >= 4 else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func decodeString() throws -> String {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while true {
                guard let byte = peek() else { throw error("unterminated string") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek() else { throw error("unterminated escape") }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        // A high surrogate followed by an escaped low surrogate forms one scalar;
                        // lone surrogates become U+FFFD rather than an error.
                        if (0xD800..<0xDC00).contains(code), end - index >= 6,
                           bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                            let saved = index
                            index += 2
                            let low = try hex4()
                            if (0xDC00..<0xE000).contains(low) {
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                index = saved
                            }
                        }
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default:
                        throw error("invalid escape")
                    }
                case 0..<0x20:
                    throw error("control character in string")
                default:
                    out.append(byte)
                }
            }
        }
    }
}
