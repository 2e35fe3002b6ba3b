#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Locking

/// A pthread of a plugin's own, joined when the plugin stops. Plugins do their blocking
/// I/O on threads like this one, never on the host's threads or Swift concurrency pools.
public final class PluginThread: Sendable {
    private final class Body {
        let name: String
        let run: @Sendable () -> Void
        init(_ name: String, _ run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }

        func main() {
            CurrentThread.name(name)
            run()
        }
    }

    private let thread: pthread_t

    /// Starts `body` on a new thread; `name` says what it is in errors and, cut to the
    /// kernel's 15 bytes, in `top -H`, `ps -L` and profiles.
    public init(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let context = Unmanaged.passRetained(Body(name, body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let body = Unmanaged<Body>.fromOpaque(context).takeRetainedValue()
            body.main()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw PluginError("cannot start thread \(name): \(String(cString: strerror(result)))")
        }
        self.thread = thread
    }

    /// Waits for the thread to end. Call once.
    public func join() {
        pthread_join(thread, nil)
    }
}
