import Foundation

/// Decoding helpers that never let one malformed field fail a whole response: a field of the wrong type
/// or `null` decodes as absent, and a bad element of an array is skipped.
extension KeyedDecodingContainer {
    func lenientString(_ key: Key) -> String? {
        if let value = try? decodeIfPresent(String.self, forKey: key) { return value }
        return nil
    }

    func lenientBool(_ key: Key) -> Bool? {
        if let value = try? decodeIfPresent(Bool.self, forKey: key) { return value }
        if let text = lenientString(key) { return ["true": true, "false": false][text.lowercased()] }
        return nil
    }

    /// Integers arrive as JSON numbers, and for 64-bit fields as strings (proto3 JSON mapping).
    func lenientInt(_ key: Key) -> Int? {
        if let value = try? decodeIfPresent(Int.self, forKey: key) { return value }
        if let value = lenientDouble(key), value.isFinite, value.rounded() == value, abs(value) < 1e15 { return Int(value) }
        return nil
    }

    func lenientDouble(_ key: Key) -> Double? {
        if let value = try? decodeIfPresent(Double.self, forKey: key) { return value.isFinite ? value : nil }
        if let text = lenientString(key), let value = Double(text), value.isFinite { return value }
        return nil
    }

    func lenientDate(_ key: Key) -> Date? {
        lenientString(key).flatMap(Timestamp.parse)
    }

    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        if let value = try? decodeIfPresent(T.self, forKey: key) { return value }
        return nil
    }

    /// An array whose malformed elements are dropped; a non-array value gives an empty array.
    func lenientArray<T: Decodable>(_ type: T.Type, _ key: Key) -> [T] {
        // contains() first: a missing key would throw, and building that error costs more than the decoding.
        guard contains(key), var container = try? nestedUnkeyedContainer(forKey: key) else { return [] }
        var result: [T] = []
        // The exact size: grown by appending, the stages of 10,000 operations kept a quarter of their room empty.
        result.reserveCapacity(container.count ?? 0)
        while !container.isAtEnd {
            if let element = try? container.decode(T.self) {
                result.append(element)
            } else if (try? container.decode(JSONValue.self)) == nil {
                break // cannot even skip the element: stop rather than loop
            }
        }
        return result
    }
}

extension KeyedEncodingContainer {
    mutating func encodeTimestamp(_ date: Date?, forKey key: Key) throws {
        if let date { try encode(Timestamp.format(date), forKey: key) }
    }

    mutating func encodeUnlessEmpty<T: Encodable>(_ values: [T], forKey key: Key) throws {
        if !values.isEmpty { try encode(values, forKey: key) }
    }
}
