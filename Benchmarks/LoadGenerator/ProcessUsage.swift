#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The generator's own CPU use (getrusage): a figure is trusted only while the generator
/// itself is not saturated.
struct ProcessUsage: Codable, Sendable {
    var userSeconds: Double
    var systemSeconds: Double

    static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return ProcessUsage(userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime))
    }

    var total: Double { userSeconds + systemSeconds }

    private static func seconds(_ value: timeval) -> Double {
        Double(value.tv_sec) + Double(value.tv_usec) / 1e6
    }

    /// Raises the open-file limit to the hard limit: every connection is a descriptor.
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(clamping: limit.rlim_cur)
    }
}
