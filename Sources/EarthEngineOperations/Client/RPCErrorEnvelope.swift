import Foundation

/// The Google error envelope of a failed request, `{"error": {"code": 404, "message": "…", "status": "NOT_FOUND"}}`,
/// and how an error answer becomes an ``OperationsError``.
///
/// Foundation only (no NIO), so that the fuzzer (`Fuzz/`, `scripts/fuzz.sh`) compiles this very file.
struct RPCErrorEnvelope: Decodable {
    struct Body: Decodable { var code: Int?; var message: String?; var status: String? }
    var error: Body

    /// Turns an error answer into a typed error: the Google envelope when there is one, else the status.
    static func operationsError(httpStatus: Int, contentType: String?, body: Data) -> OperationsError {
        if !body.isEmpty, let envelope = try? JSONDecoder().decode(RPCErrorEnvelope.self, from: body) {
            let code = envelope.error.status.flatMap(RPCCode.init(name:)) ?? RPCCode(httpStatus: httpStatus)
            return .api(code: code, httpStatus: httpStatus, message: ServerText.message(envelope.error.message ?? ""))
        }
        return .unexpectedErrorBody(httpStatus: httpStatus, contentType: contentType.map { ServerText.message($0, limit: 100) }, excerpt: excerpt(of: body))
    }

    /// A short, single-line, sanitised summary of a non-API error body: an HTML page's title, or its first characters.
    static func excerpt(of body: Data) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        if let start = text.range(of: "<title>", options: .caseInsensitive),
           let end = text.range(of: "</title>", options: .caseInsensitive, range: start.upperBound..<text.endIndex) {
            return ServerText.message(collapse(String(text[start.upperBound..<end.lowerBound])), limit: 160)
        }
        return ServerText.message(collapse(String(text.prefix(160))), limit: 160)
    }

    private static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
    }
}
