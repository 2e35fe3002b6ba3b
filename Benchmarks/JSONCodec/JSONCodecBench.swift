import ArgumentParser
import BridgeCore
import Foundation

/// Parse (and encode) one JSON document repeatedly with either codec, so that an outside
/// counter (callgrind, or `--time`) measures them on equal terms. Driven by
/// `Benchmarks/json-codec`.
@main
struct JSONCodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge-jsonbench",
        abstract: "Parse and encode one JSON document with Foundation's codec or the bridge's own.")

    enum Codec: String, ExpressibleByArgument { case foundation, bridge }
    enum Work: String, ExpressibleByArgument { case parse, roundtrip }

    @Argument(help: "The JSON document.") var file: String
    @Option(help: "foundation (JSONDecoder/JSONEncoder, the bridge before issue 10) or bridge.") var codec: Codec
    @Option(help: "parse, or roundtrip (parse then encode).") var work: Work
    @Option(help: "Untimed runs first (one-time costs such as type metadata).") var warmup = 1
    @Option(help: "Measured runs.") var iterations = 1
    @Flag(help: "Print the median wall-clock time of the measured runs, in milliseconds.") var time = false
    @Option(help: "Write the last encoded output here.") var output: String?

    func run() throws {
        let input = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        var encoded: [UInt8] = []
        for _ in 0..<warmup { encoded = try once(input) }
        var samples: [Duration] = []
        for _ in 0..<iterations {
            let started = ContinuousClock.now
            encoded = try once(input)
            samples.append(ContinuousClock.now - started)
        }
        if time, !samples.isEmpty {
            let median = samples.sorted()[samples.count / 2]
            print(Double(median.components.attoseconds) / 1e15 + Double(median.components.seconds) * 1e3)
        }
        if let output { try Data(encoded).write(to: URL(fileURLWithPath: output)) }
    }

    private func once(_ input: [UInt8]) throws -> [UInt8] {
        switch (codec, work) {
        case (.bridge, .parse):
            _ = try JSONValue.parse(input)
            return []
        case (.bridge, .roundtrip):
            return try JSONValue.parse(input).encodedBytes()
        case (.foundation, .parse):
            _ = try FoundationCodec.parse(input)
            return []
        case (.foundation, .roundtrip):
            return Array(try FoundationCodec.encoded(FoundationCodec.parse(input)))
        }
    }
}
