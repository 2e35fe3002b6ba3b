#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes a plugin's configuration (the JSON object text handed to `create`).
public enum PluginConfiguration {
    /// `T` from `json`; every failure is a `PluginError` (or several, `ConfigurationProblems`)
    /// whose text suits the host's log.
    public static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch let error as PluginError {
            throw error
        } catch let error as ConfigurationProblems {
            throw error
        } catch {
            throw PluginError("the configuration must be a JSON object (\(error))")
        }
    }
}
