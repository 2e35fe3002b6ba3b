/// Turns one incoming message into its response per JSON-RPC 2.0: single requests,
/// batches (answered as an array, notifications left out), and every malformed case with
/// its standard error. Never throws: bad input costs only the sender an error response.
/// The answer to one message is bounded in size (`RequestSource.maxAnswerBytes`).
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

    public func handle(_ message: [UInt8], from source: RequestSource) async -> Reply {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(message, maxDepth: Self.maxNesting)
        } catch {
            return Reply(bytes: RPCMessage.error(id: .null, .parseError(error.description)).encodedBytes(), followUps: [])
        }
        var budget = AnswerBudget(limit: source.maxAnswerBytes)
        guard case .array(let elements) = parsed else {
            let (response, followUp) = await handleOne(parsed, from: source, budget: &budget)
            return Reply(bytes: response, followUps: followUp.map { [$0] } ?? [])
        }
        guard !elements.isEmpty else {
            return Reply(bytes: RPCMessage.error(id: .null, .invalidRequest("empty batch")).encodedBytes(), followUps: [])
        }
        guard elements.count <= Self.maxBatch else {
            return Reply(bytes: RPCMessage.error(id: .null, .invalidRequest("batch of more than \(Self.maxBatch) requests")).encodedBytes(),
                         followUps: [])
        }
        var responses: [[UInt8]] = []
        var followUps: [@Sendable () async -> Void] = []
        for element in elements {
            let (response, followUp) = await handleOne(element, from: source, budget: &budget)
            if let response { responses.append(response) }
            if let followUp { followUps.append(followUp) }
        }
        guard !responses.isEmpty else { return Reply(bytes: nil, followUps: followUps) }
        // The responses are encoded already: join them into the batch's array.
        var array: [UInt8] = [UInt8(ascii: "[")]
        array.reserveCapacity(responses.reduce(2) { $0 + $1.count + 1 })
        for (index, response) in responses.enumerated() {
            if index > 0 { array.append(UInt8(ascii: ",")) }
            array.append(contentsOf: response)
        }
        array.append(UInt8(ascii: "]"))
        return Reply(bytes: array, followUps: followUps)
    }

    /// One request's encoded response (nil for a notification). A response that would
    /// overspend the answer's budget is replaced by an error (except for methods whose
    /// answer the client must get, see `BridgeMethods.alwaysAnswered`), and from then on
    /// the batch's requests are not run.
    private func handleOne(_ element: JSONValue, from source: RequestSource,
                           budget: inout AnswerBudget) async -> ([UInt8]?, (@Sendable () async -> Void)?) {
        let request: RPCRequest
        switch RPCRequest.parse(element) {
        case .success(let valid): request = valid
        case .failure(let failure): return (RPCMessage.error(id: failure.id, failure.error).encodedBytes(), nil)
        }
        guard budget.remaining > 0 else {
            let error = RPCError.answerTooLarge("not run: the answer to this message reached its limit of \(budget.limit) bytes")
            return (request.id.map { RPCMessage.error(id: $0, error).encodedBytes() }, nil)
        }
        let outcome = await methods.call(request, from: source, answerBudget: budget.remaining)
        guard let id = request.id else { return (nil, outcome.followUp) }
        let response: [UInt8]
        switch outcome.result {
        case .success(let result):
            response = RPCMessage.response(id: id, result: result).encodedBytes()
        case .failure(let error):
            response = RPCMessage.error(id: id, error).encodedBytes()
            // A method refused an answer it could tell would not fit: the rest of a batch
            // is not run either, as after an answer that did not fit.
            if error.code == RPCError.answerTooLargeCode {
                budget.spendAll()
                return (response, outcome.followUp)
            }
        }
        if budget.admit(response.count) { return (response, outcome.followUp) }
        let left = budget.remaining
        budget.spendAll()
        if BridgeMethods.alwaysAnswered.contains(request.method) { return (response, outcome.followUp) }
        let error = RPCError.answerTooLarge(
            "the answer is \(response.count) bytes, more than the \(left) left of this message's limit of \(budget.limit) bytes "
                + "(the request was carried out; ask for less at a time)")
        return (RPCMessage.error(id: id, error).encodedBytes(), outcome.followUp)
    }
}

/// The bytes one message's answer may still take.
struct AnswerBudget {
    let limit: Int
    private(set) var used = 0

    var remaining: Int { max(0, limit - used) }

    /// Counts `count` bytes if they fit.
    mutating func admit(_ count: Int) -> Bool {
        guard count <= remaining else { return false }
        used += count
        return true
    }

    /// Nothing more goes in: the rest of a batch is not run.
    mutating func spendAll() { used = limit }
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
