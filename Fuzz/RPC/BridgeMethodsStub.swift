/// Stands in for the bridge's methods (which need a whole session) behind the router, so
/// that the router, the request decoder and the params reader are what the fuzzer reaches.
/// Known methods read every param the ways methods do and echo the params back.
public struct BridgeMethods: Sendable {
    public struct Outcome: Sendable {
        var result: Result<JSONValue, RPCError>
        var followUp: (@Sendable () async -> Void)?
    }

    static let methodNames: Set<String> = ["initialize", "unicat.init", "unicat.get", "unicat.call", "sync.subscribe",
                                           "sync.unsubscribe", "bridge.status"]
    /// As the real methods': answered even past the message's answer budget.
    static let alwaysAnswered: Set<String> = ["sync.subscribe", "sync.unsubscribe"]

    func call(_ request: RPCRequest, from source: RequestSource, answerBudget: Int) async -> Outcome {
        guard Self.methodNames.contains(request.method) else {
            return Outcome(result: .failure(.methodNotFound(request.method)), followUp: nil)
        }
        do throws(RPCError) {
            let names = Set(request.params.objectValue?.keys.map { $0 } ?? [])
            let params = try RPCParams(request.params, allowed: names)
            for name in names.sorted() where params.has(name) {
                _ = try? params.string(name)
                _ = try? params.requiredString(name)
                _ = try? params.bool(name)
                _ = try? params.strings(name, maxCount: 100)
                _ = params.raw(name)
            }
            return Outcome(result: .success(request.params), followUp: nil)
        } catch {
            return Outcome(result: .failure(error), followUp: nil)
        }
    }
}
