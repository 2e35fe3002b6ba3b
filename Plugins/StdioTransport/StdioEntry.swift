import BridgePluginKit
import CBridgePlugin

/// The symbol the host looks up with dlsym.
@c(bridge_plugin_entry)
public func bridgePluginEntry() -> UnsafePointer<bridge_plugin_descriptor> {
    PluginExport.descriptor(name: "stdio", version: "1.0.0", validate: StdioTransport.validate) { host, config in
        try StdioTransport(host: host, configJSON: config)
    }
}
