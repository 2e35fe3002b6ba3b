extension Hub {
    /// Catch-ups read the journal and the mirror here, not on the hub: a page read from
    /// SQLite and parsed takes milliseconds that live fan-out must not wait behind.
    static let storageReads = DedicatedExecutor(name: "hub-reads", threadCount: 1)

    struct JournalPageRead: Hashable {
        let epoch: String
        let after: Int64
        let limit: Int
    }

    /// Journal entries after `sequence` (at most `limit`), read off the hub; catch-ups of
    /// `epoch` asking for the same page meanwhile share the one read.
    func journalPage(after sequence: Int64, limit: Int, epoch: String) async throws -> [JournalEntry] {
        let key = JournalPageRead(epoch: epoch, after: sequence, limit: limit)
        if let running = journalReads[key] { return try await running.value }
        let store = self.store
        let read = Task.detached(executorPreference: Self.storageReads) { try store.journal(after: sequence, limit: limit) }
        journalReads[key] = read
        defer { if journalReads[key] == read { journalReads[key] = nil } }
        return try await read.value
    }

    /// Mirror objects of one type among `keys`, read off the hub.
    func mirrorObjects(_ dataType: String, keys: [String]) async throws -> [String: JSONValue] {
        let store = self.store
        return try await Task.detached(executorPreference: Self.storageReads) { try store.objects(dataType, keys: keys) }.value
    }
}
