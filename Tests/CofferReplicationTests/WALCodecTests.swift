import CofferStorage
import CofferTestKit
import Testing
@testable import CofferReplication

@Suite struct WALCodecTests {
    static let samples: [WALRecord] = [
        WALRecord(index: 1, operation: .put(key: "logical/abc/secret", value: [0, 1, 2, 255])),
        WALRecord(index: 42, operation: .put(key: "core/mounts", value: [])),
        WALRecord(index: .max, operation: .delete(key: "sys/policy/é/e\u{301}")),
        WALRecord(index: 7, operation: .deletePrefix("logical/uuid/")),
        WALRecord(index: 8, operation: .deletePrefix("")),
        WALRecord(index: 9, operation: .put(key: "", value: Array(repeating: 0xAB, count: 100_000))),
    ]

    @Test(arguments: samples)
    func roundTrips(_ record: WALRecord) throws {
        let bytes = WALCodec.encode(record)
        #expect(try WALCodec.decode(bytes) == record)
        #expect(bytes.first == WALCodec.version)
    }

    @Test func theFormatIsPinned() {
        // version, index 2, delete, key length 1, "a", CRC-32C of the preceding 15 bytes.
        let body: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 1, 0x61]
        let crc = CRC32C.checksum(body)
        let expected = body + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        #expect(WALCodec.encode(WALRecord(index: 2, operation: .delete(key: "a"))) == expected)
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func everyTruncationAndExtensionIsRejected() throws {
        for record in Self.samples.prefix(4) {
            let bytes = WALCodec.encode(record)
            for length in 0..<bytes.count {
                #expect(throws: WALError.self) { try WALCodec.decode(Array(bytes.prefix(length))) }
            }
            #expect(throws: WALError.self) { try WALCodec.decode(bytes + [0]) }
        }
    }

    @Test func everyFlippedBitIsRejected() throws {
        let bytes = WALCodec.encode(Self.samples[0])
        for offset in bytes.indices {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[offset] ^= UInt8(1 << bit)
                #expect(throws: WALError.self) { try WALCodec.decode(damaged) }
            }
        }
    }

    /// Bodies with a valid checksum, so the structural checks themselves are exercised.
    static func sealed(_ body: [UInt8]) -> [UInt8] {
        var bytes = body
        WALCodec.append(CRC32C.checksum(body), to: &bytes)
        return bytes
    }

    static let index: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]

    @Test func structurallyBadRecordsWithValidChecksumsAreRejected() throws {
        func code(_ body: [UInt8]) -> WALError.Code? {
            do {
                _ = try WALCodec.decode(Self.sealed(body))
                return nil
            } catch let error as WALError {
                return error.code
            } catch {
                return nil
            }
        }
        let index = Self.index
        #expect(code([2] + index + [2, 0, 0, 0, 1, 0x61]) == .unsupportedVersion)
        #expect(code([1] + index + [9, 0, 0, 0, 1, 0x61]) == .malformed)  // unknown operation
        #expect(code([1] + index + [2, 0xFF, 0xFF, 0xFF, 0xFF, 0x61]) == .malformed)  // key length beyond input
        #expect(code([1] + index + [2, 0, 2, 0, 0] + Array(repeating: 0x61, count: 0x20000)) == .malformed)  // key over limit
        #expect(code([1] + index + [2, 0, 0, 0, 2, 0xC3, 0x28]) == .malformed)  // key not UTF-8
        #expect(code([1] + index + [2, 0, 0, 0, 1, 0x61, 0]) == .malformed)  // delete with trailing bytes
        #expect(code([1] + index + [1, 0, 0, 0, 1, 0x61]) == .malformed)  // put without value length
        #expect(code([1] + index + [1, 0, 0, 0, 1, 0x61, 0, 0, 0, 3, 1, 2]) == .malformed)  // short value
        #expect(code([1] + index + [1, 0, 0, 0, 1, 0x61, 0, 0, 0, 1, 1, 2]) == .malformed)  // long value
        #expect(code([1] + index + [1, 0, 0, 0, 1, 0x61, 0, 0, 0, 2, 1, 2]) == nil)  // the valid one
    }

    @Test func randomInputNeverTraps() {
        var random = SeededGenerator(seed: 0xC0FFEE)
        var valid = WALCodec.encode(Self.samples[0])
        for _ in 0..<20_000 {
            var bytes: [UInt8]
            if random.next(below: 2) == 0 {
                bytes = random.bytes(Int(random.next(below: 64)))
            } else {
                // A sealed, mostly valid body with a few random bytes changed.
                var body = Array(valid.dropLast(4))
                for _ in 0..<(1 + random.next(below: 3)) {
                    body[Int(random.next(below: UInt64(body.count)))] = UInt8(random.next(below: 256))
                }
                bytes = Self.sealed(body)
            }
            _ = try? WALCodec.decode(bytes)
        }
        valid.removeAll()
    }

    @Test func descriptionsNeverShowValues() {
        let record = WALRecord(index: 3, operation: .put(key: "core/keyring", value: Array("hunter2".utf8)))
        #expect(!"\(record)".contains("hunter2"))
        #expect("\(record)".contains("core/keyring"))
        #expect(!"\(WALError(.malformed, "x"))".isEmpty)
    }

    @Test func fitsChecksTheLimits() {
        #expect(WALCodec.fits(.put(key: "a", value: [1])))
        #expect(!WALCodec.fits(.delete(key: String(repeating: "k", count: WALCodec.maximumKeyBytes + 1))))
        #expect(WALCodec.fits(.deletePrefix(String(repeating: "k", count: WALCodec.maximumKeyBytes))))
    }
}
