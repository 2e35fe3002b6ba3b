import Locking
import Testing
@testable import BridgeCore

/// Keys the upstream said do not exist are not asked for again, and never kept past what
/// could have changed them.
@Suite struct MissingKeyCacheTests {
    let start = MonotonicDeadline.now

    @Test func aMissingKeyIsKeptUntilACommitNamesIt() {
        var cache = MissingKeyCache()
        cache.remember("records", ["r1", "r2"], askedAt: cache.generation, now: start)
        #expect(cache.missing("records", among: ["r1", "r2", "r3"], now: start) == ["r1", "r2"])
        #expect(cache.missing("assets", among: ["r1"], now: start).isEmpty, "per data type")
        cache.committed(naming: [MirrorKey("records", "r1")])
        #expect(cache.missing("records", among: ["r1", "r2"], now: start) == ["r2"])
        cache.removeAll()
        #expect(cache.missing("records", among: ["r2"], now: start).isEmpty, "a new epoch forgets everything")
    }

    @Test func anAnswerACommitOverlappedIsNotRemembered() {
        var cache = MissingKeyCache()
        let asked = cache.generation
        cache.committed(naming: [MirrorKey("records", "other")])
        cache.remember("records", ["r1"], askedAt: asked, now: start)
        #expect(cache.missing("records", among: ["r1"], now: start).isEmpty)
    }

    @Test func aMissingKeyIsForgottenAfterTheRetention() {
        var cache = MissingKeyCache()
        cache.remember("records", ["r1"], askedAt: cache.generation, now: start)
        let later = start.adding(seconds: MissingKeyCache.retentionSeconds + 1)
        #expect(cache.missing("records", among: ["r1"], now: start.adding(seconds: 1)) == ["r1"])
        #expect(cache.missing("records", among: ["r1"], now: later).isEmpty)
        cache.remember("records", ["r2"], askedAt: cache.generation, now: later)
        #expect(cache.count == 1, "expired keys go as new ones come")
    }

    @Test func theCacheIsBoundedAndTheOldestGoFirst() {
        var cache = MissingKeyCache()
        let keys = (0..<(MissingKeyCache.maxKeys + 10)).map { "k\($0)" }
        cache.remember("records", keys, askedAt: cache.generation, now: start)
        #expect(cache.count == MissingKeyCache.maxKeys)
        #expect(cache.missing("records", among: ["k0", "k9"], now: start).isEmpty)
        #expect(cache.missing("records", among: ["k10", keys[keys.count - 1]], now: start).count == 2)
        // The same keys again and again do not grow it either.
        for _ in 0..<3 { cache.remember("records", keys.suffix(1000), askedAt: cache.generation, now: start) }
        #expect(cache.count == MissingKeyCache.maxKeys)
    }
}
