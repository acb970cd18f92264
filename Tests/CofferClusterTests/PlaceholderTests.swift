import Testing
@testable import CofferCluster

@Suite struct ClusterModuleTests {
    @Test func moduleLinks() { #expect(String(describing: CofferCluster.self) == "CofferCluster") }
}
