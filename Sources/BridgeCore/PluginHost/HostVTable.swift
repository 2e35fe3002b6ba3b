import CBridgePlugin
import Foundation
import Logging

/// The C functions of the host vtable. Each recovers its `PluginConnection` from
/// `host_ctx`, copies what it needs (buffers are borrowed) and returns at once.
enum HostVTable {
    static func install(into vtable: UnsafeMutablePointer<bridge_host_vtable>) {
        vtable.pointee.client_open = hostClientOpen
        vtable.pointee.client_message = hostClientMessage
        vtable.pointee.client_close = hostClientClose
        vtable.pointee.client_writable = hostClientWritable
        vtable.pointee.log = hostLog
        vtable.pointee.host_query = hostQuery
        vtable.pointee.free_string = hostFreeString
        vtable.pointee.request_shutdown = hostRequestShutdown
    }

    static func connection(_ context: UnsafeMutableRawPointer?) -> PluginConnection? {
        context.map { Unmanaged<PluginConnection>.fromOpaque($0).takeUnretainedValue() }
    }
}

private func hostClientOpen(_ context: UnsafeMutableRawPointer?, _ peer: UnsafePointer<CChar>?) -> UInt64 {
    guard let connection = HostVTable.connection(context) else { return 0 }
    let id = connection.clientIDs.take()
    connection.dispatcher.opened(id, peer: peer.map { String(cString: $0) } ?? "{}", transport: connection)
    return id
}

private func hostClientMessage(_ context: UnsafeMutableRawPointer?, _ client: UInt64, _ bytes: UnsafePointer<UInt8>?, _ length: Int) {
    guard let connection = HostVTable.connection(context) else { return }
    let message = bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    connection.dispatcher.message(client, message)
}

private func hostClientClose(_ context: UnsafeMutableRawPointer?, _ client: UInt64, _ reason: UnsafePointer<CChar>?) {
    HostVTable.connection(context)?.dispatcher.closed(client, reason: reason.map { String(cString: $0) } ?? "")
}

private func hostClientWritable(_ context: UnsafeMutableRawPointer?, _ client: UInt64) {
    HostVTable.connection(context)?.dispatcher.writable(client)
}

private func hostLog(_ context: UnsafeMutableRawPointer?, _ level: bridge_log_level, _ message: UnsafePointer<CChar>?) {
    guard let connection = HostVTable.connection(context), let message else { return }
    let text = String(cString: message)
    switch level {
    case BRIDGE_LOG_DEBUG: connection.logger.debug("\(text)")
    case BRIDGE_LOG_INFO: connection.logger.info("\(text)")
    case BRIDGE_LOG_WARNING: connection.logger.warning("\(text)")
    default: connection.logger.error("\(text)")
    }
}

private func hostQuery(_ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    guard let connection = HostVTable.connection(context), let name,
          let document = connection.queries.document(String(cString: name)) else { return nil }
    return strdup(document)
}

private func hostFreeString(_ context: UnsafeMutableRawPointer?, _ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}

private func hostRequestShutdown(_ context: UnsafeMutableRawPointer?, _ reason: UnsafePointer<CChar>?) {
    guard let connection = HostVTable.connection(context) else { return }
    let text = reason.map { String(cString: $0) } ?? "requested by a transport"
    connection.logger.notice("transport \(connection.name) asked the bridge to shut down: \(text)")
    connection.requestShutdown(text)
}
