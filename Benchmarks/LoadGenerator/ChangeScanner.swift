/// Reads just enough of a bridge message to check ordering and measure latency, without a
/// JSON parse: the kind of message, and each item's stream and cursor.
///
/// It relies on the bridge's encoding (compact JSON, keys sorted): an item's `position`
/// object is followed by its `"type"`, while the notification's own `position` is not.
/// The references (the Python relay, the mirror sender) write the same shape.
enum ChangeScanner {
    enum Kind: Sendable {
        case changes
        case reset
        case response
        case other
    }

    /// The last position object in a message (a notification's own, or a response's).
    struct Position {
        var ccCursor: Int64
        var cursor: Int64
        var epoch: UnsafeRawBufferPointer
    }

    static func kind(of bytes: UnsafeRawBufferPointer) -> Kind {
        let limit = min(bytes.count, 96)
        let head = UnsafeRawBufferPointer(rebasing: bytes[0..<limit])
        if let start = ByteSearch.find(methodMarker, in: head, from: 0) {
            let at = start + methodMarker.count
            if matches(changesName, in: head, at: at) { return .changes }
            if matches(resetName, in: head, at: at) { return .reset }
            return .other
        }
        return ByteSearch.find(idMarker, in: head, from: 0) == nil ? .other : .response
    }

    /// Calls `item` for every item in order; returns the message's last position.
    @discardableResult
    static func scanItems(_ bytes: UnsafeRawBufferPointer, item: (SyncStream, Int64) -> Void) -> Position? {
        var last: Position?
        var index = 0
        while let start = ByteSearch.find(positionMarker, in: bytes, from: index) {
            index = start + positionMarker.count
            guard let (position, end) = parsePosition(bytes, from: index) else { continue }
            index = end
            last = position
            if let stream = itemStream(bytes, after: end) {
                item(stream, stream == .project ? position.cursor : position.ccCursor)
            }
        }
        return last
    }

    // MARK: - Pieces

    private static let methodMarker = Array(#""method":""#.utf8)
    private static let idMarker = Array(#""id":"#.utf8)
    private static let changesName = Array(#"sync.changes""#.utf8)
    private static let resetName = Array(#"sync.reset""#.utf8)
    private static let positionMarker = Array(#""position":{"#.utf8)
    private static let typeKey = Array(#""type""#.utf8)
    private static let projectValue = Array(#"project""#.utf8)
    private static let ccValue = Array(#"cc""#.utf8)

    /// `{"cc_cursor":N,"cursor":N,"epoch":"…"}` from just after its `{`, in any key order.
    private static func parsePosition(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (Position, Int)? {
        var ccCursor: Int64?
        var cursor: Int64?
        var epoch: UnsafeRawBufferPointer?
        var index = start
        while true {
            index = skipSpace(bytes, index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { break }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard let (key, afterKey) = string(bytes, at: index) else { return nil }
            index = skipSpace(bytes, afterKey)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index = skipSpace(bytes, index + 1)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                guard let (value, afterValue) = string(bytes, at: index) else { return nil }
                if equals(key, "epoch") { epoch = value }
                index = afterValue
            } else {
                guard let (value, afterValue) = integer(bytes, at: index) else { return nil }
                if equals(key, "cursor") { cursor = value } else if equals(key, "cc_cursor") { ccCursor = value }
                index = afterValue
            }
        }
        guard let ccCursor, let cursor, let epoch else { return nil }
        return (Position(ccCursor: ccCursor, cursor: cursor, epoch: epoch), index + 1)
    }

    /// The stream of the item whose position ends at `index`: `,"type":"project"` follows it.
    private static func itemStream(_ bytes: UnsafeRawBufferPointer, after index: Int) -> SyncStream? {
        var at = skipSpace(bytes, index)
        guard at < bytes.count, bytes[at] == UInt8(ascii: ",") else { return nil }
        at = skipSpace(bytes, at + 1)
        guard matches(typeKey, in: bytes, at: at) else { return nil }
        at = skipSpace(bytes, at + typeKey.count)
        guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
        at = skipSpace(bytes, at + 1)
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
        if matches(projectValue, in: bytes, at: at + 1) { return .project }
        if matches(ccValue, in: bytes, at: at + 1) { return .cc }
        return nil
    }

    /// A JSON string's contents (escapes left as they are) and the index after its quote.
    private static func string(_ bytes: UnsafeRawBufferPointer, at start: Int) -> (UnsafeRawBufferPointer, Int)? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { return nil }
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return (UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<index]), index + 1)
            default: index += 1
            }
        }
        return nil
    }

    private static func integer(_ bytes: UnsafeRawBufferPointer, at start: Int) -> (Int64, Int)? {
        var index = start
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        let digitsStart = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > digitsStart else { return nil }
        return (negative ? -value : value, index)
    }

    private static func skipSpace(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return index
            }
        }
        return index
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return bytes.elementsEqual(expected)
    }

    private static func matches(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer, at start: Int) -> Bool {
        guard start >= 0, start + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count where bytes[start + offset] != pattern[offset] { return false }
        return true
    }
}
