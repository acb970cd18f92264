import CofferLogical

/// What the pipeline learns about one request as it goes, for the stages after the
/// backend (wrapping, audit). `request` is the routed request (path relative to
/// `mount`); `fullPath` is the path under `/v1/` as the client sent it.
struct RequestContext: Sendable {
    var request: Request
    let fullPath: String
    /// The caller's resolved identity; nil for unauthenticated paths and failed lookups.
    var auth: AuthContext?
    /// The mount that served the request, once routed.
    var mount: MountEntry?
    /// The raw client token, kept only so a stage that must act as the caller can; never
    /// logged or audited as is.
    var clientToken: String?
    /// Whether the audit request entry was written (a response entry follows only then).
    var audited = false
    /// A consistency header asked a secondary to forward this request to its primary.
    var forwardRequested = false

    init(request: Request) {
        self.request = request
        self.fullPath = request.path
    }
}
