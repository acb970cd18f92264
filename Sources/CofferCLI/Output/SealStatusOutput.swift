import CofferClient
import CofferJSON

/// The seal-status report of `status`, `operator unseal`: seal status plus the leader (HA)
/// fields, as a Key/Value table or as JSON.
enum SealStatusOutput {
    /// Asks `sys/leader` and prints. A 503 from `sys/leader` means a sealed HA node and is
    /// shown as "HA Enabled: true", as `vault` does. Returns 0, or 1 when the leader query
    /// failed otherwise.
    static func print(_ status: VaultSealStatus, client: VaultClient, run: CommandRun) async -> Int32 {
        let leader: VaultLeaderStatus
        do {
            leader = try await client.leader()
        } catch let error as VaultAPIError where error.status == 503 {
            leader = VaultLeaderStatus(json: ["ha_enabled": true])
        } catch {
            run.error("Error checking leader status: \(CommandRun.message(for: error))")
            return 1
        }
        switch run.format {
        case .json: run.printJSON(json(status, leader: leader))
        case .table: run.output(TableFormatter.table(header: ["Key", "Value"], rows: rows(status, leader: leader)))
        }
        return 0
    }

    /// Table rows in `vault status` order.
    static func rows(_ status: VaultSealStatus, leader: VaultLeaderStatus) -> [[String]] {
        let prefix = status.recoverySeal ? "Recovery " : ""
        var rows: [[String]] = [
            ["\(prefix)Seal Type", status.type],
            ["Initialized", String(status.initialized)],
            ["Sealed", String(status.sealed)],
            ["Total \(prefix)Shares", String(status.shares)],
            ["Threshold", String(status.threshold)],
        ]
        if status.sealed {
            rows.append(["Unseal Progress", "\(status.progress)/\(status.threshold)"])
            rows.append(["Unseal Nonce", status.nonce])
        }
        if status.migration {
            rows.append(["Seal Migration in Progress", "true"])
        }
        rows.append(["Version", status.version])
        rows.append(["Build Date", status.buildDate])
        rows.append(["Storage Type", status.storageType])
        if !status.clusterName.isEmpty && !status.clusterID.isEmpty {
            rows.append(["Cluster Name", status.clusterName])
            rows.append(["Cluster ID", status.clusterID])
        }
        rows.append(["HA Enabled", String(leader.haEnabled)])
        if leader.haEnabled && !status.sealed {
            rows.append(["HA Cluster", leader.leaderClusterAddress])
            rows.append(["HA Mode", leader.isSelf ? "active" : "standby"])
            if leader.isSelf && leader.activeTime != VaultLeaderStatus.zeroTime && !leader.activeTime.isEmpty {
                rows.append(["Active Since", leader.activeTime])
            }
            if !leader.isSelf {
                rows.append(["Active Node Address", leader.leaderAddress.isEmpty ? "<none>" : leader.leaderAddress])
            }
            if leader.performanceStandby {
                rows.append(["Performance Standby Node", "true"])
                rows.append(["Performance Standby Last Remote WAL", String(leader.performanceStandbyLastRemoteWAL)])
            }
        }
        if leader.raftCommittedIndex > 0 { rows.append(["Raft Committed Index", String(leader.raftCommittedIndex)]) }
        if leader.raftAppliedIndex > 0 { rows.append(["Raft Applied Index", String(leader.raftAppliedIndex)]) }
        if leader.lastWAL != 0 { rows.append(["Last WAL", String(leader.lastWAL)]) }
        return rows
    }

    /// The seal-status object with the leader fields merged in (`ha_enabled` always;
    /// `is_self`, addresses and indexes only when set, as Go's `omitempty` does).
    static func json(_ status: VaultSealStatus, leader: VaultLeaderStatus) -> JSONValue {
        var members = status.raw.objectValue ?? [:]
        members["ha_enabled"] = .bool(leader.haEnabled)
        members["active_time"] = .string(leader.activeTime.isEmpty ? VaultLeaderStatus.zeroTime : leader.activeTime)
        if leader.isSelf { members["is_self"] = true }
        if !leader.leaderAddress.isEmpty { members["leader_address"] = .string(leader.leaderAddress) }
        if !leader.leaderClusterAddress.isEmpty {
            members["leader_cluster_address"] = .string(leader.leaderClusterAddress)
        }
        if leader.performanceStandby { members["performance_standby"] = true }
        if leader.performanceStandbyLastRemoteWAL != 0 {
            members["performance_standby_last_remote_wal"] = .int(leader.performanceStandbyLastRemoteWAL)
        }
        if leader.lastWAL != 0 { members["last_wal"] = .int(leader.lastWAL) }
        if leader.raftCommittedIndex != 0 { members["raft_committed_index"] = .int(leader.raftCommittedIndex) }
        if leader.raftAppliedIndex != 0 { members["raft_applied_index"] = .int(leader.raftAppliedIndex) }
        return .object(members)
    }
}
