/// The `id` of a response, read the way the scanner reads positions: without a JSON parse.
enum ResponseID {
    private static let marker = Array(#""id":"#.utf8)
    private static let errorMarker = Array(#""error":"#.utf8)

    static func of(_ line: UnsafeRawBufferPointer) -> Int? {
        guard let start = ByteSearch.find(marker, in: line) else { return nil }
        var index = start + marker.count
        while index < line.count, line[index] == UInt8(ascii: " ") { index += 1 }
        var value = 0
        let digits = index
        while index < line.count, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") {
            value = value * 10 + Int(line[index] - UInt8(ascii: "0"))
            index += 1
        }
        return index > digits ? value : nil
    }

    static func isError(_ line: UnsafeRawBufferPointer) -> Bool {
        ByteSearch.find(errorMarker, in: line) != nil
    }
}
