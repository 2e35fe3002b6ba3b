#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CBridgePlugin

/// Reads the client's messages from the input descriptor (stdin) on its own thread,
/// detecting the framing from the first byte that is not whitespace.
struct StdioReader: Sendable {
    let input: Int32
    let client: StdioClient
    let limits: TransportLimits
    let stop: StopSignal

    private static let chunkBytes = 64 * 1024

    func run() {
        var decoder: (any MessageDecoder)?
        var buffer = [UInt8](repeating: 0, count: Self.chunkBytes)
        while waitForInput() {
            let (count, error) = buffer.withUnsafeMutableBytes { bytes -> (Int, Int32) in
                let result = read(input, bytes.baseAddress, bytes.count)
                return (result, errno)
            }
            if count > 0 {
                buffer.withUnsafeBytes { consume(UnsafeRawBufferPointer(rebasing: $0[..<count]), into: &decoder) }
            } else if count == 0 {
                finish(decoder, reason: "stdin closed")
                return
            } else if error != EINTR && error != EAGAIN {
                finish(decoder, reason: "stdin read failed: \(String(cString: strerror(error)))")
                return
            }
        }
    }

    /// Waits until the input has bytes, an end or an error; false once `stop` fired.
    private func waitForInput() -> Bool {
        var watched = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0)]
        while !stop.isFired {
            if poll(&watched, 2, -1) > 0 && watched[0].revents != 0 { return true }
        }
        return false
    }

    private func consume(_ chunk: UnsafeRawBufferPointer, into decoder: inout (any MessageDecoder)?) {
        var chunk = chunk
        if decoder == nil {
            guard let detected = Framing.detect(in: chunk) else { return }
            // Known before the first message reaches the host, so its reply is framed alike.
            client.inputFramingDetected(detected.framing)
            client.host.log(BRIDGE_LOG_INFO, "client framing: \(detected.framing == .contentLength ? "Content-Length headers" : "one JSON per line")")
            decoder = detected.framing.makeDecoder(maxMessageBytes: limits.maxMessageBytes)
            chunk = UnsafeRawBufferPointer(rebasing: chunk[detected.offset...])
        }
        decoder?.feed(chunk) { event in
            switch event {
            case .message(let message):
                client.deliver(message)
            case .oversize(let byteCount):
                client.host.log(BRIDGE_LOG_WARNING, "skipped a message of \(byteCount) bytes: over max_message_bytes (\(limits.maxMessageBytes))")
                client.reply(ProtocolErrorMessage.messageTooLarge(limit: limits.maxMessageBytes))
            case .framingError(let detail):
                client.host.log(BRIDGE_LOG_WARNING, "framing error on stdin (\(detail)); looking for the next Content-Length header")
                client.reply(ProtocolErrorMessage.framingError(detail: detail))
            }
        }
    }

    private func finish(_ decoder: (any MessageDecoder)?, reason: String) {
        if decoder?.hasIncompleteMessage == true {
            client.host.log(BRIDGE_LOG_WARNING, "stdin ended inside a message; the partial message was dropped")
        }
        // Output stays open: the host answers what it was asked before shutting down, so
        // `echo '{...}' | unicat-bridge run --stdio` gets its reply.
        client.inputEnded(reason)
    }
}
