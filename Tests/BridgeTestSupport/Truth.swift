import BridgeCore
import Foundation

/// Compares what the bridge stored with the simulator's own record of what happened.
public enum Truth {
    /// The simulator's sync log after `cursors`.
    public static func log(_ simulator: SimulatorProcess, after cursors: SyncCursors) async throws -> [SyncItem] {
        let answer = try await simulator.control("/log?cc_cursor=\(cursors.cc)&cursor=\(cursors.project)")
        return (answer["entries"]?.arrayValue ?? []).compactMap { $0["item"].flatMap(SyncItem.init(json:)) }
    }

    /// Differences between the bridge's journal for the current epoch and the simulator's
    /// log since the epoch's init: every change once, in order, nothing missing. Empty when
    /// they agree.
    public static func journalDifferences(_ store: BridgeStore, _ simulator: SimulatorProcess) async throws -> [String] {
        guard let state = try store.storedState() else { return ["the bridge has no stored state"] }
        let base = SyncCursors(cc: state.initResult["cc.cursor"]?.int64Value ?? 0,
                               project: state.initResult["cursor"]?.int64Value ?? 0)
        let truth = try await log(simulator, after: base)
            .filter { $0.cursor <= state.position.cursors[$0.stream] }
        let journal = try store.journal(after: 0, limit: 10_000_000).map(\.item)
        var differences: [String] = []
        for stream in [SyncItem.Stream.cc, .project] {
            let expected = truth.filter { $0.stream == stream }.map(signature)
            let actual = journal.filter { $0.stream == stream }.map(signature)
            if expected != actual {
                let missing = Set(expected).subtracting(actual).sorted().prefix(5)
                let extra = Set(actual).subtracting(expected).sorted().prefix(5)
                let duplicates = Dictionary(grouping: actual, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted().prefix(5)
                differences.append("\(stream) stream: expected \(expected.count) items, journal has \(actual.count); missing \(Array(missing)), unexpected \(Array(extra)), duplicated \(Array(duplicates))")
            }
        }
        return differences
    }

    /// Mirror objects (of the types that can be fetched) that differ from the simulator's
    /// current objects. Empty when they agree.
    public static func mirrorDifferences(_ store: BridgeStore, _ simulator: SimulatorProcess,
                                         types: [String] = ["records", "assets", "definitions", "classes", "fields", "layouts", "queries"]) async throws -> [String] {
        var differences: [String] = []
        for dataType in types {
            for (key, object) in try store.objects(dataType) {
                let (status, _, truth) = try await SimulatorProcess.http(method: "GET", url: "\(simulator.controlURL)/object/\(dataType)/\(key)")
                if status != 200 {
                    differences.append("\(dataType)/\(key): the mirror holds it, the simulator answers \(status)")
                } else if truth != object {
                    differences.append("\(dataType)/\(key) differs")
                }
            }
        }
        return differences
    }

    static func signature(_ item: SyncItem) -> String {
        "\(item.cursor) \(item.action) \(item.dataType) \(item.dataKey)"
    }
}
