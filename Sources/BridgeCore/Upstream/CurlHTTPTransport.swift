import CCurl
import Foundation
import Synchronization
import Locking

/// HTTP(S) over libcurl, TLS by OpenSSL, with an optional CA file for the upstream.
/// `curl_easy_perform` blocks, so each request runs on a thread of a private queue; easy
/// handles are pooled so connections (and TLS sessions) are reused.
public final class CurlHTTPTransport: HTTPTransport {
    private let caFile: String?
    private let pool = Locked<[HandleRef]>([])
    private let queue = DispatchQueue(label: "unicat-bridge.upstream-http", attributes: .concurrent)

    private static let globalInit: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    public init(caFile: String?) {
        _ = Self.globalInit
        self.caFile = caFile
    }

    deinit {
        for handle in pool.withLock({ $0 }) { curl_easy_cleanup(handle.pointer) }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let exchange = CurlExchange(request: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result { try self.perform(exchange) })
                }
            }
        } onCancel: {
            exchange.cancel()
        }
    }

    private func perform(_ exchange: CurlExchange) throws -> HTTPResponse {
        guard let handle = pool.withLock({ $0.popLast() }) ?? curl_easy_init().map(HandleRef.init) else {
            throw TransportError(kind: .notSent, message: "libcurl could not create a handle")
        }
        var reusable = true
        defer {
            if reusable { pool.withLock { $0.append(handle) } } else { curl_easy_cleanup(handle.pointer) }
        }
        let h = handle.pointer
        curl_easy_reset(h)
        let request = exchange.request
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // An empty Expect stops curl from waiting for 100-continue on larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = request.url.withCString { url in
            request.method.withCString { method in
                errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                    let body = request.body ?? Data()
                    return body.withUnsafeBytes { bodyBytes in
                        let context = Unmanaged.passUnretained(exchange).toOpaque()
                        _ = ccurl_setopt_ptr(h, CURLOPT_URL, url)
                        _ = ccurl_setopt_ptr(h, CURLOPT_CUSTOMREQUEST, method)
                        _ = ccurl_setopt_ptr(h, CURLOPT_HTTPHEADER, headerList)
                        _ = ccurl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
                        _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
                        _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
                        _ = ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(min(request.timeout, 15) * 1000))
                        _ = ccurl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
                        // The path goes out as built: the endpoint policy decided on exactly it.
                        _ = ccurl_setopt_long(h, CURLOPT_PATH_AS_IS, 1)
                        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
                        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
                        _ = ccurl_setopt_long(h, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
                        if let caFile { _ = caFile.withCString { ccurl_setopt_ptr(h, CURLOPT_CAINFO, $0) } }
                        if request.body != nil || request.method == "POST" {
                            _ = ccurl_setopt_ptr(h, CURLOPT_POSTFIELDS, bodyBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
                            _ = ccurl_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyBytes.count))
                        }
                        _ = ccurl_setopt_data_cb(h, CURLOPT_WRITEFUNCTION, curlWriteBody)
                        _ = ccurl_setopt_ptr(h, CURLOPT_WRITEDATA, context)
                        _ = ccurl_setopt_data_cb(h, CURLOPT_HEADERFUNCTION, curlWriteHeader)
                        _ = ccurl_setopt_ptr(h, CURLOPT_HEADERDATA, context)
                        _ = ccurl_setopt_xferinfo_cb(h, curlProgress)
                        _ = ccurl_setopt_ptr(h, CURLOPT_XFERINFODATA, context)
                        _ = ccurl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
                        return curl_easy_perform(h)
                    }
                }
            }
        }
        // Options point at buffers that die with this call: never leave them set.
        _ = ccurl_setopt_ptr(h, CURLOPT_ERRORBUFFER, nil)
        guard code == CURLE_OK else {
            reusable = false
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw TransportError(kind: Self.kind(of: code, cancelled: exchange.isCancelled), message: message)
        }
        var status = 0
        _ = ccurl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return exchange.response(status: status)
    }

    private static func kind(of code: CURLcode, cancelled: Bool) -> TransportError.Kind {
        if cancelled { return .cancelled }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .notSent
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .tls
        default:
            return .broken
        }
    }

    /// An easy handle, moved between threads only through the pool's lock.
    private struct HandleRef: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    }
}

/// The state of one request while curl runs it; curl's callbacks reach it through their
/// userdata pointer, all on the performing thread.
final class CurlExchange: @unchecked Sendable {
    let request: HTTPRequest
    private var body: [UInt8] = []
    private var headers: [String: String] = [:]
    private let cancelled = Atomic<Bool>(false)

    init(request: HTTPRequest) { self.request = request }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    func appendBody(_ bytes: UnsafeRawBufferPointer) { body.append(contentsOf: bytes) }

    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response (after a redirect or 100-continue): forget earlier headers.
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers[name] = value
    }

    func response(status: Int) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: body)
    }
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    exchange.appendBody(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    exchange.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

private func curlProgress(_ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    return Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue().isCancelled ? 1 : 0
}
