/// A string compared and hashed by its UTF-8 bytes, as Go compares strings.
///
/// Swift's `String` equality is Unicode canonical equivalence, so `"é"` precomposed and
/// decomposed are equal; storage keys and Vault's ACL are byte-exact. Rules keyed by
/// this type match exactly the paths Vault would match, no more.
struct ByteString: Hashable, Sendable {
    let string: String

    init(_ string: String) { self.string = string }
    init(_ string: Substring) { self.string = String(string) }

    static func == (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
        hasher.combine(string.utf8.count)
    }
}
