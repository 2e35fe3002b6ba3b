import Foundation

/// The simulator's own record of each change (`GET /log`): when it was appended, and what
/// it was about. Fetched incrementally, from the cursors current when the run started.
struct SimulatorLog {
    struct Entry: Sendable {
        var appendedAt: Double
        var dataType: String
        var dataKey: String
    }

    private struct Cursors: Decodable {
        let ccCursor: Int64
        let cursor: Int64
        enum CodingKeys: String, CodingKey { case ccCursor = "cc.cursor", cursor }
    }

    private struct Page: Decodable {
        struct LogEntry: Decodable {
            struct Item: Decodable {
                let type: String
                let cursor: Int64
                let data_type: String
                let data_key: String
            }
            let appended_at: Double
            let item: Item
        }
        let entries: [LogEntry]
    }

    private let http: PlainHTTP
    private var ccCursor: Int64
    private var cursor: Int64
    private(set) var entries: [ItemKey: Entry] = [:]

    init(controlURL: String) throws {
        http = try PlainHTTP(baseURL: controlURL)
        let cursors = try JSONDecoder().decode(Cursors.self, from: Data(try http.get("/cursors")))
        ccCursor = cursors.ccCursor
        cursor = cursors.cursor
    }

    /// Adds the entries appended since the last refresh.
    mutating func refresh() throws {
        let body = try http.get("/log?cc_cursor=\(ccCursor)&cursor=\(cursor)")
        let page = try JSONDecoder().decode(Page.self, from: Data(body))
        for logged in page.entries {
            let stream: SyncStream = logged.item.type == "cc" ? .cc : .project
            let key = ItemKey(stream: stream, cursor: logged.item.cursor)
            entries[key] = Entry(appendedAt: logged.appended_at, dataType: logged.item.data_type, dataKey: logged.item.data_key)
            if stream == .cc { ccCursor = max(ccCursor, key.cursor) } else { cursor = max(cursor, key.cursor) }
        }
    }

    /// Project-stream cursors a subscription with these filters should receive, sorted.
    func expectedProjectCursors(types: [String], keys: [String]) -> [Int64] {
        let typeSet = Set(types)
        let keySet = Set(keys)
        return entries.compactMap { key, entry -> Int64? in
            guard key.stream == .project,
                  typeSet.isEmpty || typeSet.contains(entry.dataType),
                  keySet.isEmpty || keySet.contains(entry.dataKey) else { return nil }
            return key.cursor
        }.sorted()
    }
}
