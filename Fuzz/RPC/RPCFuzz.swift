import Dispatch

/// The JSON-RPC request decoder and router (Sources/BridgeCore/Protocol): every message,
/// however malformed, gets a well-formed JSON-RPC answer (or none, for notifications only):
/// `jsonrpc` "2.0", a result or an error, the request's own id, no more answers than
/// requests; `reject` answers the same way. The answer budget varies with the input's
/// length, so that answers past it are reached too.
@c(LLVMFuzzerTestOneInput)
public func rpcFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let message = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    let router = RPCRouter(methods: BridgeMethods())
    let handled = ReplyBox()
    let done = DispatchSemaphore(value: 0)
    Task {
        handled.reply = await router.handle(message, from: RequestSource(client: 1, maxAnswerBytes: 64 + message.count % 1024))
        done.signal()
    }
    done.wait()
    let parsed = try? JSONValue.parse(message, maxDepth: RPCRouter.maxNesting)
    if let bytes = handled.reply?.bytes { check(bytes, answering: parsed) }
    if let bytes = router.reject(message, with: .rateLimited("fuzz")).bytes { check(bytes, answering: parsed) }
    return 0
}

private final class ReplyBox: @unchecked Sendable {
    var reply: RPCRouter.Reply?
}

private func check(_ bytes: [UInt8], answering request: JSONValue?) {
    guard let reply = try? JSONValue.parse(bytes) else { fatalError("the reply is not JSON: \(String(decoding: bytes, as: UTF8.self))") }
    let responses = reply.arrayValue ?? [reply]
    if case .array(let requests)? = request, !requests.isEmpty, reply.arrayValue != nil {
        invariant(responses.count <= requests.count, "\(responses.count) answers to \(requests.count) requests")
    }
    for response in responses {
        invariant(response["jsonrpc"] == .string("2.0"), "an answer without \"jsonrpc\": \"2.0\"")
        invariant((response["result"] == nil) != (response["error"] == nil), "an answer needs a result or an error, not both")
        invariant(response["id"] != nil, "an answer without an id")
        if let error = response["error"] {
            invariant(error["code"]?.int64Value != nil && error["message"]?.stringValue != nil, "an error without code and message")
        }
    }
    if case .object(let members)? = request, let id = members["id"], reply.arrayValue == nil, reply["error"]?["code"] != .int(-32600) {
        invariant(reply["id"] == id, "the answer's id is not the request's")
    }
}
