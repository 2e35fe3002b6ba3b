import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Progress events as JSON lines on stdout (the driver reads them); notes on stderr.
enum EventOutput {
    static func emit<Event: Encodable>(_ event: Event) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard var line = try? encoder.encode(event) else { return }
        line.append(UInt8(ascii: "\n"))
        writeAll(1, Array(line))
    }

    static func note(_ text: String) {
        writeAll(2, Array(("bridge-loadgen: " + text + "\n").utf8))
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}
