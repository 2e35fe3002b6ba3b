import Foundation

/// A child process with its stderr captured to a file (so a chatty child never blocks on a
/// full pipe) and its stdout available as a pipe. Terminated when `stop()` is called.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let stdout = Pipe()
    public let stdin = Pipe()
    public let stderrLog: URL

    public init(executable: URL, arguments: [String], environment: [String: String]? = nil,
                stderrLog: URL) throws {
        self.stderrLog = stderrLog
        guard FileManager.default.createFile(atPath: stderrLog.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: stderrLog.path])
        }
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = stdout
        process.standardInput = stdin
        process.standardError = try FileHandle(forWritingTo: stderrLog)
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Reads stdout up to the first newline, waiting at most `timeout`.
    public func readLine(timeout: Duration) async throws -> String {
        let handle = stdout.fileHandleForReading
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        var bytes: [UInt8] = []
                        while true {
                            let chunk = handle.readData(ofLength: 1)
                            if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                            bytes.append(contentsOf: chunk)
                        }
                        continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let line = first else {
                throw TimeoutError(description: "no line from \(process.executableURL?.lastPathComponent ?? "child") within \(timeout); stderr: \(stderrTail())")
            }
            return line
        }
    }

    public func stderrText() -> String {
        (try? String(contentsOf: stderrLog, encoding: .utf8)) ?? ""
    }

    public func stderrTail(lines: Int = 20) -> String {
        stderrText().split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to exit, up to `timeout`; returns its status or nil.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32? {
        signal(SIGTERM)
        if let status = await waitForExit(timeout: grace) { return status }
        signal(SIGKILL)
        return await waitForExit(timeout: .seconds(5))
    }
}
