import Testing
@testable import CofferReplication

@Suite struct ReplicationModuleTests {
    @Test func moduleLinks() { #expect(String(describing: CofferReplication.self) == "CofferReplication") }
}
