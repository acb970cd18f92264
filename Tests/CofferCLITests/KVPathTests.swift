@testable import CofferCLI
import Testing

@Suite("KV v2 path rewriting")
struct KVPathTests {
    @Test(arguments: [
        ("secret/foo", "secret/", "data", false, "secret/data/foo"),
        ("secret", "secret/", "metadata", false, "secret/metadata"),
        ("secret/", "secret/", "metadata", false, "secret/metadata"),
        ("secret/a/b", "secret/", "destroy", false, "secret/destroy/a/b"),
        ("team/kv/a", "team/kv/", "data", false, "team/kv/data/a"),
        // The mount path carries a namespace the secret path lacks.
        ("secret/foo", "ns1/secret/", "data", false, "secret/data/foo"),
        ("secret/metadata/app", "secret/", "metadata", true, "secret/metadata/app"),
        ("secret/metadata/app", "secret/", "metadata", false, "secret/metadata/metadata/app"),
    ])
    func insertPrefix(_ path: String, _ mount: String, _ prefix: String, _ skip: Bool, _ expected: String) {
        #expect(KVPath.insert(prefix, into: path, mountPath: mount, skipIfExists: skip) == expected)
    }

    @Test func joinCleansLikeGo() {
        #expect(KVPath.join("secret/", "foo") == "secret/foo")
        #expect(KVPath.join("", "foo") == "foo")
        #expect(KVPath.join("a//b", "./c", "../d") == "a/b/d")
        #expect(KVPath.join("", "") == "")
    }

    @Test func v1PathsAreUsedAsIs() {
        let path = KVPath(mountPath: "kv1/", isV2: false, partialPath: "kv1/foo")
        #expect(path.apiPath("data") == "kv1/foo")
        #expect(path.apiPath("metadata", skipIfExists: true) == "kv1/foo")
    }
}
