#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// BridgeCore's `Mutex`: the interface of `Synchronization.Mutex` over a pthread mutex,
/// which ThreadSanitizer understands. Synchronization's Mutex is a futex on Linux that TSan
/// cannot see, so it reports every access such a lock guards as a race (the lws notes,
/// pitfall 10) and a TSan run could not tell real races from those.
///
/// Declared in this module, it takes the place of Synchronization's for every `Mutex`
/// written in BridgeCore (files still `import Synchronization` for `Atomic`). Internal, so
/// that modules importing both BridgeCore and Synchronization see only one `Mutex`.
final class Mutex<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ initialValue: sending Value) {
        value = initialValue
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<Result, Failure: Error>(_ body: (inout sending Value) throws(Failure) -> sending Result) throws(Failure) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
