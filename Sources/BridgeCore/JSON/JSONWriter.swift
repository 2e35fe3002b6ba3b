import Foundation

extension JSONValue {
    /// Compact UTF-8 JSON text, keys sorted so equal values encode to equal bytes.
    public func encodedBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    public func encoded() -> Data {
        Data(encodedBytes())
    }

    public func encodedString() -> String {
        String(decoding: encodedBytes(), as: UTF8.self)
    }
}

/// Writes a JSONValue as compact JSON: no whitespace, object keys in ascending order (the
/// order of Swift's `<` on strings, by Unicode scalar), number literals verbatim, `/` as is,
/// control characters escaped, everything else as raw UTF-8. Recursive: values come from
/// the depth-limited parser or from code.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    static let largePiece = 64 * 1024

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let number): write(number)
        case .double(let number): write(number)
        case .number(let literal): bytes.append(contentsOf: literal.utf8)
        case .encoded(let text):
            // A large piece (a cached `unicat.init`) is most of the message: room for it and
            // what may follow, so the array is not grown (copied) again after it.
            if text.count > Self.largePiece { bytes.reserveCapacity(bytes.count + text.count + Self.largePiece) }
            bytes.append(contentsOf: text)
        case .string(let text): write(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (position, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                write(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ word: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    private mutating func write(_ number: Int64) {
        if number >= 0, number < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        // Digits backwards into a stack buffer: 19 digits and a sign at most.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = number.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Swift's shortest round-trip form, which always reads back as a float (`469.0`,
    /// `1e+300`). JSON has no NaN or infinity: those become null.
    private mutating func write(_ number: Double) {
        guard number.isFinite else { return append("null") }
        bytes.append(contentsOf: number.description.utf8)
    }

    private mutating func write(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Copy runs that need no escaping in one go.
            var runStart = 0
            var position = 0
            while position < utf8.count {
                position = JSONPlainRun.skip(UnsafeRawBufferPointer(utf8), from: position).end
                guard position < utf8.count else { break }
                let byte = utf8[position]
                position += 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position - 1]))
                runStart = position
                switch byte {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                case 0x08: append("\\b")
                case 0x0C: append("\\f")
                default:
                    append("\\u00")
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
