import BridgeTestSupport
import Foundation
import Testing
@testable import BridgeCore

@Suite struct BridgeStoreTests {
    func initResponse() -> UnicatResponse {
        UnicatResponse(
            result: ["cc.cursor": 10, "cursor": 100, "cc.version": "2026.01.001", "project": "p"],
            data: [
                "definitions": ["d1": ["gid": "d1", "name": "article"]],
                "cc.projects_members": [["project_gid": "p", "user_gid": "u1", "roles": ["api"]]],
                "cc.languages": ["en": "English"],
            ])
    }

    @Test func epochCommitAndPruning() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BridgeStore(directory: directory.file("state").path, journalLimit: 100)
        let first = try store.startEpoch("e1", project: "p", initResponse: initResponse())
        #expect(first.cursors == SyncCursors(cc: 10, project: 100))
        #expect(try store.objects("cc.projects_members").keys.sorted() == ["p/u1"])

        var cursors = first.cursors
        for batch in 0..<3 {
            var changes = StoreChanges()
            for index in 0..<50 {
                cursors.project += 1
                let key = "r\(batch * 50 + index)"
                changes.upsert(MirrorKey("records", key), ["gid": .string(key)])
                changes.entries.append((SyncItem(stream: .project, cursor: cursors.project, action: "INSERT", dataType: "records", dataKey: key), cursors))
            }
            _ = try store.commit(changes, epoch: "e1")
        }
        let window = try store.journalBounds()
        #expect(window.count == 100)
        #expect(window.last == 150 && window.first == 51)
        // Kept in memory by the writer; the same as a fresh read of the file.
        #expect(try BridgeStore(directory: directory.file("state").path, journalLimit: 100, readOnly: true).journalBounds() == window)
        #expect(try store.storedState()?.position == BridgePosition(epoch: "e1", cursors: SyncCursors(cc: 10, project: 250)))
        #expect(try store.objects("records").count == 150)

        var removal = StoreChanges()
        removal.delete(MirrorKey("records", "r0"))
        removal.entries.append((SyncItem(stream: .project, cursor: 251, action: "DELETE", dataType: "records", dataKey: "r0"), SyncCursors(cc: 10, project: 251)))
        _ = try store.commit(removal, epoch: "e1")
        #expect(try store.heldKeys("records", among: ["r0", "r1"]) == ["r1"])

        let snapshot = try #require(try store.initSnapshot())
        #expect(snapshot.result["cursor"] == 251)
        let data = try JSONValue.parse(snapshot.data.encodedBytes())
        #expect(data["cc.projects_members"]?.arrayValue?.count == 1)
        #expect(data["cc.languages"]?["en"] == "English")

        // A new epoch starts from scratch.
        _ = try store.startEpoch("e2", project: "p", initResponse: initResponse())
        #expect(try store.journalBounds().count == 0)
        #expect(try store.journalBounds().floor?.position.epoch == "e2")
        #expect(try store.objects("records").isEmpty)
    }

    /// The writer moves the bounds on from what each commit wrote, without reading them
    /// again: after every commit (empty ones, ones that prune, ones that prune several at
    /// once) they are what SQLite holds.
    @Test func boundsKeptByTheWriterMatchTheFileAfterEveryCommit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BridgeStore(directory: directory.file("state").path, journalLimit: 50)
        var cursors = try store.startEpoch("e1", project: "p", initResponse: initResponse()).cursors
        for (round, size) in [0, 1, 7, 30, 0, 12, 49, 50, 51, 3, 120, 0, 2].enumerated() {
            var changes = StoreChanges()
            for index in 0..<size {
                let stream: SyncItem.Stream = index % 4 == 0 ? .cc : .project
                cursors[stream] += 1
                changes.entries.append((SyncItem(stream: stream, cursor: cursors[stream], action: "UPDATE", dataType: "records",
                                                 dataKey: "r\(index)"), cursors))
            }
            if size == 0 { changes.ccVersion = "2026.01.00\(round % 10)" }
            _ = try store.commit(changes, epoch: "e1")
            let onFile = try store.database.read { try JournalBounds.read($0) }
            #expect(try store.journalBounds() == onFile, "after commit \(round) of \(size)")
        }
    }

    @Test func filesArePrivate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stateDirectory = directory.file("state").path
        let store = try BridgeStore(directory: stateDirectory, journalLimit: 100)
        _ = try store.startEpoch("e1", project: "p", initResponse: initResponse())
        func mode(_ path: String) -> mode_t {
            var info = stat()
            stat(path, &info)
            return info.st_mode & 0o777
        }
        #expect(mode(stateDirectory) == 0o700)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: store.path + suffix) {
            #expect(mode(store.path + suffix) == 0o600, "\(store.path + suffix)")
        }
    }

    @Test func theSequenceReachedAtAPositionIsTheLastEntryAtOrBeforeItInBothStreams() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try BridgeStore(directory: directory.file("state").path, journalLimit: 300)
        let first = try store.startEpoch("e1", project: "p", initResponse: initResponse())
        var cursors = first.cursors
        var positions: [SyncCursors] = []
        var changes = StoreChanges()
        for index in 0..<400 {
            let stream: SyncItem.Stream = index % 3 == 0 ? .cc : .project
            cursors[stream] += 1
            changes.entries.append((SyncItem(stream: stream, cursor: cursors[stream], action: "UPDATE", dataType: "records", dataKey: "r\(index)"), cursors))
            positions.append(cursors)
        }
        _ = try store.commit(changes, epoch: "e1")
        // 100 pruned: the floor is after entry 100.
        let floor = try #require(try store.journalBounds().floor)
        #expect(floor.sequence == 100)
        #expect(try store.sequence(reachedAt: positions[50]) == nil, "before the floor")
        for probe in [99, 100, 101, 250, 399] {
            #expect(try store.sequence(reachedAt: positions[probe]) == Int64(probe + 1))
        }
        // A position no entry had (ahead in one stream, behind in the other).
        let odd = SyncCursors(cc: positions[300].cc + 5, project: positions[200].project)
        let expected = positions.indices.last { positions[$0].isAtOrBefore(odd) }.map { Int64($0 + 1) }
        #expect(try store.sequence(reachedAt: odd) == expected)
    }
}
