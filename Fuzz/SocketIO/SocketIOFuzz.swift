/// The Engine.IO and Socket.IO packet decoders (Sources/SocketIOClient), fed a frame as
/// Unicat's feed would send it: events and acks carry a valid JSON array of arguments and
/// re-encode to a frame that decodes to the same packet. Also libwebsockets' log
/// redaction: nothing after a credential marker survives it.
@c(LLVMFuzzerTestOneInput)
public func socketIOFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let selector = input.byte()
    let frame = input.rest()
    if selector & 1 == 0 {
        decodeFrame(frame)
    } else {
        redact(String(decoding: frame, as: UTF8.self))
    }
    return 0
}

private func decodeFrame(_ frame: [UInt8]) {
    guard case .message(let payload)? = try? EngineIOPacket.decode(frame),
          let packet = try? SocketIOPacket.decode(frame, payload) else { return }
    switch packet {
    case .event(let namespace, let name, let arguments, let ackId):
        invariant(JSONText.isValid(arguments) && arguments.hasPrefix("["), "event arguments are not a JSON array: \(arguments)")
        guard namespace == "/", let encoded = try? SocketIOPacket.eventFrame(name: name, argumentsJSON: arguments, ackId: ackId) else {
            invariant(namespace != "/", "decoded event arguments do not encode again")
            return
        }
        invariant(decoded(encoded) == packet, "an event re-encoded as \(encoded) decodes to another packet")
    case .ack(let namespace, let id, let arguments):
        invariant(JSONText.isValid(arguments), "ack arguments are not JSON: \(arguments)")
        guard namespace == "/", let encoded = try? SocketIOPacket.ackFrame(id: id, argumentsJSON: arguments) else {
            invariant(namespace != "/", "decoded ack arguments do not encode again")
            return
        }
        guard case .ack(_, id, let again)? = decoded(encoded) else { fatalError("an ack re-encoded as \(encoded) decodes to another packet") }
        invariant(JSONText.isValid(again), "re-encoded ack arguments are not JSON")
    case .connect, .disconnect, .connectError:
        break
    }
}

private func decoded(_ frame: String) -> SocketIOPacket? {
    let bytes = Array(frame.utf8)
    guard case .message(let payload)? = try? EngineIOPacket.decode(bytes) else { return nil }
    return try? SocketIOPacket.decode(bytes, payload)
}

/// A secret placed after each marker never survives, wherever the line puts it: the line
/// is cut before the secret starts and ends with the mark.
private func redact(_ text: String) {
    let parts = text.split(separator: "\u{1}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 3, !parts[1].isEmpty else {
        let redacted = LogRedaction.redacted(text)
        invariant(LogRedaction.redacted(redacted) == redacted, "redacting twice changes the line")
        return
    }
    let (prefix, secret, suffix) = (parts[0], parts[1], parts[2])
    for marker in ["bearer.", "Bearer ", "token=", "authorization: = "] {
        let line = prefix + marker + secret + suffix
        let redacted = LogRedaction.redacted(line)
        let kept = redacted.utf8.dropLast(LogRedaction.mark.utf8.count)
        invariant(redacted.hasSuffix(LogRedaction.mark) && line.utf8.starts(with: kept)
                  && kept.count <= (prefix + marker).utf8.count, "a secret after \(marker) survives redaction: \(redacted)")
        invariant(LogRedaction.redacted(redacted) == redacted, "redacting twice changes the line")
    }
}
