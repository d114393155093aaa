import Testing
@testable import EarthEngineOperations

@Suite("Operation names, project ids and endpoints")
struct NameAndEndpointTests {
    @Test func parsesFullNamesAndBareIDs() throws {
        let full = try OperationName(parsing: "projects/my-project/operations/ABC123", defaultProject: "other")
        #expect(full.project == "my-project")
        #expect(full.operationID == "ABC123")
        let bare = try OperationName(parsing: "ABC123", defaultProject: "my-project")
        #expect(bare.description == "projects/my-project/operations/ABC123")
        let short = try OperationName(parsing: "operations/ABC123", defaultProject: "my-project")
        #expect(short == bare)
    }

    @Test func keepsSlashesAndPercentEncodesOtherReservedCharacters() throws {
        let name = try OperationName(project: "example.com:proj-1", operationID: "batch/2024/ö?x#y%z:w")
        #expect(name.urlPath == "projects/example.com%3Aproj-1/operations/batch/2024/%C3%B6%3Fx%23y%25z%3Aw")
    }

    @Test(arguments: ["", "projects/p/operations/", "projects/p/ops/X", "projects//operations/X", "projects/p", "a b", "a\u{1B}[2Jb",
                      "a//b", "/a", "a/", "a/../b", "./a", "projects/Bad_Project/operations/X"])
    func rejectsMalformedNames(text: String) {
        #expect(throws: NameError.self) { try OperationName(parsing: text, defaultProject: "p-1") }
    }

    @Test func bareIDWithoutProjectIsAClearError() {
        #expect(throws: NameError.noProject("ABC")) { try OperationName(parsing: "ABC", defaultProject: nil) }
        #expect(NameError.noProject("ABC").description.contains("--project"))
    }

    @Test(arguments: ["my-project", "ee-user-123", "123456789012", "example.com:my-project", "earthengine-legacy"])
    func acceptsProjectIDs(project: String) throws {
        try ProjectID.validate(project)
    }

    @Test(arguments: ["", "My Project", "UPPER", "-lead", "trail-", "with/slash", "with_underscore", String(repeating: "a", count: 101)])
    func rejectsProjectIDs(project: String) {
        #expect(throws: NameError.self) { try ProjectID.validate(project) }
    }

    @Test(arguments: ["https://earthengine.googleapis.com", "https://example.com:8443/", "http://127.0.0.1:8080", "http://localhost:1",
                      "http://[::1]:9000", "http://127.8.9.10"])
    func acceptsSafeEndpoints(text: String) throws {
        let endpoint = try ServiceEndpoint(text)
        #expect(!endpoint.baseURL.hasSuffix("/"))
    }

    /// Whitespace around the text (a value pasted into an environment variable, with its line feed) and trailing
    /// slashes are dropped.
    @Test func trimsWhitespaceAndTrailingSlashes() throws {
        #expect(try ServiceEndpoint("  http://127.0.0.1:8080/ \n").baseURL == "http://127.0.0.1:8080")
        #expect(try ServiceEndpoint("\thttps://example.com//").baseURL == "https://example.com")
    }

    @Test(arguments: ["http://example.com", "http://10.0.0.1:8080", "http://128.0.0.1", "ftp://127.0.0.1", "earthengine.googleapis.com",
                      "https://example.com/v1", "https://example.com?x=1", "http://localhost.example.com"])
    func refusesUnsafeOrMalformedEndpoints(text: String) {
        #expect(throws: OperationsError.self) { try ServiceEndpoint(text) }
    }
}
