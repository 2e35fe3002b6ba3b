#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgeCore
import BridgePluginKit

/// One connection to the bridge's Unix socket, speaking the bridge protocol (one JSON-RPC
/// message per line) with blocking calls: what the client commands need.
final class BridgeClient {
    /// Longest message accepted from the bridge (init data and large `get`s are big).
    static let maxMessageBytes = 1 << 30

    let path: String
    private let descriptor: Int32
    private var decoder = NDJSONDecoder(maxMessageBytes: maxMessageBytes)
    private var responses: [Int64: JSONValue] = [:]
    private var notifications: [JSONValue] = []
    private var nextID: Int64 = 0
    private var readBuffer = [UInt8](repeating: 0, count: 256 * 1024)

    /// Connects to the first of `candidates` that exists (all of them missing: the first
    /// is named in the error).
    init(candidates: [String]) throws {
        let chosen = candidates.first { access($0, F_OK) == 0 } ?? candidates.first
            ?? UnixSocketAddress.defaultPath(xdgRuntimeDirectory: nil)
        path = chosen
        let address: UnixSocketAddress
        do { address = try UnixSocketAddress(path: chosen) } catch {
            throw BridgeClientError.notRunning("\(error)")
        }
        switch address.openConnection() {
        case .success(let descriptor):
            self.descriptor = descriptor
        case .failure(let error):
            throw Self.connectionError(error, path: chosen, candidates: candidates)
        }
    }

    deinit { close(descriptor) }

    /// Sends a request and waits (at most `timeout` seconds) for its answer: the result,
    /// or a `BridgeClientError`. Notifications arriving meanwhile are kept for
    /// `nextNotification`.
    func call(_ method: String, _ params: JSONValue = [:], timeout: Double) throws -> JSONValue {
        nextID += 1
        let id = nextID
        let request: JSONValue = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]
        // A refused peer is told why, then closed: read that even if the write failed.
        let writeError = transmit(Array(request.encoded()) + [UInt8(ascii: "\n")])
        let deadline = MonotonicDeadline.after(seconds: timeout)
        while responses[id] == nil {
            let received: Bool
            do {
                received = try receive(until: deadline)
            } catch BridgeClientError.unreachable(let detail) where writeError != nil {
                throw BridgeClientError.unreachable("\(detail) (sending the request: \(writeError.map { "\($0)" } ?? ""))")
            }
            if !received {
                throw BridgeClientError.unreachable("no answer to \(method) within \(timeout) s (--timeout)")
            }
        }
        guard let response = responses.removeValue(forKey: id) else { throw BridgeClientError.unreachable("no answer") }
        if let error = response["error"] { throw BridgeClientError(rpcError: error) }
        return response["result"] ?? .null
    }

    /// The next notification, waiting for it until `deadline` (nil: as long as it takes);
    /// nil when the deadline passed.
    func nextNotification(until deadline: MonotonicDeadline? = nil) throws -> JSONValue? {
        while notifications.isEmpty {
            if try !receive(until: deadline) { return nil }
        }
        return notifications.removeFirst()
    }

    // MARK: I/O

    private func transmit(_ bytes: [UInt8]) -> SystemError? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
            } else if errno != EINTR {
                return SystemError(errno)
            }
        }
        return nil
    }

    /// Reads one chunk and files the messages it completes; false when `deadline` passed first.
    private func receive(until deadline: MonotonicDeadline?) throws -> Bool {
        var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&watched, 1, deadline?.pollTimeout ?? -1)
        if ready == 0 { return false }
        if ready < 0 {
            if errno == EINTR { return true }
            throw BridgeClientError.unreachable("waiting for the bridge: \(SystemError(errno))")
        }
        let count = readBuffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count == 0 { throw BridgeClientError.unreachable("the bridge closed the connection") }
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { return true }
            throw BridgeClientError.unreachable("the connection broke: \(SystemError(errno))")
        }
        var failure: BridgeClientError?
        readBuffer.withUnsafeBytes { bytes in
            decoder.feed(UnsafeRawBufferPointer(rebasing: bytes[..<count])) { event in
                guard failure == nil else { return }
                do { try file(event) } catch let error as BridgeClientError { failure = error } catch {}
            }
        }
        if let failure { throw failure }
        return true
    }

    private func file(_ event: FrameEvent) throws {
        guard case .message(let bytes) = event else {
            throw BridgeClientError.unreachable("the bridge sent a message longer than \(Self.maxMessageBytes) bytes")
        }
        guard let message = try? JSONValue.parse(bytes) else {
            throw BridgeClientError.unreachable("the bridge sent something that is not JSON")
        }
        if message["method"] != nil {
            notifications.append(message)
        } else if let id = message["id"]?.int64Value {
            responses[id] = message
        } else if let error = message["error"] {
            // An answer to no request in particular: a refused connection, or input the
            // transport could not frame.
            let refusal = BridgeClientError(rpcError: error)
            if case .bridge(let code, let text, _) = refusal, code == BridgeClientError.notPermittedCode {
                throw BridgeClientError.accessDenied("the bridge refused this connection: \(text) (its operator can add your uid to transports.unix.allowed_uids, or one of your groups to allowed_gids)")
            }
            throw refusal
        }
    }

    private static func connectionError(_ error: SystemError, path: String, candidates: [String]) -> BridgeClientError {
        switch error.code {
        case ENOENT, ENOTDIR:
            let tried = candidates.count > 1 ? "no socket at \(candidates.joined(separator: " nor at "))" : "no socket at \(path)"
            return .notRunning("\(tried). Start it (systemctl start unicat-bridge, or unicat-bridge run --unix PATH), or name its socket with --socket")
        case ECONNREFUSED:
            // connect() on a file that is not a socket is refused too: say what is there.
            if let kind = nonSocketKind(at: path) {
                return .notRunning("\(path) is \(kind), not a socket: the bridge's socket is elsewhere (name it with --socket), or remove the file")
            }
            return .notRunning("nothing is listening on \(path) (a socket file left by a bridge that stopped)")
        case EACCES, EPERM:
            return .accessDenied("cannot connect to \(path): \(error) (\(ownership(of: path))). Ask the operator to add you to the socket's group")
        default:
            return .notRunning("cannot connect to \(path): \(error)")
        }
    }

    /// "a regular file", "a directory", ... for a file at `path` that is not a socket; nil
    /// for a socket or when nothing can be said.
    private static func nonSocketKind(at path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFSOCK: return nil
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a named pipe"
        default: return "a file of another kind"
        }
    }

    /// "owned by uid U, group G, mode 0660" for the file at `path` (or its directory).
    private static func ownership(of path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "its directory is not accessible" }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        return "owned by uid \(info.st_uid), group \(info.st_gid), mode \(String(repeating: "0", count: max(0, 4 - mode.count)) + mode)"
    }
}
