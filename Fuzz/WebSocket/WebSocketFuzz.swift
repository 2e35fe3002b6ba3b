import BridgePluginKit
import Foundation
import WebSocketCredentials

/// What the WebSocket transport (Plugins/WebSocketTransport) reads from clients and its
/// configuration, chosen by the first byte:
/// 0. a request: query, Origin, Authorization and subprotocol headers, feed query; an origin
///    that parses reads back as itself, a feed request writes a JSON-RPC sync.subscribe;
/// 1. a bearer token against an HMAC secret, and a token minted for a fuzzed subject verifies;
/// 2. the transport's configuration section as JSON;
/// 3. frames joined into messages, never one over the limit.
@c(LLVMFuzzerTestOneInput)
public func webSocketFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    switch input.byte() % 4 {
    case 0: request(input.fields())
    case 1: token(input.rest())
    case 2: configuration(input.rest())
    default: frames(&input)
    }
    return 0
}

private func request(_ fields: [String]) {
    func field(_ index: Int) -> String? { index < fields.count && !fields[index].isEmpty ? fields[index] : nil }
    let request = HTTPRequest(path: field(0) ?? "/", queryArguments: (field(1) ?? "").split(separator: "&").map(String.init),
                              origin: field(2), authorization: field(3), subprotocolHeader: field(4), peerAddress: "127.0.0.1")
    _ = request.bearerToken
    if request.offersBridgeSubprotocol, let header = request.subprotocolHeader {
        invariant(header.utf8.count <= 126 && firstLWSToken(header) == "unicat-bridge", "a subprotocol list lws would drop passes: \(header)")
    }
    if let feed = FeedRequest(query: request.query) {
        let message = try? JSONSerialization.jsonObject(with: Data(feed.message())) as? [String: Any]
        invariant(message?["method"] as? String == "sync.subscribe", "a feed request does not write a sync.subscribe")
    }
    let listener = ListenerOrigins(listening: [ListenAddress(host: "127.0.0.1", port: 8080, isIPv6: false)], isTLS: false,
                                   interfaceAddresses: [])
    _ = OriginPolicy(allowedOrigins: field(5).map { [$0] } ?? []).permits(origin: request.origin, own: listener)
    if let text = request.origin, let origin = WebOrigin(parsing: text) {
        invariant(WebOrigin(parsing: "\(origin.scheme)://\(origin.host):\(origin.port)") == origin, "\(text) does not read back as itself")
    }
}

private func token(_ bytes: [UInt8]) {
    let verifier = HMACToken(secret: Array("a secret of at least thirty-two bytes, for fuzzing".utf8))
    _ = verifier.subject(of: bytes, now: 1_700_000_000)
    let subject = bytes.filter(HMACToken.isSubjectByte).prefix(HMACToken.maxSubjectLength)
    guard !subject.isEmpty else { return }
    let payload = Array("v1.1800000000.".utf8) + subject
    guard let mac = verifier.signature(of: payload) else { return }
    let minted = payload + [UInt8(ascii: ".")] + mac
    invariant(verifier.subject(of: minted, now: 1_700_000_000) == String(decoding: subject, as: UTF8.self),
              "a freshly minted token does not verify")
    invariant(verifier.subject(of: minted, now: 1_900_000_000) == nil, "an expired token verifies")
    invariant(verifier.mint(subject: String(decoding: subject, as: UTF8.self), expiry: 1_800_000_000)
              == String(decoding: minted, as: UTF8.self), "mint disagrees with the format the verifier reads")
}

private func configuration(_ bytes: [UInt8]) {
    guard let configuration = try? PluginConfiguration.decode(WebSocketConfiguration.self, from: String(decoding: bytes, as: UTF8.self)) else { return }
    invariant(!configuration.listen.isEmpty && configuration.idleTimeoutSeconds > configuration.pingIntervalSeconds,
              "a configuration the transport should refuse decodes")
}

private func frames(_ input: inout FuzzInput) {
    let limit = 1 + Int(input.byte()) * 4
    var assembler = MessageAssembler(limit: limit)
    var inMessage = false
    for _ in 0..<64 {
        let flags = input.byte()
        let bytes = (0..<Int(input.byte() % 64)).map { _ in input.byte() }
        let remaining = Int(flags >> 4)
        let isFinal = flags & 1 != 0 && remaining == 0
        var ended = false
        bytes.withUnsafeBytes { buffer in
            let piece = MessageAssembler.Piece(bytes: buffer, isFirst: !inMessage, isFinal: isFinal, isBinary: flags & 2 != 0,
                                               remainingInFrame: remaining)
            assembler.append(piece) { event in
                switch event {
                case .message(let message):
                    invariant(message.count <= limit, "a \(message.count)-byte message passed the \(limit)-byte limit")
                case .tooLarge, .binary:
                    ended = true
                }
            }
        }
        if ended { return }
        inMessage = !isFinal
    }
}

/// The first name libwebsockets 4.1 reads from a `Sec-WebSocket-Protocol` list (its
/// tokenizer with RFC 7230 delimiters, `-` and `.` inside names), as plain as possible.
private func firstLWSToken(_ header: String) -> String {
    let delimiters = Set("(),/:;<=>?@[\\]{}\"".utf8)
    let bytes = Array(header.utf8).drop { $0 == 0x20 || $0 == 0x09 }
    let token = bytes.prefix { $0 != 0x20 && $0 != 0x09 && !delimiters.contains($0) }
    return String(decoding: token, as: UTF8.self)
}
