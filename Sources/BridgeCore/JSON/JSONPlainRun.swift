/// Word-at-a-time skipping over the plain bytes of a JSON string: everything but `"`, `\`
/// and control characters. Strings are most of Unicat's JSON, and the parser and the writer
/// both need to find where a plain run ends.
enum JSONPlainRun {
    /// The start of the first 8-byte word from `index` that holds a byte other than plain
    /// ones (or of the last partial word); the caller goes on byte by byte from there. And
    /// the high bits of the bytes skipped: non-zero when any was non-ASCII.
    static func skip(_ bytes: UnsafeRawBufferPointer, from index: Int) -> (end: Int, highBits: UInt64) {
        var index = index
        var highBits: UInt64 = 0
        while bytes.count - index >= 8 {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            // Per byte, the high bit is set where the byte is zero (after the XOR) or below
            // 0x20; exact for "is there any such byte", which is all that is asked.
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
            if special & highs != 0 { break }
            highBits |= word & highs
            index += 8
        }
        return (index, highBits)
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080
}
