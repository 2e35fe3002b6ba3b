import Foundation

public struct TimeoutError: Error, CustomStringConvertible {
    public let description: String
}

/// Polls `condition` until it returns true or `timeout` passes. Tests use generous
/// timeouts: they wait for outcomes, they do not measure speed.
public func eventually(
    timeout: Duration = .seconds(30),
    interval: Duration = .milliseconds(50),
    _ what: @autoclosure () -> String = "condition",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    throw TimeoutError(description: "timed out after \(timeout) waiting for \(what())")
}
