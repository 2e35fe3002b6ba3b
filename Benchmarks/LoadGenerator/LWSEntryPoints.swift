import CLibWebSockets

// C callbacks must be top-level functions; they find their worker through the context's
// user pointer (the thread entry through its argument).

func loadgenCallback(_ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                     _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    let worker = Unmanaged<Worker>.fromOpaque(owner).takeUnretainedValue()
    return worker.handle(wsi: wsi, reason: reason, user: user, input: input, length: length)
}

func loadgenThreadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    // Balances the passRetained in `Worker.start()`.
    Unmanaged<Worker>.fromOpaque(argument).takeRetainedValue().runServiceLoop()
    return nil
}
