import CofferLogical

extension Core {
    /// Writes the audit request entry. Placeholder until audit devices land: no devices.
    func auditRequest(context: RequestContext, active: ActiveState) async throws {}

    /// Writes the audit response entry (or the error). Placeholder until audit devices land.
    func auditResponse(_ response: Response?, error: (any Error)?, context: RequestContext, active: ActiveState) async throws {}
}
