import BridgeTestSupport
import Testing
@testable import BridgeCore

/// `unicat.get` of held objects is served from memory, never older than the last commit.
@Suite struct HeldObjectCacheTests {
    func store(_ directory: TemporaryDirectory) throws -> BridgeStore {
        let store = try BridgeStore(directory: directory.file("state").path, journalLimit: 100)
        _ = try store.startEpoch("e1", project: "p", initResponse: UnicatResponse(result: ["cc.cursor": 0, "cursor": 0], data: [:]))
        return store
    }

    func commit(_ store: BridgeStore, cursor: Int64, upsert: [String: JSONValue] = [:], delete: [String] = []) throws {
        var changes = StoreChanges()
        for (key, object) in upsert { changes.upsert(MirrorKey("records", key), object) }
        for key in delete { changes.delete(MirrorKey("records", key)) }
        changes.entries.append((SyncItem(stream: .project, cursor: cursor, action: delete.isEmpty ? "UPDATE" : "DELETE",
                                         dataType: "records", dataKey: (upsert.keys.first ?? delete.first) ?? ""),
                                SyncCursors(cc: 0, project: cursor)))
        _ = try store.commit(changes, epoch: "e1")
    }

    func held(_ store: BridgeStore, _ keys: [String]) throws -> [String: String] {
        guard case .within(let objects) = try store.heldObjects("records", keys: keys, maxBytes: 1 << 20) else { return [:] }
        return objects.mapValues { $0.encodedString() }
    }

    @Test func aCommitReplacesWhatWasServedFromMemory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try store(directory)
        try commit(store, cursor: 1, upsert: ["r1": ["title": "one"], "r2": ["title": "two"]])
        #expect(try held(store, ["r1", "r2"]) == ["r1": #"{"title":"one"}"#, "r2": #"{"title":"two"}"#])
        #expect(try held(store, ["r1"]) == ["r1": #"{"title":"one"}"#], "from memory now")
        try commit(store, cursor: 2, upsert: ["r1": ["title": "one, changed"]])
        #expect(try held(store, ["r1", "r2"]) == ["r1": #"{"title":"one, changed"}"#, "r2": #"{"title":"two"}"#])
        try commit(store, cursor: 3, delete: ["r2"])
        #expect(try held(store, ["r1", "r2"]) == ["r1": #"{"title":"one, changed"}"#])
        _ = try store.startEpoch("e2", project: "p", initResponse: UnicatResponse(result: ["cc.cursor": 0, "cursor": 0], data: [:]))
        #expect(try held(store, ["r1"]).isEmpty)
    }

    @Test func aReadThatACommitOverlappedDoesNotFillTheCache() {
        var cache = HeldObjectCache()
        let readBegan = cache.generation
        cache.committed(changing: [MirrorKey("records", "r1")])
        cache.fill("records", ["r1": Array(#"{"old":true}"#.utf8)], readAt: readBegan)
        #expect(cache.objects("records", keys: ["r1"]) == nil)
        cache.fill("records", ["r1": Array(#"{"new":true}"#.utf8)], readAt: cache.generation)
        #expect(cache.objects("records", keys: ["r1"]) == ["r1": Array(#"{"new":true}"#.utf8)])
    }

    @Test func itKeepsToItsByteBound() {
        var cache = HeldObjectCache()
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: HeldObjectCache.maxBytes / 2 + 1)
        cache.fill("records", ["a": big], readAt: cache.generation)
        cache.fill("records", ["b": big], readAt: cache.generation)
        #expect(cache.objects("records", keys: ["a"]) == nil && cache.objects("records", keys: ["b"]) != nil)
        // One larger than the whole bound is not kept, and costs the others nothing.
        cache.fill("records", ["huge": big + big], readAt: cache.generation)
        #expect(cache.objects("records", keys: ["huge"]) == nil && cache.objects("records", keys: ["b"]) != nil)
    }
}
