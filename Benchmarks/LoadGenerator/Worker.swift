import CLibWebSockets
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One lws client context and its service thread, holding a share of the connections.
///
/// Everything but the `Mutex`/`Atomic` members is touched only on the service thread while
/// it runs, and by the controller after `join()`; hence `@unchecked Sendable`.
final class Worker: @unchecked Sendable {
    struct ContextRef: @unchecked Sendable { let pointer: OpaquePointer }

    static let protocolName = "bridge-loadgen"

    let plan: RunPlan
    let shared: RunShared
    let clock: Clock
    /// The run-wide number of each local connection.
    let globalIndex: [Int]
    var connections: [ConnectionState]
    /// Arrivals of sampled healthy connections, handed to the controller on each report.
    let arrivals = Mutex<[ItemArrival]>([])
    /// Healthy open connections at or past the current target, for `targetGeneration`.
    let reached = Atomic<Int>(0)
    let reachedGeneration = Atomic<Int>(0)
    /// The first few connection errors, for the summary.
    let errors = Mutex<[String]>([])
    private let contextRef = Mutex<ContextRef?>(nil)
    private(set) var thread: pthread_t?

    var context: OpaquePointer?
    var pendingConnects: [Int] = []
    var connecting = 0
    var localArrivals: [ItemArrival] = []
    var seen = RunShared.Commands()
    var sendStartedAt: Double?

    private var protocols: UnsafeMutablePointer<lws_protocols>?
    private var cStrings: [UnsafeMutablePointer<CChar>] = []

    init(plan: RunPlan, shared: RunShared, clock: Clock, globalIndex: [Int]) {
        self.plan = plan
        self.shared = shared
        self.clock = clock
        self.globalIndex = globalIndex
        connections = globalIndex.map {
            ConnectionState(role: plan.role(of: $0), sampled: $0 % plan.sampledEvery == 0)
        }
    }

