#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The pipes standing in for the plugin's stdin and stdout: the test writes what the
/// plugin reads and reads what it writes.
final class PipePair: @unchecked Sendable {
    /// The plugin's `input_fd` and `output_fd`.
    let pluginInput: Int32
    let pluginOutput: Int32
    private var testInput: Int32
    private var testOutput: Int32
    private var received: [UInt8] = []
    private var outputEnded = false

    init() throws {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw TestFailure("pipe: \(errno)") }
        pluginInput = input[0]
        testInput = input[1]
        testOutput = output[0]
        pluginOutput = output[1]
    }

    deinit {
        for descriptor in [pluginInput, pluginOutput, testInput, testOutput] where descriptor >= 0 { close(descriptor) }
    }

    var config: String { #""input_fd": \#(pluginInput), "output_fd": \#(pluginOutput)"# }

    /// Writes to the plugin's stdin (only while the plugin runs: a closed pipe would
    /// raise SIGPIPE in the test process).
    func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(testInput, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// The plugin sees EOF on stdin.
    func closeInput() {
        close(testInput)
        testInput = -1
    }

    /// Nobody reads the plugin's stdout any more.
    func closeOutputReader() {
        close(testOutput)
        testOutput = -1
    }

    /// Reads what the plugin wrote until `condition` holds for all of it (10 s at most).
    func output(timeout: Double = 10, until condition: (String) -> Bool) async -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(timeout * 1000))
        while !condition(text) && !outputEnded && clock.now < deadline {
            drainAvailable()
            if !condition(text) { try? await Task.sleep(for: .milliseconds(5)) }
        }
        return text
    }

    /// Reads until the plugin's stdout reports EOF; true when it did.
    func waitForOutputEnd(timeout: Double = 10) async -> Bool {
        _ = await output(timeout: timeout) { _ in false }
        return outputEnded
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    private func drainAvailable() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var watched = pollfd(fd: testOutput, events: Int16(POLLIN), revents: 0)
            guard poll(&watched, 1, 0) > 0 else { return }
            let count = buffer.withUnsafeMutableBytes { read(testOutput, $0.baseAddress, $0.count) }
            if count <= 0 {
                outputEnded = true
                return
            }
            received.append(contentsOf: buffer[..<count])
        }
    }
}
