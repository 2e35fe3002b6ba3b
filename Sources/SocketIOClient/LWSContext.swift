import CLibWebSockets
import Foundation
import Locking
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One lws context for one client connection: no listener, a single client protocol whose
/// callback forwards to the owning `SocketIOConnection`, and a one-shot timer.
///
/// Created, used and destroyed on the service thread only. Everything lws keeps a pointer
/// to (the protocols array and its name, the CA path) lives here until `destroy()`.
final class LWSContext {
    static let protocolName = "unicat-socketio"

    let pointer: OpaquePointer
    let timer: LWSTimer
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let cStrings: [UnsafeMutablePointer<CChar>]

    /// Nil when lws refuses to create the context (e.g. an unreadable CA file).
    init?(owner: SocketIOConnection, caFile: String?, timeoutSeconds: Double) {
        guard let name = strdup(Self.protocolName) else { return nil }
        var strings = [name]
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)  // [1] stays zero: the list terminator
        protocols[0].name = UnsafePointer(name)
        protocols[0].callback = sioLwsCallback
        protocols[0].per_session_data_size = 0
        // Large enough that big sync payloads arrive in few callbacks.
        protocols[0].rx_buffer_size = 64 * 1024

        let ownerPointer = Unmanaged.passUnretained(owner).toOpaque()
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        info.gid = -1
        info.uid = -1
        info.user = ownerPointer
        // A handful of fds suffices (the cancel pipe and one connection); the default
        // would size lws' tables to the process fd limit.
        info.fd_limit_per_thread = 16
        let seconds = UInt32(max(5, min(timeoutSeconds.rounded(.up), 600)))
        info.timeout_secs = seconds
        info.connect_timeout_secs = seconds
        info.options = UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
        if let caFile {
            guard let path = strdup(caFile) else {
                Self.release(protocols, strings)
                return nil
            }
            strings.append(path)
            info.client_ssl_ca_filepath = UnsafePointer(path)
            // The given bundle replaces the system trust store rather than adding to it.
            info.options |= UInt64(LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS)
        }
        guard let context = lws_create_context(&info) else {
            Self.release(protocols, strings)
            return nil
        }
        pointer = context
        cStrings = strings
        timer = LWSTimer(owner: ownerPointer)
    }

    /// Destroys the lws context (closing any connection; its callbacks run now, on this
    /// thread) and frees what lws referenced.
    func destroy() {
        timer.cancel()
        lws_context_destroy(pointer)
        timer.deallocate()
        Self.release(protocols, cStrings)
    }

    private static func release(_ protocols: UnsafeMutablePointer<lws_protocols>, _ strings: [UnsafeMutablePointer<CChar>]) {
        protocols.deinitialize(count: 2)
        protocols.deallocate()
        for string in strings { free(string) }
    }

    /// Why `path` cannot serve as a CA bundle, or nil. lws would only log the problem and
    /// carry on without trust anchors, so every TLS handshake would fail with a vaguer reason.
    static func problem(withCAFile path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return "the CA file \(path) cannot be read (errno \(errno))" }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while contents.count < 64 << 20 {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            contents.append(contentsOf: chunk[0..<count])
        }
        let marker = Array("-----BEGIN CERTIFICATE-----".utf8)
        let found = contents.count >= marker.count
            && (0...(contents.count - marker.count)).contains { start in
                contents[start] == marker[0] && Array(contents[start..<(start + marker.count)]) == marker
            }
        return found ? nil : "the CA file \(path) holds no PEM certificate"
    }

    func scheduleTimer(after seconds: Double) {
        timer.schedule(context: pointer, after: seconds)
    }
}

/// A one-shot lws timer (`lws_sorted_usec_list_t`) whose callback finds its owner through a
/// pointer stored right after the C struct, since lws passes only the struct's address.
final class LWSTimer {
    static let ownerOffset = (MemoryLayout<lws_sorted_usec_list_t>.size + 15) & ~15

    private let raw: UnsafeMutableRawPointer
    private let sul: UnsafeMutablePointer<lws_sorted_usec_list_t>

    init(owner: UnsafeMutableRawPointer) {
        raw = .allocate(byteCount: Self.ownerOffset + MemoryLayout<UnsafeMutableRawPointer>.size, alignment: 16)
        sul = raw.initializeMemory(as: lws_sorted_usec_list_t.self, repeating: lws_sorted_usec_list_t(), count: 1)
        raw.storeBytes(of: owner, toByteOffset: Self.ownerOffset, as: UnsafeMutableRawPointer.self)
    }

    /// (Re)arms the timer; a pending expiry is replaced.
    func schedule(context: OpaquePointer, after seconds: Double) {
        let micros = lws_usec_t(max(0, min(seconds, 86_400)) * 1_000_000)
        lws_sul_schedule(context, 0, sul, sioTimerCallback, micros)
    }

    func cancel() {
        lws_sul_cancel(sul)
    }

    func deallocate() {
        sul.deinitialize(count: 1)
        raw.deallocate()
    }

    static func owner(of sul: UnsafeMutablePointer<lws_sorted_usec_list_t>) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(sul).load(fromByteOffset: ownerOffset, as: UnsafeMutableRawPointer.self)
    }
}

// C callbacks must be top-level functions (a closure stored in a global is not accepted as a
// C function pointer in Swift 6). They find their owner through the context user pointer.

func sioLwsCallback(_ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                    _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    let connection = Unmanaged<SocketIOConnection>.fromOpaque(owner).takeUnretainedValue()
    return connection.handle(wsi: wsi, reason: reason, user: user, input: input, length: length)
}

func sioTimerCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul else { return }
    Unmanaged<SocketIOConnection>.fromOpaque(LWSTimer.owner(of: sul)).takeUnretainedValue().timerFired()
}

func sioServiceThreadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    // Balances the passRetained in `SocketIOConnection.startServiceThread()`.
    let connection = Unmanaged<SocketIOConnection>.fromOpaque(argument).takeRetainedValue()
    CurrentThread.name("socketio")  // for top -H and profiles
    connection.runServiceLoop()
    return nil
}
