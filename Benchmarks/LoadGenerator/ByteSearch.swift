import CByteSearch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Substring and byte search over received bytes through the C library's memmem and memchr
/// (vectorised): the generator scans every byte it receives, and a loop per byte made it
/// cost more than the bridge it measures (a 1 MiB `unicat.init` answer took it 1.6 ms).
enum ByteSearch {
    /// The offset of the first `pattern` in `bytes` at or after `start`.
    static func find(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard let base = bytes.baseAddress, start >= 0, start <= bytes.count, !pattern.isEmpty else { return nil }
        return pattern.withUnsafeBytes { needle -> Int? in
            guard let found = byte_search_memmem(base + start, bytes.count - start, needle.baseAddress, needle.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// The offset of the first `byte` in `bytes` at or after `start`.
    static func find(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard let base = bytes.baseAddress, start >= 0, start < bytes.count,
              let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
