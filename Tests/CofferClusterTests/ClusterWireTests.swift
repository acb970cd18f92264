import CofferReplication
import CofferStorage
import Foundation
import Testing
@testable import CofferCluster

@Suite struct ClusterWireTests {
    @Test(arguments: [
        StorageOperation.put(key: "logical/abc/secret", value: [0, 1, 2, 255]),
        .put(key: "logical/empty", value: []),
        .delete(key: "logical/abc/secret"),
        .deletePrefix("logical/abc/"),
    ])
    func walRecordsRoundTrip(_ operation: StorageOperation) throws {
        let record = WALRecord(index: 77, operation: operation)
        let wire = Coffer_Cluster_V1_WALRecord(record)
        let decoded = try WALRecord(wire: Coffer_Cluster_V1_WALRecord(serializedBytes: wire.serializedBytes() as [UInt8]))
        #expect(decoded == record)
    }

    @Test func malformedWALRecordsAreRefused() throws {
        var unset = Coffer_Cluster_V1_WALRecord()
        unset.index = 1
        unset.key = "k"
        var unknown = unset
        unknown.op = .UNRECOGNIZED(9)
        var zero = unset
        zero.op = .delete
        zero.index = 0
        var valueOnDelete = unset
        valueOnDelete.op = .delete
        valueOnDelete.value = Data([1])
        var emptyPrefix = unset
        emptyPrefix.op = .deletePrefix
        emptyPrefix.key = ""
        for wire in [unset, unknown, zero, valueOnDelete, emptyPrefix] {
            let error = #expect(throws: ClusterError.self) { try WALRecord(wire: wire) }
            #expect(error?.code == .malformedMessage)
        }
    }

    @Test func secretBearingMessagesPrintRedacted() {
        var bootstrap = Coffer_Cluster_V1_BootstrapResponse()
        bootstrap.clusterID = "c-1"
        bootstrap.rootKey = Data("ROOTKEYBYTES".utf8)
        bootstrap.devRootToken = "hvs.DEVROOT"
        var entry = Coffer_Cluster_V1_RawEntry()
        entry.key = "core/keyring"
        entry.value = Data("KEYRINGBYTES".utf8)
        entry.present = true
        bootstrap.barrierEntries = [entry]

        var forward = Coffer_Cluster_V1_ForwardRequest()
        forward.path = "secret/data/x"
        forward.dataJson = Data(#"{"password":"PLAINTEXT"}"#.utf8)
        forward.auth.tokenID = "hvs.CALLERTOKEN"
        forward.auth.accessor = "ACCESSORVALUE"

        var forwarded = Coffer_Cluster_V1_ForwardResponse()
        forwarded.responseJson = Data(#"{"data":{"password":"PLAINTEXT"}}"#.utf8)

        var record = Coffer_Cluster_V1_WALRecord()
        record.key = "logical/x"
        record.value = Data("CIPHERTEXT".utf8)
        var primary = Coffer_Cluster_V1_PrimaryMessage()
        primary.records.records = [record]

        var fetched = Coffer_Cluster_V1_FetchKeysResponse()
        fetched.entries = [entry]

        let texts: [String] = [
            "\(bootstrap)", String(reflecting: bootstrap),
            "\(forward)", String(reflecting: forward), String(reflecting: forward.auth),
            "\(forwarded)", String(reflecting: forwarded),
            "\(primary)", String(reflecting: primary), String(reflecting: record),
            "\(fetched)", String(reflecting: fetched), String(reflecting: entry),
        ]
        for text in texts {
            for secret in ["ROOTKEYBYTES", "DEVROOT", "KEYRINGBYTES", "PLAINTEXT", "CALLERTOKEN", "ACCESSORVALUE", "CIPHERTEXT"] {
                #expect(!text.contains(secret), "\(text) leaks \(secret)")
            }
        }
        #expect("\(bootstrap)".contains("core/keyring"))
        #expect("\(forward)".contains("secret/data/x"))
    }

    @Test(arguments: [
        ("127.0.0.1:8201", "127.0.0.1", 8201, ClusterAddress.HostKind.ipv4),
        ("https://10.0.0.5:8201", "10.0.0.5", 8201, .ipv4),
        ("https://10.0.0.5:8201/", "10.0.0.5", 8201, .ipv4),
        ("[::1]:8201", "::1", 8201, .ipv6),
        ("https://[fd00::5]:443", "fd00::5", 443, .ipv6),
        ("primary.vault.internal:8201", "primary.vault.internal", 8201, .dns),
    ])
    func clusterAddressesParse(_ text: String, host: String, port: Int, kind: ClusterAddress.HostKind) throws {
        let address = try ClusterAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.hostKind == kind)
        #expect(try ClusterAddress(parsing: address.description) == address)
    }

    @Test(arguments: ["", "host", "host:", ":8201", "host:0", "host:70000", "::1:8201", "http://host:8201", "ho st:1", "[::1]8201", "host:+80", "a/b:1"])
    func badClusterAddressesAreRefused(_ text: String) {
        let error = #expect(throws: ClusterError.self) { try ClusterAddress(parsing: text) }
        #expect(error?.code == .invalidAddress)
    }
}
