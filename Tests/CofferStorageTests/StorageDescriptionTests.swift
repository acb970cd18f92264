import CofferStorage
import Testing

@Suite struct StorageDescriptionTests {
    @Test func descriptionsNeverShowValueBytes() {
        let secret: [UInt8] = Array("hunter2-root-key".utf8)
        let batch = StorageBatch([.put(key: "core/keyring", value: secret), .delete(key: "a"), .deletePrefix("p/")])
        for text in [String(describing: batch), String(reflecting: batch), "\(batch.operations)"] {
            #expect(!text.contains("104"))  // the first byte, as an array would print it
            #expect(!text.contains("hunter2"))
            #expect(text.contains("core/keyring"))
            #expect(text.contains("16 bytes"))
        }
    }
}
