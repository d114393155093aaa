/// Requests about operations as `Result` values, so that an error travels with its name instead of ending a group
/// of requests.
extension OperationsClient {
    /// The answer to `request`, or its error.
    public static func answer(
        to request: () async throws(OperationsError) -> LongRunningOperation
    ) async -> Result<LongRunningOperation, OperationsError> {
        let result: Result<LongRunningOperation, OperationsError>
        do throws(OperationsError) { result = .success(try await request()) } catch { result = .failure(error) }
        return result
    }

    /// `request` for each of `names` at once (the client's limiter paces them), each answer or error with its name,
    /// in the order they arrived.
    public static func answers(
        to names: [OperationName], _ request: @escaping @Sendable (OperationName) async throws(OperationsError) -> LongRunningOperation
    ) async -> [(name: OperationName, result: Result<LongRunningOperation, OperationsError>)] {
        await withTaskGroup(of: (name: OperationName, result: Result<LongRunningOperation, OperationsError>).self) { group in
            for name in names {
                group.addTask {
                    // The result is made before the tuple: a tuple built around a typed-throws `try await` loses its
                    // first element in release builds of Swift 6.3.1 (docs/known-compiler-bugs.md).
                    let result = await answer { () async throws(OperationsError) in try await request(name) }
                    return (name, result)
                }
            }
            var answers: [(name: OperationName, result: Result<LongRunningOperation, OperationsError>)] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
    }
}
