#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// TCP_CORK on a socket for the length of one writable callback: the frames written while
/// it is held go out together when it is released, not one TCP segment each. Released at
/// the latest when the callback returns, so it never delays a write beyond that.
struct SocketCork {
    private let fd: Int32
    private var held = false

    init(fd: Int32) {
        self.fd = fd
    }

    mutating func hold() {
        guard !held, fd >= 0 else { return }
        held = set(1)
    }

    mutating func release() {
        guard held else { return }
        _ = set(0)
        held = false
    }

    private func set(_ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }
}
