/// The Earth Engine REST API versions that share the Operations surface.
public enum APIVersion: String, Sendable, CaseIterable {
    case v1
    case v1beta
    case v1alpha
}
