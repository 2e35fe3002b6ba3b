#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CBridgePlugin

/// Writes the client's queued messages to the output descriptor (stdout) on its own
/// thread, each one whole, in the client's framing.
struct StdioWriter: Sendable {
    let output: OutputChannel
    let client: StdioClient
    let stop: StopSignal

    func run() {
        // A reader that went away must show up as EPIPE here, not as a SIGPIPE that ends
        // the bridge: SIGPIPE from write() is sent to the writing thread, blocked below.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

        while true {
            switch client.outbox.take(until: nil) {
            case .message(let message, _):
                let framed = client.outputFraming.encode(message)
                switch output.writeAll(framed, stop: stop, deadline: { client.closeDeadline }) {
                case .written:
                    break
                case .stopped:
                    return
                case .timedOut:
                    client.host.log(BRIDGE_LOG_WARNING, "stdout did not take the queued messages within close_timeout_seconds; closing it")
                    client.outbox.discardAll()
                case .failed(let reason):
                    client.host.log(BRIDGE_LOG_WARNING, reason)
                    client.outbox.discardAll()
                    output.detach()
                    client.end(reason)
                    return
                }
            case .timedOut:
                break
            case .finished:
                // Drained after a close or the end of stdin (or discarded by stop).
                if !stop.isFired {
                    output.detach()
                    client.end(client.closeReason ?? "stdin closed")
                }
                return
            }
        }
    }
}
