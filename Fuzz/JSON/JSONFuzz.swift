/// The JSON parser and writer (Sources/BridgeCore/JSON), at the nesting limit requests are
/// parsed with: whatever parses writes back to text that parses to the same value, and
/// writing that value again gives the same bytes.
@c(LLVMFuzzerTestOneInput)
public func jsonFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
    guard let value = try? JSONValue.parse(text, maxDepth: 64) else { return 0 }
    let written = value.encodedBytes()
    guard let again = try? JSONValue.parse(written, maxDepth: 64) else {
        fatalError("the writer's output does not parse: \(String(decoding: written, as: UTF8.self))")
    }
    invariant(again == value, "text written from a value parses to another value")
    invariant(again.encodedBytes() == written, "writing the same value twice gives different bytes")
    return 0
}
