import CofferReplication
import CofferTestKit
import Testing

/// What the replication simulation found outside its own shells, kept as tests that replay
/// the finding (each takes a seed that shows it within a few dozen steps).
@Suite struct SimulationFindingsTests {
    /// `PrimaryService.streamWAL` used to take the resync mark (`takeResync`) with the
    /// first `startStream` after a filter change. When that stream broke before the forced
    /// Merkle sync completed, the mark was spent: the next stream started without a sync
    /// and shipped records filtered under the new filter over data that followed the old
    /// one (newly denied keys stayed, newly allowed ones were never fetched). Fixed: the
    /// mark now stays until the secondary asks for the stream again on the stream that
    /// forced the sync, under the same filter generation (`resyncCompleted`), which the
    /// simulator's default shell mirrors. These seeds keep proving that invariant 2
    /// (records only under the filter the data was synced to) catches the old behaviour.
    @Test(arguments: [UInt64(24), 26, 32])
    func aResyncMarkSpentOnABrokenStreamWouldBeCaught(seed: UInt64) async {
        let configuration = ReplicationSimulator.Configuration(steps: 200, primaryShell: .spendsMarkOnFirstStart, failovers: false)
        await #expect {
            _ = try await ReplicationSimulator(seed: seed, configuration: configuration).run()
        } throws: { error in
            (error as? ReplicationSimulationFailure)?.message.contains("without the Merkle sync that must come first") == true
        }
    }

    /// `ReplicationExclusion.excludes` once tested `String.hasPrefix`, which compares
    /// `Character`s: a key whose first character after the excluded prefix is a combining
    /// mark (`logical/<uuid>/` + "\u{301}x") merged with the prefix's last "/" into one
    /// grapheme, so the key was not excluded although storage (bytes) puts it under the
    /// prefix, and a filtered secondary received it (seed 16 showed it). It compares
    /// UTF-8 bytes now.
    @Test func aKeyStartingWithACombiningMarkIsExcludedByItsPrefix() async throws {
        #expect(ReplicationExclusion(prefixes: ["rep/a/"]).excludes("rep/a/\u{301}6"))
        #expect(!ReplicationExclusion(prefixes: ["rep/a/"]).excludes("rep/ab"))
        _ = try await ReplicationSimulator(seed: 16, configuration: .init(steps: 200, combiningMarkKeys: true, failovers: false)).run()
    }
}
