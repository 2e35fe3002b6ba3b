import BridgePluginKit
import Testing

@Suite struct TransportLimitsTests {
    @Test func defaults() throws {
        let limits = try PluginConfiguration.decode(TransportLimits.self, from: "{}")
        #expect(limits.maxMessageBytes == 16 * 1024 * 1024)
        #expect(limits.queueMaxMessages == 10_000)
        #expect(limits.queueMaxBytes == 64 * 1024 * 1024)
        #expect(limits.closeTimeoutSeconds == 5)
    }

    @Test func readsEveryKey() throws {
        let limits = try PluginConfiguration.decode(TransportLimits.self, from: """
            {"max_message_bytes": 1024, "queue_max_messages": 8, "queue_max_bytes": 4096, "close_timeout_seconds": 0.5}
            """)
        #expect(limits.maxMessageBytes == 1024)
        #expect(limits.queueMaxMessages == 8)
        #expect(limits.queueMaxBytes == 4096)
        #expect(limits.closeTimeoutSeconds == 0.5)
    }

    @Test func anUnknownKeyIsNamed() {
        #expect { try PluginConfiguration.decode(TransportLimits.self, from: #"{"max_message_byte": 1}"#) } throws: { error in
            "\(error)".contains(#"unknown configuration key "max_message_byte""#) && "\(error)".contains("max_message_bytes")
        }
    }

    @Test func badValuesAreNamed() {
        for (json, key) in [(#"{"queue_max_messages": 0}"#, "queue_max_messages"),
                            (#"{"max_message_bytes": "big"}"#, "max_message_bytes"),
                            (#"{"close_timeout_seconds": -1}"#, "close_timeout_seconds")] {
            #expect { try PluginConfiguration.decode(TransportLimits.self, from: json) } throws: { error in
                "\(error)".contains(#"configuration key "\#(key)""#)
            }
        }
    }

    @Test func aConfigurationThatIsNotAnObjectIsRefused() {
        for json in ["[]", "null", "{", ""] {
            #expect { try PluginConfiguration.decode(TransportLimits.self, from: json) } throws: { error in
                "\(error)".hasPrefix("the configuration must be a JSON object")
            }
        }
    }

    @Test func pluginsMayAddTheirOwnKeys() throws {
        struct Extended: Decodable {
            var limits: TransportLimits
            init(from decoder: any Decoder) throws {
                limits = try TransportLimits(from: decoder, allowingExtraKeys: ["path"])
            }
        }
        let decoded = try PluginConfiguration.decode(Extended.self, from: #"{"path": "/x", "queue_max_bytes": 10}"#)
        #expect(decoded.limits.queueMaxBytes == 10)
    }
}
