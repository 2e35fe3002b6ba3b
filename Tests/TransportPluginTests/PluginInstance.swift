import CBridgePlugin

/// One created plugin instance, driven through its descriptor as the host drives it.
final class PluginInstance: @unchecked Sendable {
    let library: PluginLibrary
    let host: RecordingHost
    private let pointer: OpaquePointer
    private var destroyed = false

    private var descriptor: bridge_plugin_descriptor { library.descriptor.pointee }

    /// Creates an instance; throws with the plugin's error text when it refuses.
    init(_ library: PluginLibrary, host: RecordingHost, config: String) throws {
        self.library = library
        self.host = host
        var error = [CChar](repeating: 0, count: 512)
        guard let create = library.descriptor.pointee.create else { throw TestFailure("no create") }
        guard let created = create(host.vtable, config, &error, error.count) else {
            throw TestFailure(Self.text(error))
        }
        pointer = created
    }

    deinit { destroy() }

    func start() throws {
        var error = [CChar](repeating: 0, count: 512)
        guard descriptor.start?(pointer, &error, error.count) == 0 else { throw TestFailure(Self.text(error)) }
    }

    func send(_ client: UInt64, _ text: String) -> bridge_status {
        let bytes = Array(text.utf8)
        return descriptor.send?(pointer, client, bytes, bytes.count) ?? BRIDGE_ERR_INVALID
    }

    func sendMany(_ clients: [UInt64], _ text: String) -> [bridge_status] {
        let bytes = Array(text.utf8)
        var statuses = [bridge_status](repeating: BRIDGE_ERR_INVALID, count: clients.count)
        descriptor.send_many?(pointer, clients, clients.count, bytes, bytes.count, &statuses)
        return statuses
    }

    /// ABI 1.3 `send_superseding` with one stream per client.
    func sendSuperseding(_ clients: [UInt64], streams: [UInt64], combined: String?, alone: String) -> [bridge_status] {
        let aloneBytes = Array(alone.utf8)
        var statuses = [bridge_status](repeating: BRIDGE_ERR_INVALID, count: clients.count)
        if let combined {
            let combinedBytes = Array(combined.utf8)
            descriptor.send_superseding?(pointer, clients, streams, clients.count, combinedBytes, combinedBytes.count,
                                         aloneBytes, aloneBytes.count, &statuses)
        } else {
            descriptor.send_superseding?(pointer, clients, streams, clients.count, nil, 0, aloneBytes, aloneBytes.count, &statuses)
        }
        return statuses
    }

    func close(_ client: UInt64, final: String?, reason: String) {
        if let final {
            let bytes = Array(final.utf8)
            descriptor.close_client?(pointer, client, bytes, bytes.count, 1000, reason)
        } else {
            descriptor.close_client?(pointer, client, nil, 0, 1000, reason)
        }
    }

    func stop() {
        descriptor.stop?(pointer)
    }

    /// Stops (again, harmlessly) and frees the instance.
    func destroy() {
        guard !destroyed else { return }
        destroyed = true
        descriptor.stop?(pointer)
        descriptor.destroy?(pointer)
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
