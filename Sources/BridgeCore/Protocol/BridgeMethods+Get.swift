extension BridgeMethods {
    /// `unicat.get`: objects from the mirror, fetched from Unicat (once, shared) when not held;
    /// keys Unicat does not know are `missing` (and, for a while, not asked again: see
    /// `MissingKeyCache`), keys it refused (or could not be asked
    /// about, or that the client's upstream budget did not cover) are reported one by one in
    /// `errors`. Mirror objects that would not fit `answerBudget` are refused before they
    /// are read.
    func get(_ params: JSONValue, from source: RequestSource, answerBudget: Int) async throws -> JSONValue {
        let params = try RPCParams(params, allowed: ["data_type", "key", "keys"])
        let dataType = try params.requiredString("data_type")
        var keys: [String]
        if let single = try params.string("key") {
            keys = [single]
        } else if let list = try params.strings("keys", maxCount: Self.maxKeysPerGet) {
            keys = list
        } else {
            throw RPCError.invalidParams("\"key\" or \"keys\" is required")
        }
        keys = Array(Set(keys)).sorted()
        guard session.store.initDataTypes.contains(dataType) || session.fetcher.canFetch(dataType) else {
            throw RPCError.invalidParams("unknown data_type \"\(dataType)\"")
        }
        _ = try await readyPosition()
        // Before the mirror is read: a commit from here on keeps this fetch's answers from being remembered.
        let (knownMissing, generation) = session.store.knownMissing(dataType, among: keys)
        var objects: [String: JSONValue]
        switch try session.store.heldObjects(dataType, keys: keys, maxBytes: answerBudget) {
        case .within(let held): objects = held
        case .tooLarge(let bytes):
            throw RPCError.answerTooLarge("the \(dataType) held for these \(keys.count) keys are \(bytes) bytes, more than the "
                                          + "\(answerBudget) this message's answer may still take; ask for fewer keys at a time")
        }
        var errors: [String: JSONValue] = [:]
        let absent = keys.filter { objects[$0] == nil && !knownMissing.contains($0) }
        if !absent.isEmpty, session.fetcher.canFetch(dataType) {
            let allowance = UpstreamAllowance(limit: Self.maxUpstreamRequestsPerGet, rate: source.upstream, purpose: "this unicat.get")
            var gone: [String] = []
            for (key, outcome) in try await session.fetcher.fetch(dataType, keys: absent, allowance: allowance) {
                switch outcome {
                case .present(let object): objects[key] = object
                case .gone: gone.append(key)
                case .failed(let error): errors[key] = RPCError.reporting(error).json
                }
            }
            session.store.rememberMissing(dataType, gone, askedAt: generation)
        }
        return [
            "data_type": .string(dataType),
            "objects": .object(objects),
            "missing": .array(keys.filter { objects[$0] == nil && errors[$0] == nil }.map { .string($0) }),
            "errors": .object(errors),
        ]
    }
}
