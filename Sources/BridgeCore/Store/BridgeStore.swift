import Foundation
import GRDB
import Synchronization
import Locking

/// The mirror (init data plus every object fetched since) and the journal (the last N
/// changes with their positions), persisted in SQLite in WAL mode with files only the
/// bridge's user can read.
public final class BridgeStore: Sendable {
    public static let fileName = "bridge.sqlite"
    /// Data types that Unicat's `init` carries.
    public static let unicatInitDataTypes = ["cc.users", "cc.projects", "cc.projects_members", "cc.languages",
                                             "definitions", "classes", "fields", "layouts", "queries"]
    /// Data types the upstream's snapshot carries; `unicat.init` is rebuilt from them.
    public let initDataTypes: [String]

    let database: DatabasePool
    /// `unicat.init`'s data, encoded, rebuilt only after a commit changed an init type.
    let initData = Locked<(generation: UInt64, cached: (generation: UInt64, data: JSONValue)?)>((0, nil))
    /// Set by the writer after each commit (nil until first read or commit).
    let knownJournalBounds = Locked<JournalBounds?>(nil)
    let heldObjectCache = Locked(HeldObjectCache())
    let missingKeyCache = Locked(MissingKeyCache())
    public let journalLimit: Int
    public let path: String

    /// Opens (creating if needed) the store in `directory`.
    public init(directory: String, journalLimit: Int, readOnly: Bool = false,
                initDataTypes: [String] = BridgeStore.unicatInitDataTypes) throws {
        self.journalLimit = journalLimit
        self.initDataTypes = initDataTypes
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        if !readOnly {
            try Self.prepare(directory: directory, file: path)
        }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "unicat-bridge.store"
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: a committed cursor survives power loss, not only a killed process.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        if !readOnly { try Self.migrator.migrate(database) }
    }

    /// Creates the directory (0700) and an empty database file (0600) before SQLite does,
    /// so neither is ever readable by others; SQLite gives the WAL files the same mode.
    private static func prepare(directory: String, file: String) throws {
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])
        }
        if !manager.fileExists(atPath: file) {
            let fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw StoreError(message: "cannot create \(file): \(String(cString: strerror(errno)))")
            }
            close(fd)
        }
        for suffix in ["", "-wal", "-shm"] where manager.fileExists(atPath: file + suffix) {
            chmod(file + suffix, 0o600)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE objects (
                    data_type TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
                    PRIMARY KEY (data_type, key)) WITHOUT ROWID;
                CREATE TABLE journal (
                    sequence INTEGER PRIMARY KEY NOT NULL,
                    stream TEXT NOT NULL, cursor INTEGER NOT NULL, action TEXT NOT NULL,
                    data_type TEXT NOT NULL, data_key TEXT NOT NULL, data TEXT,
                    cc_after INTEGER NOT NULL, cursor_after INTEGER NOT NULL, committed_at REAL NOT NULL);
                CREATE UNIQUE INDEX journal_stream_cursor ON journal (stream, cursor);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE journal ADD COLUMN object_error TEXT")
        }
        return migrator
    }
}

public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
