/// Decodes LSP framing: a header block (`Content-Length: N`, other headers ignored,
/// names case-insensitive, each line ended by `\r\n` or `\n`), an empty line, then
/// exactly N bytes.
///
/// - A length over the limit is reported as `.oversize` as soon as its header block ends,
///   and the decoder then scans for the next `Content-Length:` instead of skipping that
///   many bytes: a length that lies (or a client that gave up) must not swallow the
///   messages after it. An honest oversize body is skipped by the same scan (a body that
///   itself contains `Content-Length:` costs a framing error more).
/// - A broken header block is reported as `.framingError`; the decoder then scans for
///   the next `Content-Length:`, anywhere (LSP bodies are not followed by a newline,
///   so after a lying length the next header usually starts mid-line).
/// - A length within the limit that lies is not detectable: too short, and the host sees
///   invalid JSON followed by a framing error; too long, and the body swallows what
///   follows until enough bytes arrive. Neither buffers beyond the limit.
public struct ContentLengthDecoder: MessageDecoder {
    /// Longest header line accepted; real ones are a few dozen bytes.
    public static let maxHeaderLineBytes = 1024

    private enum State {
        case header
        case body(length: Int)
        /// `matched` leading bytes of "content-length:" were seen last.
        case resynchronising(matched: Int)
    }

    private static let headerName = Array("content-length".utf8)
    private static let resyncPattern = Array("content-length:".utf8)
    private static let tokenPunctuation = Array("!#$%&'*+-.^_`|~".utf8)

    public let maxMessageBytes: Int
    private var state = State.header
    /// The header line being read, or the body being collected.
    private var buffer: [UInt8] = []
    /// True once the current header block has a line.
    private var inHeaderBlock = false
    private var contentLength: Int?

    public init(maxMessageBytes: Int) {
        precondition(maxMessageBytes > 0, "the message size limit must be positive")
        self.maxMessageBytes = maxMessageBytes
    }

    public var hasIncompleteMessage: Bool {
        switch state {
        case .header: inHeaderBlock || !buffer.isEmpty
        case .body: true
        case .resynchronising: false
        }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (FrameEvent) -> Void) {
        var index = 0
        while index < chunk.count {
            let available = chunk.count - index
            switch state {
            case .body(let length) where buffer.isEmpty && available >= length:
                // The whole body is in this chunk: hand it over without copying.
                state = .header
                handle(.message(UnsafeRawBufferPointer(rebasing: chunk[index..<index + length])))
                index += length
            case .body(let length):
                let count = min(length - buffer.count, available)
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[index..<index + count]))
                index += count
                if buffer.count == length { emitBody(handle) }
            case .header, .resynchronising:
                step(chunk[index], handle)
                index += 1
            }
        }
    }

    /// Consumes one byte in any state (the byte-wise path for headers and replays).
    private mutating func step(_ byte: UInt8, _ handle: (FrameEvent) -> Void) {
        switch state {
        case .header:
            if byte == UInt8(ascii: "\n") {
                endHeaderLine(handle)
            } else if buffer.count >= Self.maxHeaderLineBytes {
                let line = buffer + [byte]
                fail("header line longer than \(Self.maxHeaderLineBytes) bytes", replaying: line.dropFirst(), handle)
            } else {
                buffer.append(byte)
            }
        case .resynchronising(let matched):
            let lower = Self.lowercased(byte)
            if lower == Self.resyncPattern[matched] {
                if matched + 1 == Self.resyncPattern.count {
                    state = .header
                    buffer = Self.resyncPattern
                } else {
                    state = .resynchronising(matched: matched + 1)
                }
            } else {
                // The pattern's first byte occurs nowhere else in it, so a restart is exact.
                state = .resynchronising(matched: lower == Self.resyncPattern[0] ? 1 : 0)
            }
        case .body(let length):
            buffer.append(byte)
            if buffer.count == length { emitBody(handle) }
        }
    }

    private mutating func endHeaderLine(_ handle: (FrameEvent) -> Void) {
        var line = buffer
        buffer.removeAll(keepingCapacity: true)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if line.isEmpty {
            guard inHeaderBlock else { return }  // blank lines between messages
            guard let length = contentLength else {
                fail("header block without Content-Length", replaying: [], handle)
                return
            }
            inHeaderBlock = false
            contentLength = nil
            beginBody(length, handle)
            return
        }
        inHeaderBlock = true
        // A name that is not an HTTP token is usually the rest of a body whose length
        // lied (e.g. `"id":1}Content-Length: 9`): rescan it for the real header.
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              line[..<colon].allSatisfy(Self.isTokenByte) else {
            fail("malformed header line", replaying: line.dropFirst() + [UInt8(ascii: "\n")], handle)
            return
        }
        guard line[..<colon].map(Self.lowercased).elementsEqual(Self.headerName) else { return }
        guard let length = Self.decimal(line[(colon + 1)...]) else {
            fail("invalid Content-Length value", replaying: line.dropFirst() + [UInt8(ascii: "\n")], handle)
            return
        }
        if let previous = contentLength, previous != length {
            fail("conflicting Content-Length headers", replaying: [], handle)
            return
        }
        contentLength = length
    }

    private mutating func beginBody(_ length: Int, _ handle: (FrameEvent) -> Void) {
        if length == 0 {
            handle(.message(UnsafeRawBufferPointer(start: nil, count: 0)))
        } else if length > maxMessageBytes {
            handle(.oversize(byteCount: length))
            state = .resynchronising(matched: 0)
        } else {
            state = .body(length: length)
        }
    }

    private mutating func emitBody(_ handle: (FrameEvent) -> Void) {
        state = .header
        buffer.withUnsafeBytes { handle(.message($0)) }
        buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
    }

    /// Reports the error, forgets the header block, and scans `replay` (the bytes after
    /// the start of the bad line) for the next header.
    private mutating func fail(_ detail: String, replaying replay: some Sequence<UInt8>,
                               _ handle: (FrameEvent) -> Void) {
        handle(.framingError(detail))
        state = .resynchronising(matched: 0)
        buffer = []
        inHeaderBlock = false
        contentLength = nil
        for byte in replay { step(byte, handle) }
    }

    /// A Content-Length value: optional blanks around 1 to 15 decimal digits.
    private static func decimal(_ text: ArraySlice<UInt8>) -> Int? {
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
              let last = text.lastIndex(where: { !isBlank($0) }) else { return nil }
        let digits = text[first...last]
        guard digits.count <= 15, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// RFC 9110 `tchar`: the bytes a header name may contain.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: tokenPunctuation.contains(byte)
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }
}
