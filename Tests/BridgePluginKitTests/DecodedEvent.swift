import BridgePluginKit

/// A `FrameEvent` copied out of its callback, for comparing in tests.
enum DecodedEvent: Equatable, CustomStringConvertible {
    case message(String)
    case oversize(Int)
    case framingError(String)

    var description: String {
        switch self {
        case .message(let text): "message(\(text.debugDescription))"
        case .oversize(let count): "oversize(\(count))"
        case .framingError(let detail): "framingError(\(detail))"
        }
    }
}

extension MessageDecoder {
    /// Feeds `chunks` in order and collects every event.
    mutating func decode(_ chunks: [String]) -> [DecodedEvent] {
        decode(chunks.map { Array($0.utf8) })
    }

    mutating func decode(_ chunks: [[UInt8]]) -> [DecodedEvent] {
        var events: [DecodedEvent] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { bytes in
                feed(bytes) { event in
                    switch event {
                    case .message(let message): events.append(.message(String(decoding: message, as: UTF8.self)))
                    case .oversize(let count): events.append(.oversize(count))
                    case .framingError(let detail): events.append(.framingError(detail))
                    }
                }
            }
        }
        return events
    }

    /// Feeds `text` one byte at a time (the worst split a pipe can produce).
    mutating func decodeBytewise(_ text: String) -> [DecodedEvent] {
        decode(text.utf8.map { [$0] })
    }
}
