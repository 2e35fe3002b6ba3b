extension BridgeStore {
    /// Which of `keys` the upstream said recently do not exist (no commit named them since),
    /// and the generation at which an answer asked for now is to be remembered.
    public func knownMissing(_ dataType: String, among keys: [String]) -> (missing: Set<String>, generation: UInt64) {
        missingKeyCache.withLock { ($0.missing(dataType, among: keys), $0.generation) }
    }

    /// Remembers what the upstream said, to a request begun at `generation`, does not exist.
    public func rememberMissing(_ dataType: String, _ keys: [String], askedAt generation: UInt64) {
        guard !keys.isEmpty else { return }
        missingKeyCache.withLock { $0.remember(dataType, keys, askedAt: generation) }
    }
}
