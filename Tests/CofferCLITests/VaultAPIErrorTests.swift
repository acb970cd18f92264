import CofferClient
import CofferJSON
import Testing

@Suite("API error text")
struct VaultAPIErrorTests {
    @Test func formatsLikeTheVaultCLI() {
        let response = VaultResponse(
            method: "GET", url: "http://127.0.0.1:8200/v1/secret/foo", status: 403, headers: [],
            body: Array(#"{"errors":["permission denied"]}"#.utf8))
        let error = VaultAPIError(response: response)
        #expect(error.status == 403)
        #expect(error.errors == ["permission denied"])
        #expect(
            error.description
                == "Error making API request.\n\nURL: GET http://127.0.0.1:8200/v1/secret/foo\nCode: 403. Errors:\n\n* permission denied"
        )
    }

    @Test func severalErrorsOnePerLine() {
        let error = VaultAPIError(
            status: 403, method: "LIST", url: "http://h:1/v1/x/", errors: ["permission denied", "invalid token"])
        #expect(error.description.hasSuffix("Code: 403. Errors:\n\n* permission denied\n* invalid token"))
    }

    @Test func emptyErrorList() {
        let response = VaultResponse(
            method: "GET", url: "http://h:1/v1/x", status: 404, headers: [], body: Array(#"{"errors":[]}"#.utf8))
        #expect(VaultAPIError(response: response).description.hasSuffix("Code: 404. Errors:\n\n"))
    }

    @Test func nonJSONBodyIsARawMessage() {
        let response = VaultResponse(
            method: "PUT", url: "https://h:8200/v1/sys/seal", status: 502, headers: [], body: Array("Bad Gateway".utf8))
        let error = VaultAPIError(response: response)
        #expect(error.rawMessage == "Bad Gateway")
        #expect(
            error.description == "Error making API request.\n\nURL: PUT https://h:8200/v1/sys/seal\nCode: 502. Raw Message:\n\nBad Gateway")
    }

    @Test func namespaceIsShown() {
        let error = VaultAPIError(status: 404, method: "GET", url: "u", errors: ["namespace not found"], namespace: "ns1/")
        #expect(error.description == "Error making API request.\n\nNamespace: ns1/\nURL: GET u\nCode: 404. Errors:\n\n* namespace not found")
    }

    @Test func errorBodyKeepsData() {
        let response = VaultResponse(
            method: "GET", url: "u", status: 404, headers: [],
            body: Array(#"{"errors":[],"data":{"metadata":{"deletion_time":"t"}}}"#.utf8))
        #expect(VaultAPIError(response: response).body?["data"]?["metadata"]?["deletion_time"] == "t")
    }
}
