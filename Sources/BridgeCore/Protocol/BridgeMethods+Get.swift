extension BridgeMethods {
    /// `unicat.get`: objects from the mirror, fetched from Unicat (once, shared) when not held;
    /// keys Unicat does not know are `missing`, keys it refused (or could not be asked
    /// about) are reported one by one in `errors`.
    func get(_ params: JSONValue) async throws -> JSONValue {
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
        guard BridgeStore.initDataTypes.contains(dataType) || ObjectFetcher.canFetch(dataType) else {
            throw RPCError.invalidParams("unknown data_type \"\(dataType)\"")
        }
        _ = try await readyPosition()
        var objects = try session.store.objects(dataType, keys: keys)
        var errors: [String: JSONValue] = [:]
        let absent = keys.filter { objects[$0] == nil }
        if !absent.isEmpty, ObjectFetcher.canFetch(dataType) {
            for (key, outcome) in try await session.fetcher.fetch(dataType, keys: absent) {
                switch outcome {
                case .present(let object): objects[key] = object
                case .gone: break
                case .failed(let error): errors[key] = RPCError.reporting(error).json
                }
            }
        }
        return [
            "data_type": .string(dataType),
            "objects": .object(objects),
            "missing": .array(keys.filter { objects[$0] == nil && errors[$0] == nil }.map { .string($0) }),
            "errors": .object(errors),
        ]
    }
}
