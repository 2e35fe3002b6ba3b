/// Typed access to a request's named params, with -32602 errors naming the parameter.
public struct RPCParams: Sendable {
    private let members: [String: JSONValue]

    public init(_ params: JSONValue, allowed: Set<String>) throws(RPCError) {
        guard case .object(let members) = params else {
            throw .invalidParams("params must be an object with named members")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalidParams("unknown parameter \"\(unknown)\"; expected \(allowed.sorted().joined(separator: ", "))")
        }
        self.members = members
    }

    public func has(_ name: String) -> Bool { members[name].map { !$0.isNull } ?? false }

    public func raw(_ name: String) -> JSONValue? { members[name].flatMap { $0.isNull ? nil : $0 } }

    public func string(_ name: String) throws(RPCError) -> String? {
        guard let value = raw(name) else { return nil }
        guard let text = value.stringValue else { throw .invalidParams("\"\(name)\" must be a string") }
        return text
    }

    public func requiredString(_ name: String) throws(RPCError) -> String {
        guard let text = try string(name), !text.isEmpty else { throw .invalidParams("\"\(name)\" is required") }
        return text
    }

    public func bool(_ name: String) throws(RPCError) -> Bool? {
        guard let value = raw(name) else { return nil }
        guard let flag = value.boolValue else { throw .invalidParams("\"\(name)\" must be true or false") }
        return flag
    }

    public func strings(_ name: String, maxCount: Int = 10_000) throws(RPCError) -> [String]? {
        guard let value = raw(name) else { return nil }
        guard let list = value.arrayValue else { throw .invalidParams("\"\(name)\" must be an array of strings") }
        guard list.count <= maxCount else { throw .invalidParams("\"\(name)\" has more than \(maxCount) entries") }
        var strings: [String] = []
        for element in list {
            guard let text = element.stringValue else { throw .invalidParams("\"\(name)\" must be an array of strings") }
            strings.append(text)
        }
        return strings
    }
}
