import EarthEngineOperations
import Foundation

/// Reads what `eeops list --format json` writes: a JSON array of operations (elements that are not
/// operations are skipped, as in a list page).
public func operationArray(json data: Data) throws -> [LongRunningOperation] {
    let result = Result { () throws(JSONReadError) -> [LongRunningOperation] in
        try JSONReader.readDocument(data.span) { reader throws(JSONReadError) in
            guard try reader.nextKind() == .array else { throw JSONReadError(message: "expected an array", offset: reader.offset) }
            return try reader.lenientArray(LongRunningOperation.read)
        }
    }
    return try result.get()
}
