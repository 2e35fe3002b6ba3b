import CBridgePlugin
import Foundation
import Logging
import Synchronization
import Locking

/// One running transport plugin: the host vtable it was given, its instance, and the
/// host's side of its clients. It is the `ClientTransport` the hub sends through.
final class PluginConnection: ClientTransport, @unchecked Sendable {
    let name: String
    let policy: TransportPolicy
    let library: PluginLibrary
    let dispatcher: ClientDispatcher
    let logger: Logger
    let queries: HostQueries
    let clientIDs: ClientIDSource
    let requestShutdown: @Sendable (String) -> Void
    /// Set once by `create`, cleared by `destroy`; plugin calls are only made while set.
    private let instance = Locked<InstanceRef?>(nil)
    private let vtable: UnsafeMutablePointer<bridge_host_vtable>

    private struct InstanceRef: @unchecked Sendable { let pointer: OpaquePointer }

    init(settings: TransportSettings, library: PluginLibrary, dispatcher: ClientDispatcher, queries: HostQueries,
         clientIDs: ClientIDSource, logger: Logger, requestShutdown: @escaping @Sendable (String) -> Void) {
        name = settings.name
        policy = settings.policy
        self.library = library
        self.dispatcher = dispatcher
        self.queries = queries
        self.clientIDs = clientIDs
        self.requestShutdown = requestShutdown
        var logger = logger
        logger[metadataKey: "transport"] = "\(settings.name)"
        self.logger = logger
        vtable = .allocate(capacity: 1)
        vtable.initialize(to: bridge_host_vtable())
        vtable.pointee.abi_major = UInt32(BRIDGE_PLUGIN_ABI_MAJOR)
        vtable.pointee.abi_minor = UInt32(BRIDGE_PLUGIN_ABI_MINOR)
        vtable.pointee.struct_size = UInt32(MemoryLayout<bridge_host_vtable>.size)
        HostVTable.install(into: vtable)
    }

    deinit { vtable.deallocate() }

    /// Creates and starts the plugin with its configuration section.
    func start(configJSON: String) throws {
        vtable.pointee.host_ctx = Unmanaged.passUnretained(self).toOpaque()
        var error = [CChar](repeating: 0, count: 1024)
        let d = library.descriptor.pointee
        guard let create = d.create, let start = d.start else { throw PluginLoadError("\(name): incomplete descriptor") }
        guard let created = configJSON.withCString({ create(vtable, $0, &error, error.count) }) else {
            throw PluginLoadError("transport \(name) (\(library.path)) refused its configuration: \(Self.text(error))")
        }
        instance.withLock { $0 = InstanceRef(pointer: created) }
        guard start(created, &error, error.count) == 0 else {
            d.destroy?(created)
            instance.withLock { $0 = nil }
            throw PluginLoadError("transport \(name) (\(library.path)) failed to start: \(Self.text(error))")
        }
        logger.notice("transport \(name) started (\(library.name) \(library.version))")
    }

    /// Stops the plugin (it closes its clients) and frees it.
    func stop() {
        guard let current = instance.withLock({ $0 }) else { return }
        library.descriptor.pointee.stop?(current.pointer)
        instance.withLock { $0 = nil }
        library.descriptor.pointee.destroy?(current.pointer)
        logger.info("transport \(name) stopped")
    }

    // MARK: ClientTransport

    func send(_ client: UInt64, _ bytes: [UInt8]) -> SendStatus {
        guard let current = instance.withLock({ $0 }), let send = library.descriptor.pointee.send else { return .stopped }
        return bytes.withUnsafeBufferPointer { Self.status(send(current.pointer, client, $0.baseAddress, $0.count)) }
    }

    func sendMany(_ clients: [UInt64], _ bytes: [UInt8]) -> [SendStatus] {
        guard let current = instance.withLock({ $0 }), let sendMany = library.descriptor.pointee.send_many else {
            return Array(repeating: .stopped, count: clients.count)
        }
        var statuses = [bridge_status](repeating: BRIDGE_OK, count: clients.count)
        clients.withUnsafeBufferPointer { ids in
            bytes.withUnsafeBufferPointer { message in
                sendMany(current.pointer, ids.baseAddress, ids.count, message.baseAddress, message.count, &statuses)
            }
        }
        return statuses.map(Self.status)
    }

    var supersedes: Bool { library.sendSuperseding != nil }

    func sendSuperseding(_ clients: [UInt64], streams: [UInt64], combined: [UInt8]?, alone: [UInt8]) -> [SendStatus] {
        guard let sendSuperseding = library.sendSuperseding else { return sendMany(clients, alone) }
        guard let current = instance.withLock({ $0 }) else { return Array(repeating: .stopped, count: clients.count) }
        var statuses = [bridge_status](repeating: BRIDGE_OK, count: clients.count)
        let combinedBytes = combined ?? []
        clients.withUnsafeBufferPointer { ids in
            streams.withUnsafeBufferPointer { streams in
                alone.withUnsafeBufferPointer { alone in
                    combinedBytes.withUnsafeBufferPointer { bytes in
                        // NULL, not an empty buffer, says there is no combined message.
                        sendSuperseding(current.pointer, ids.baseAddress, streams.baseAddress, ids.count,
                                        combined == nil ? nil : bytes.baseAddress, bytes.count, alone.baseAddress, alone.count, &statuses)
                    }
                }
            }
        }
        return statuses.map(Self.status)
    }

    func close(_ client: UInt64, final: [UInt8]?, code: Int32, reason: String) {
        guard let current = instance.withLock({ $0 }), let close = library.descriptor.pointee.close_client else { return }
        reason.withCString { reasonText in
            if let final {
                final.withUnsafeBufferPointer { close(current.pointer, client, $0.baseAddress, $0.count, code, reasonText) }
            } else {
                close(current.pointer, client, nil, 0, code, reasonText)
            }
        }
    }

    private static func status(_ status: bridge_status) -> SendStatus {
        switch status {
        case BRIDGE_OK: return .ok
        case BRIDGE_OK_BUSY: return .busy
        case BRIDGE_OK_SUPERSEDED: return .superseded
        case BRIDGE_ERR_QUEUE_FULL: return .queueFull
        case BRIDGE_ERR_UNKNOWN_CLIENT, BRIDGE_ERR_INVALID: return .unknownClient
        default: return .stopped
        }
    }

    private static func text(_ buffer: [CChar]) -> String {
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "no reason given" : text
    }
}

/// Hands out client ids unique across all transports (0 is never used).
final class ClientIDSource: Sendable {
    private let next = Atomic<UInt64>(1)
    func take() -> UInt64 { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
