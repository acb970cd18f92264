/// What a request asks of a path, after the HTTP verb has been translated
/// (GET → read, or list with `?list=true`; LIST → list; PUT/POST → create or update;
/// DELETE → delete; PATCH → patch).
public enum Operation: String, Sendable, Hashable, CaseIterable {
    case read
    case list
    case create
    case update
    case delete
    case patch
}
