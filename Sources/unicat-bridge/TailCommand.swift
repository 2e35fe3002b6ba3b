import ArgumentParser
import BridgeCore
import Foundation

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Stream the project's changes as they happen; resumes by itself when the bridge restarts.",
        discussion: """
            Human output: one line per change (cursor, action, data type, key). --json: one JSON object per \
            line, each a change item as the bridge sends it (with its "position"), or {"reset": {...}} when the \
            subscriber must reload. Progress while catching up goes to stderr. Runs until interrupted.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(name: .long, help: ArgumentHelp("Only these data types (comma-separated or repeated), e.g. records,assets.", valueName: "types"))
    var types: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only these keys (comma-separated or repeated).", valueName: "keys"))
    var keys: [String] = []

    @Option(name: .long, help: ArgumentHelp("Start after this position (EPOCH:CC_CURSOR:CURSOR as printed, or the JSON object) instead of now.", valueName: "position"))
    var since: String?

    @Flag(name: .long, help: "Include each changed object as it is now.")
    var includeObjects = false

    @Option(name: .long, help: "While catching up a backlog, report progress every this many changes (on a terminal: a live counter).")
    var progressEvery = 1000

    func validate() throws {
        if let since, PositionText.parse(since) == nil {
            throw ValidationError("--since must be a position: EPOCH:CC_CURSOR:CURSOR, or {\"epoch\": ..., \"cc_cursor\": N, \"cursor\": N}")
        }
        guard progressEvery > 0 else { throw ValidationError("--progress-every must be positive") }
    }

    func run() throws {
        var filter: [String: JSONValue] = ["include_objects": .bool(includeObjects)]
        let typeList = Self.list(types), keyList = Self.list(keys)
        if !typeList.isEmpty { filter["types"] = .array(typeList.map { .string($0) }) }
        if !keyList.isEmpty { filter["keys"] = .array(keyList.map { .string($0) }) }
        let printer = ChangePrinter(json: client.json, style: .standardOutput)
        let progress = CatchUpProgress(every: progressEvery, style: .forDescriptor(2))
        let follower = ChangeFollower(options: client, filter: filter, since: since.flatMap(PositionText.parse),
                                      printer: printer, progress: progress)
        try client.withClient { try follower.run(first: $0) }
    }

    private static func list(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }
}
