import Foundation

/// An optional number in 8 bytes, as a property wrapper: `@CompactOptional public var priority: Int?`.
/// Swift stores `Int?`, `Double?` and `Date?` in 9 bytes, which become 16 next to other fields; an
/// operation has ten of them (its times, progress, counts, and each stage's work units), so at 100,000
/// operations this saves several MB. Absent is one reserved bit pattern.
///
/// Public only because the wrapped properties are: Swift requires a public property's wrapper to be public.
@propertyWrapper
public struct CompactOptional<Value: CompactStorable>: Hashable, Sendable {
    private var bits: UInt64

    public init(wrappedValue: Value?) { bits = wrappedValue.map(\.compactBits) ?? Value.absentBits }

    public var wrappedValue: Value? {
        get { bits == Value.absentBits ? nil : Value(compactBits: bits) }
        set { self = CompactOptional(wrappedValue: newValue) }
    }
}

/// A value that fits in 64 bits with one pattern to spare (see ``CompactOptional``).
public protocol CompactStorable: Sendable {
    /// The pattern that stands for absent; a value stored with this pattern (only `Int.min`) reads back as absent.
    static var absentBits: UInt64 { get }
    var compactBits: UInt64 { get }
    init(compactBits: UInt64)
}

extension Int: CompactStorable {
    /// `Int.min`, which no field of the API carries: it is stored as absent.
    public static var absentBits: UInt64 { UInt64(bitPattern: Int64(Int.min)) }
    public var compactBits: UInt64 { UInt64(bitPattern: Int64(self)) }
    public init(compactBits: UInt64) { self = Int(Int64(bitPattern: compactBits)) }
}

extension Double: CompactStorable {
    /// A NaN with a payload that arithmetic never produces; any NaN is stored as the standard one.
    public static var absentBits: UInt64 { 0x7FF4_0000_0000_00AB }
    public var compactBits: UInt64 { isNaN ? Double.nan.bitPattern : bitPattern }
    public init(compactBits: UInt64) { self = Double(bitPattern: compactBits) }
}

extension Date: CompactStorable {
    public static var absentBits: UInt64 { Double.absentBits }
    public var compactBits: UInt64 { timeIntervalSinceReferenceDate.compactBits }
    public init(compactBits: UInt64) { self.init(timeIntervalSinceReferenceDate: Double(compactBits: compactBits)) }
}
