/// The configuration file reader (Sources/BridgeCore/Configuration/ConfigurationFile.swift,
/// YAML through Yams): any text either reads or is refused with issues that each name a
/// key and the file.
@c(LLVMFuzzerTestOneInput)
public func configurationFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    do {
        _ = try ConfigurationFile.parse(text, name: "fuzz.yaml")
    } catch let error as ConfigurationError {
        invariant(!error.issues.isEmpty, "a refusal without an issue")
        for issue in error.issues {
            invariant(!issue.key.isEmpty && issue.location?.hasPrefix("fuzz.yaml") == true, "an issue without its key or file: \(issue)")
        }
    } catch {
        fatalError("a failure that is not a ConfigurationError: \(error)")
    }
    return 0
}
