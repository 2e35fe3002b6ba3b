import BridgePluginKit

/// NDJSON and Content-Length framing (Sources/BridgePluginKit): the stream is cut into
/// chunks at fuzzer-chosen places, and must decode exactly as it does in one piece, with
/// no message over the limit. A Content-Length message re-framed decodes to itself.
@c(LLVMFuzzerTestOneInput)
public func framingFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let control = input.byte()
    let framing: Framing = control & 1 == 0 ? .ndjson : .contentLength
    let limit = 1 + Int(control >> 1) * 8
    let chunkSeed = Int(input.byte())
    let stream = input.rest()

    let whole = decode(framing, limit, stream, chunks: [stream.count])
    var chunks: [Int] = []
    var offset = 0
    while offset < stream.count {
        let length = min(1 + (chunkSeed + chunks.count * 7) % 64, stream.count - offset)
        chunks.append(length)
        offset += length
    }
    let pieces = decode(framing, limit, stream, chunks: chunks)
    invariant(whole == pieces, "\(framing) decodes differently in chunks \(chunks)")
    for case .message(let message) in whole {
        invariant(message.count <= limit, "a \(message.count)-byte message passed the \(limit)-byte limit")
        if framing == .ndjson {
            invariant(!message.contains(UInt8(ascii: "\n")), "an NDJSON message holds a newline")
        } else {
            let again = decode(framing, limit, framing.encode(SharedMessage(bytes: message)), chunks: nil)
            invariant(again == [.message(message)], "a re-framed message decodes to \(again)")
        }
    }
    return 0
}

/// A decoder's events, comparable.
private enum Event: Equatable {
    case message([UInt8])
    case oversize(Int)
    case framingError(String)
}

/// Events of `stream` fed in `chunks` (lengths; nil: in one piece).
private func decode(_ framing: Framing, _ limit: Int, _ stream: [UInt8], chunks: [Int]?) -> [Event] {
    var decoder = framing.makeDecoder(maxMessageBytes: limit)
    var events: [Event] = []
    stream.withUnsafeBytes { all in
        var offset = 0
        for length in chunks ?? [all.count] {
            decoder.feed(UnsafeRawBufferPointer(rebasing: all[offset..<offset + length])) { event in
                switch event {
                case .message(let bytes): events.append(.message(Array(bytes)))
                case .oversize(let count): events.append(.oversize(count))
                case .framingError(let reason): events.append(.framingError(reason))
                }
            }
            offset += length
        }
    }
    return events
}
