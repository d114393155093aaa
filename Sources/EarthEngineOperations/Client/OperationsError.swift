/// Everything that can go wrong talking to the Operations API, with messages meant for people.
///
/// Messages never contain credentials. Text that came from a server is neutralised and capped where the error
/// is made (``ServerText``), and ``description`` passes through the same sanitiser once more, so that an error
/// is safe to print, log or show as it is.
public enum OperationsError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an error: the google.rpc code, the HTTP status and the server's message.
    case api(code: RPCCode, httpStatus: Int, message: String)
    /// The server answered with an error status and a body that is not a Google error envelope
    /// (an HTML page from a proxy, an empty body, ...).
    case unexpectedErrorBody(httpStatus: Int, contentType: String?, excerpt: String)
    /// A 2xx answer whose body could not be understood.
    case invalidResponse(String)
    /// The request never got an answer: connection refused, reset, timed out, DNS failure.
    case transport(String)
    /// The configuration is unusable (e.g. plain HTTP to a host that is not loopback).
    case configuration(String)
    /// No usable credentials: none found, or a credentials file that cannot be read or understood.
    case credentials(String)
    /// The credentials were refused or could not be refreshed (revoked, expired, wrong scope, clock skew,
    /// network), naming the source.
    case authentication(String)
    /// A name was rejected before any request was sent.
    case invalidName(NameError)
    /// The request was deliberately not sent: the batch it belongs to was stopped (interrupted, or the audit
    /// log could not be written).
    case notSent(String)

    /// The google.rpc code this error stands for, when it has one.
    public var rpcCode: RPCCode? {
        switch self {
        case .api(let code, _, _): code
        case .unexpectedErrorBody(let status, _, _): RPCCode(httpStatus: status)
        case .transport: .unavailable
        default: nil
        }
    }

    /// True for errors worth retrying: 429, 500, 502, 503, 504 and connection failures.
    public var isRetryable: Bool {
        switch self {
        case .api(_, let status, _), .unexpectedErrorBody(let status, _, _): [429, 500, 502, 503, 504].contains(status)
        case .transport: true
        default: false
        }
    }

    public var description: String {
        TerminalText.sanitize(unsanitizedDescription)
    }

    private var unsanitizedDescription: String {
        switch self {
        case .api(let code, let status, let message):
            let hint = switch code {
            case .unauthenticated: " (the access token is missing, invalid or expired)"
            case .permissionDenied: " (the credentials may not use this project, or the Earth Engine API is not enabled for it)"
            case .resourceExhausted: " (quota exceeded: too many requests)"
            case .unimplemented: " (the server does not support this method for this operation)"
            default: ""
            }
            let text = message.isEmpty ? "HTTP \(status)" : message
            return "\(code.name): \(text)\(hint)"
        case .unexpectedErrorBody(let status, let contentType, let excerpt):
            let kind = contentType.map { " (\($0))" } ?? ""
            let body = excerpt.isEmpty ? "an empty body" : "'\(excerpt)'"
            return "HTTP \(status) from the server with \(body)\(kind) instead of an API error; a proxy or load balancer may be in the way"
        case .invalidResponse(let why): return "the server's answer could not be read: \(why)"
        case .transport(let why): return "could not reach the server: \(why)"
        case .configuration(let why): return why
        case .credentials(let why): return why
        case .authentication(let why): return why
        case .invalidName(let error): return error.description
        case .notSent(let why): return "not sent: \(why)"
        }
    }
}