    func start() -> Bool {
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, loadgenThreadMain, argument) == 0 else {
            Unmanaged<Worker>.fromOpaque(argument).release()
            return false
        }
        self.thread = thread
        return true
    }

    func join() {
        if let thread { pthread_join(thread, nil) }
    }

    /// Wakes the service thread so it reads the commands (any thread).
    func wake() {
        contextRef.withLock { reference in
            if let reference { lws_cancel_service(reference.pointer) }
        }
    }

    /// CPU seconds the service thread has used so far (any thread).
    func threadCPUSeconds() -> Double {
        guard let thread else { return 0 }
        var clockID = clockid_t()
        guard pthread_getcpuclockid(thread, &clockID) == 0 else { return 0 }
        var spec = timespec()
        guard clock_gettime(clockID, &spec) == 0 else { return 0 }
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    func note(error: String) {
        errors.withLock { if $0.count < 8 { $0.append(error) } }
    }

    // MARK: - Service thread

    func runServiceLoop() {
        guard let context = makeContext() else {
            note(error: "cannot create the lws context")
            shared.add(shared.failed, connections.count)
            shared.add(shared.pendingConnects, -connections.count)
            return
        }
        self.context = context
        contextRef.withLock { $0 = ContextRef(pointer: context) }
        pendingConnects = Array(connections.indices)
        while true {
            let commands = shared.commands.withLock { $0 }
            if commands.stop { break }
            apply(commands)
            pumpConnects()
            flushArrivals()
            if lws_service(context, 0) < 0 { break }
        }
        flushArrivals()
        // The closes lws makes while destroying the context are ours, not the server's.
        for index in connections.indices { connections[index].closeRequested = true }
        contextRef.withLock { $0 = nil }
        lws_context_destroy(context)
        self.context = nil
        releaseCStrings()
    }

    private func makeContext() -> OpaquePointer? {
        guard let name = strdup(Self.protocolName) else { return nil }
        cStrings.append(name)
        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)  // [1] stays zero: the terminator
        protocols[0].name = UnsafePointer(name)
        protocols[0].callback = loadgenCallback
        self.protocols = protocols

        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        info.gid = -1
        info.uid = -1
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.fd_limit_per_thread = UInt32(connections.count + 64)
        info.timeout_secs = 60
        info.connect_timeout_secs = 60
        info.options = UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
        if let caFile = plan.caFile, let path = strdup(caFile) {
            cStrings.append(path)
            info.client_ssl_ca_filepath = UnsafePointer(path)
            info.options |= UInt64(LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS)
        }
        return lws_create_context(&info)
    }

    private func releaseCStrings() {
        if let protocols {
            protocols.deinitialize(count: 2)
            protocols.deallocate()
            self.protocols = nil
        }
        cStrings.forEach { free($0) }
        cStrings = []
    }

    /// Acts once on each new command generation.
    private func apply(_ commands: RunShared.Commands) {
        if commands.targetGeneration != seen.targetGeneration { adoptTarget(commands) }
        if commands.dropGeneration != seen.dropGeneration { dropAll() }
        if commands.resumeGeneration != seen.resumeGeneration { reconnectAll() }
        if commands.sendGeneration != seen.sendGeneration { startSending() }
        seen = commands
    }

    private func adoptTarget(_ commands: RunShared.Commands) {
        var count = 0
        for index in connections.indices {
            let connection = connections[index]
            let reached = connection.role == .receiver && connection.phase == .open
                && connection.project.last >= commands.target
            connections[index].reachedTarget = reached
            if reached { count += 1 }
        }
        reached.store(count, ordering: .relaxed)
        reachedGeneration.store(commands.targetGeneration, ordering: .releasing)
        seen.target = commands.target
    }

    private func dropAll() {
        for index in connections.indices where connections[index].phase == .open {
            connections[index].closeRequested = true
            if let wsi = connections[index].wsi { lws_callback_on_writable(wsi) }
        }
    }

    /// Reconnects every closed connection (the controller counted them as pending).
    private func reconnectAll() {
        for index in connections.indices where connections[index].role != .sender {
            switch connections[index].phase {
            case .closed, .failed, .idle: pendingConnects.append(index)
            case .connecting, .open: shared.add(shared.pendingConnects, -1)
            }
        }
    }

    private func startSending() {
        guard let index = connections.indices.first(where: { connections[$0].role == .sender }),
              let wsi = connections[index].wsi else { return }
        sendStartedAt = clock.now()
        lws_callback_on_writable(wsi)
    }

    private func pumpConnects() {
        let limit = max(1, plan.connectConcurrency / max(1, plan.threads))
        while connecting < limit, !pendingConnects.isEmpty {
            connect(pendingConnects.removeFirst())
        }
    }

    private func connect(_ index: Int) {
        guard let context else { return }
        let position = connections[index].position
        let strings = [plan.url.host, plan.path(since: position), plan.url.authority, Self.protocolName,
                       plan.subprotocol ?? ""]
        let cStrings = strings.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }  // lws copies them into the new wsi
        var info = lws_client_connect_info()
        info.context = context
        info.address = UnsafePointer(cStrings[0])
        info.port = Int32(plan.url.port)
        info.path = UnsafePointer(cStrings[1])
        info.host = UnsafePointer(cStrings[2])
        info.local_protocol_name = UnsafePointer(cStrings[3])
        if plan.subprotocol != nil { info.protocol = UnsafePointer(cStrings[4]) }
        info.ietf_version_or_minus_one = -1
        if plan.url.secure { info.ssl_connection = Int32(LCCSCF_USE_SSL.rawValue) }
        // The local index travels as the wsi's user pointer (never dereferenced).
        info.userdata = UnsafeMutableRawPointer(bitPattern: index + 1)
        connections[index].phase = .connecting
        connections[index].connects += 1
        connections[index].closeRequested = false
        connecting += 1
        let wsi = lws_client_connect_via_info(&info)
        if connections[index].phase == .connecting {
            if let wsi {
                connections[index].wsi = wsi
            } else {
                settleFailure(index, reason: "lws_client_connect_via_info refused")
            }
        }
    }

    func settleFailure(_ index: Int, reason: String) {
        connections[index].phase = .failed
        connections[index].failures += 1
        connections[index].wsi = nil
        connecting -= 1
        shared.add(shared.failed)
        shared.add(shared.pendingConnects, -1)
        note(error: reason)
    }

    func flushArrivals() {
        guard !localArrivals.isEmpty else { return }
        let batch = localArrivals
        localArrivals.removeAll(keepingCapacity: true)
        arrivals.withLock { $0.append(contentsOf: batch) }
    }
}
