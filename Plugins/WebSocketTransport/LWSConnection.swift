/// A libwebsockets connection handle (`struct lws *`), passed between threads only as an
/// identity: it is dereferenced on the service thread alone, while the connection lives.
struct LWSConnection: @unchecked Sendable, Hashable {
    let pointer: OpaquePointer
}
