extension UnicatUpstream {
    /// Fetches `keys` with one request. Unicat refuses a plural request whole when one key
    /// is unknown or forbidden, so such an answer splits the batch until every refused key
    /// stands alone and the others are still had. When the refusal names one of the keys
    /// (its `info`, e.g. `{"record": "<gid>"}`), that key is settled and the rest asked
    /// again together: one request per refused key. Otherwise the batch is halved while it
    /// is large (a few refused keys among many cost few requests), then asked one by one
    /// (which costs no more for a handful, and bounds the cost when most keys are refused).
    public func fetchObjects(_ dataType: String, keys: [String], allowance: UpstreamAllowance?) async -> [String: FetchedObject] {
        guard let spec = ObjectFetchSpec.spec(for: dataType) else { return [:] }
        var batch: [String: FetchedObject] = [:]
        var parts = [keys]
        while let part = parts.popLast() {
            if let exhausted = allowance?.take() {
                for key in part { batch[key] = .failed(exhausted) }
                continue
            }
            do {
                let objects = spec.objects(in: try await client.call(spec.endpoint, spec.body(for: part), coalesced: false))
                for key in part { batch[key] = objects[key].map { .present($0) } ?? .gone }
            } catch let error as UnicatError where Self.mayConcernSomeKeys(error) {
                guard part.count > 1 else {
                    batch[part[0]] = outcome(of: error, for: part[0], spec)
                    continue
                }
                if let named = Self.key(namedBy: error, among: part) {
                    batch[named] = outcome(of: error, for: named, spec)
                    parts.append(part.filter { $0 != named })
                    continue
                }
                let half = part.count / 2
                parts += part.count > Self.largestBatchAskedOneByOne ? [Array(part[..<half]), Array(part[half...])] : part.map { [$0] }
            } catch {
                // A 5xx, 429 or no answer after the client's retries: nothing is known of any key.
                for key in part { batch[key] = .failed(error) }
            }
        }
        return batch
    }

    /// What a refusal about `key` alone means for it.
    private func outcome(of error: UnicatError, for key: String, _ spec: ObjectFetchSpec) -> FetchedObject {
        if error.isUnprocessable { return .gone }
        logger.debug("Unicat refused \(spec.endpoint) for \(key): \(error)")
        return .failed(error)
    }

    /// The one key of `keys` a refusal's `info` names, if it names exactly one.
    private static func key(namedBy error: UnicatError, among keys: [String]) -> String? {
        guard let values = error.info.objectValue?.values else { return nil }
        let named = Set(values.compactMap(\.stringValue)).intersection(keys)
        return named.count == 1 ? named.first : nil
    }

    private static let largestBatchAskedOneByOne = 8

    /// Answers that may be about some of the keys (unknown, forbidden, invalid), so asking
    /// for fewer keys can tell them apart; 401 and 429 are about the session.
    private static func mayConcernSomeKeys(_ error: UnicatError) -> Bool {
        error.isUnprocessable || ((400..<500).contains(error.httpStatus) && error.httpStatus != 401 && error.httpStatus != 429)
    }
}
