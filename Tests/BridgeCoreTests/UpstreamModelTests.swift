import Testing
@testable import BridgeCore

@Suite struct UpstreamModelTests {
    @Test func bothErrorBodyShapesParse() throws {
        let resultShape = try JSONValue.parse(#"{"success": false, "result": {"code": 401, "message": "Permission denied", "info": {}}, "data": {}}"#)
        let errorShape = try JSONValue.parse(#"{"success": false, "data": null, "error": {"code": 401, "message": "Permission denied", "info": {}}}"#)
        for body in [resultShape, errorShape] {
            let error = UnicatError(httpStatus: 401, body: body, endpoint: .projectInit)
            #expect(error.code == 401)
            #expect(error.message == "Permission denied")
        }
        let appCode = UnicatError(httpStatus: 422, body: try JSONValue.parse(
            #"{"success": false, "result": {"code": 1003, "message": "Process error", "info": {"process": "restore"}}, "data": {}}"#),
            endpoint: .project("backups/restore"))
        #expect(appCode.code == 1003)
        #expect(appCode.isUnprocessable)
        let invalid = UnicatError.invalidResponse(httpStatus: 502, body: Array("<html>bad gateway</html>".utf8), endpoint: .syncGet)
        #expect(invalid.code == 500 && invalid.message == "Invalid response")
    }

    @Test func endpointNotation() throws {
        #expect(try UnicatEndpoint(notation: "//users/get") == .global("users/get"))
        #expect(try UnicatEndpoint(notation: "/records/get") == .project("records/get"))
        #expect(try UnicatEndpoint(notation: "records/get").url(baseURL: "https://u.app", project: "p") == "https://u.app/api/p/p/records/get")
        #expect(try UnicatEndpoint(notation: "sync/get") == .syncGet)
        let refusals = ["../admin": "a \"..\" segment", "./apikeys/get": "a \".\" segment", "records//get": "an empty segment",
                        "//": "no path", "": "no path", "records/get?x=1": "the character \"?\"", "a%2eb": "the character \"%\""]
        for (notation, reason) in refusals {
            #expect(throws: UnicatEndpoint.NotationError(notation: notation, reason: reason)) { try UnicatEndpoint(notation: notation) }
        }
        #expect(try UnicatEndpoint(notation: "//p/x/apikeys/get").handlesCredentials)
        #expect(try UnicatEndpoint(notation: "//p/x/records/get").reachesProjectThroughGlobalPrefix)
        #expect(try !UnicatEndpoint(notation: "records/p/get").reachesProjectThroughGlobalPrefix)
        #expect(try !UnicatEndpoint(notation: "sync/auth").handlesCredentials)
        #expect(UnicatEndpoint.project("records/get").isRead)
        #expect(UnicatEndpoint.project("records/children").isRead)
        #expect(!UnicatEndpoint.project("records/update").isRead)
        #expect(!UnicatEndpoint.project("backups/restore").isRead)
        #expect(UnicatEndpoint.syncCursors.isRead)
    }

    @Test func allowListEntriesAreReadIntoCanonicalForm() throws {
        let records = try EndpointPattern("/records/*")
        #expect(records.description == "records/*")
        #expect(records.matches(.project("records/get")) && !records.matches(.project("assets/get")))
        #expect(try EndpointPattern("/records/get").matches(.project("records/get")))
        let everything = try EndpointPattern("*")
        #expect(everything.matches(.global("users/get")))
        #expect(!everything.matches(.global("p/x/records/get")), "another project only when named")
        #expect(try EndpointPattern("//p/*").matches(.global("p/x/records/get")))
        for bad in ["records/./*", "records//*", "rec*ords", "./x"] {
            #expect(throws: UnicatEndpoint.NotationError.self) { try EndpointPattern(bad) }
        }
    }

    /// The official client's reads (digest §10) pass the default allow-list of `unicat.call`;
    /// its mutations do not. The objects those reads return can all be fetched for `unicat.get`.
    @Test func defaultAllowListCoversTheOfficialClientsReads() {
        let readOnly = TransportPolicy()
        let reads = ["records/get", "records/root", "records/children", "records/bulk/get", "assets/get",
                     "assets/root", "assets/children", "assets/bulk/get", "schema/bulk/get", "definitions/get",
                     "classes/get", "fields/get", "layouts/get", "queries/get", "modules/all", "modules/get",
                     "init", "//users/get", "//members/get", "//projects/get", "sync/get", "sync/cursors"]
        for read in reads {
            let endpoint = try? UnicatEndpoint(notation: read)
            #expect(endpoint?.isRead == true, "\(read)")
            #expect(endpoint.map(readOnly.permits) == true, "\(read)")
        }
        let mutations = ["records/create", "records/update", "records/link", "records/orderings/set",
                         "records/channels/set", "records/channels/copy_down", "records/definition/set",
                         "records/definition/classes/add", "records/definition/clone", "records/permanent_delete",
                         "records/bulk/duplicate", "assets/create", "assets/update", "assets/upload",
                         "assets/metadata/set", "assets/permanent_delete", "definitions/create",
                         "definitions/modify", "definitions/commit", "definitions/fieldlists/fields/add",
                         "classes/layouts/modify", "fields/metadata/clear", "queries/create", "modules/register",
                         "modules/keys/set", "modules/actions/publish", "modules/logs/add", "languages/add",
                         "channels/create", "orderings/delete", "fieldlists/create", "backups/create",
                         "backups/update", "backups/restore", "backups/delete"]
        for mutation in mutations {
            let endpoint = try? UnicatEndpoint(notation: mutation)
            #expect(endpoint?.isRead == false, "\(mutation)")
            #expect(endpoint.map(readOnly.permits) == false, "\(mutation)")
        }
        for dataType in ["records", "assets", "definitions", "classes", "fields", "layouts", "queries", "modules",
                         "cc.projects"] {
            #expect(ObjectFetchSpec.spec(for: dataType)?.responseType == dataType, "\(dataType)")
        }
    }

    @Test func retryAfterParses() {
        #expect(RetryPolicy.retryAfter("3") == 3)
        #expect(RetryPolicy.retryAfter(nil) == nil)
        #expect(RetryPolicy.retryAfter("soon") == nil)
        let future = RetryPolicy.retryAfter("Wed, 21 Oct 2099 07:28:00 GMT") ?? 0
        #expect(future > 1000)
        let policy = RetryPolicy(maxRetryAfter: 60)
        #expect(policy.delay(attempt: 0, retryAfter: 600) == 60)
        for attempt in 0..<20 { #expect(policy.delay(attempt: attempt) <= policy.maxDelay) }
    }

    @Test func credentialStoreStripsBearerAndCountsChanges() {
        let store = CredentialStore()
        store.adopt("Bearer abc")
        #expect(store.token?.reveal() == "abc")
        let generation = store.current.generation
        store.adopt("abc")
        #expect(store.current.generation == generation)
        store.adopt("def")
        #expect(store.current.generation == generation + 1)
    }
}
