/// Turns one incoming message into its response per JSON-RPC 2.0: single requests,
/// batches (answered as an array, notifications left out), and every malformed case with
/// its standard error. Never throws: bad input costs only the sender an error response.
public struct RPCRouter: Sendable {
    public static let maxNesting = 64
    public static let maxBatch = 100

    /// The reply to send (nil when nothing is due), and work to run after it is sent
    /// (e.g. replaying a resumed subscription after its `sync.subscribe` response).
    public struct Reply: Sendable {
        public var bytes: [UInt8]?
        public var followUps: [@Sendable () async -> Void]
    }

    private let methods: BridgeMethods

    public init(methods: BridgeMethods) {
        self.methods = methods
    }

    public func handle(_ message: [UInt8], client: UInt64) async -> Reply {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(message, maxDepth: Self.maxNesting)
        } catch {
            return Reply(bytes: encode(RPCMessage.error(id: .null, .parseError(error.description))), followUps: [])
        }
        if case .array(let elements) = parsed {
            guard !elements.isEmpty else {
                return Reply(bytes: encode(RPCMessage.error(id: .null, .invalidRequest("empty batch"))), followUps: [])
            }
            guard elements.count <= Self.maxBatch else {
                return Reply(bytes: encode(RPCMessage.error(id: .null, .invalidRequest("batch of more than \(Self.maxBatch) requests"))), followUps: [])
            }
            var responses: [JSONValue] = []
            var followUps: [@Sendable () async -> Void] = []
            for element in elements {
                let (response, followUp) = await handleOne(element, client: client)
                if let response { responses.append(response) }
                if let followUp { followUps.append(followUp) }
            }
            return Reply(bytes: responses.isEmpty ? nil : encode(.array(responses)), followUps: followUps)
        }
        let (response, followUp) = await handleOne(parsed, client: client)
        return Reply(bytes: response.map(encode), followUps: followUp.map { [$0] } ?? [])
    }

    private func handleOne(_ element: JSONValue, client: UInt64) async -> (JSONValue?, (@Sendable () async -> Void)?) {
        let request: RPCRequest
        switch RPCRequest.parse(element) {
        case .success(let valid): request = valid
        case .failure(let failure): return (RPCMessage.error(id: failure.id, failure.error), nil)
        }
        let outcome = await methods.call(request, client: client)
        guard let id = request.id else { return (nil, outcome.followUp) }
        switch outcome.result {
        case .success(let result): return (RPCMessage.response(id: id, result: result), outcome.followUp)
        case .failure(let error): return (RPCMessage.error(id: id, error), outcome.followUp)
        }
    }

    private func encode(_ value: JSONValue) -> [UInt8] { value.encodedBytes() }
}

extension RPCRouter {
    /// Answers every request in `message` with `error` without running any of them.
    public func reject(_ message: [UInt8], with error: RPCError) -> Reply {
        guard let parsed = try? JSONValue.parse(message, maxDepth: Self.maxNesting) else {
            return Reply(bytes: RPCMessage.error(id: .null, error).encodedBytes(), followUps: [])
        }
        let elements = parsed.arrayValue ?? [parsed]
        let responses = elements.compactMap { element -> JSONValue? in
            guard let id = element["id"] else { return nil }
            return RPCMessage.error(id: id, error)
        }
        if responses.isEmpty { return Reply(bytes: nil, followUps: []) }
        let body: JSONValue = parsed.arrayValue == nil ? responses[0] : .array(responses)
        return Reply(bytes: body.encodedBytes(), followUps: [])
    }
}
