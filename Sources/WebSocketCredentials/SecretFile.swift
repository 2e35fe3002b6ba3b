#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit

/// Reading the files the WebSocket configuration names (token lists, the HMAC secret, TLS
/// files), refusing secrets that every user of the machine could read. The transport and
/// `unicat-bridge token` read them alike.
public enum SecretFile {
    public static let maxBytes = 1 << 20

    public static func read(_ path: String, purpose: String, requirePrivate: Bool) throws -> [UInt8] {
        // O_NONBLOCK: opening a FIFO named by mistake must not hang the start (regular
        // files read the same either way).
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw PluginError("cannot read the \(purpose) \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw PluginError("the \(purpose) \(path) is not a regular file")
        }
        if requirePrivate && status.st_mode & S_IROTH != 0 {
            throw PluginError("the \(purpose) \(path) is readable by every user: chmod o-r it (e.g. chmod 600)")
        }
        guard Int(status.st_size) <= maxBytes else {
            throw PluginError("the \(purpose) \(path) is larger than \(maxBytes) bytes")
        }
        var contents = [UInt8](repeating: 0, count: Int(status.st_size))
        var offset = 0
        while offset < contents.count {
            let count = contents.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return readBytes(descriptor, base + offset, buffer.count - offset)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            offset += count
        }
        return Array(contents[..<offset])
    }

    /// The file's lines, trimmed, without blank lines and `#` comments.
    public static func lines(_ path: String, purpose: String) throws -> [String] {
        let text = String(decoding: try read(path, purpose: purpose, requirePrivate: true), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingWhitespace }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}

/// `read(2)`, under a name the static method above does not shadow.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
