/// The places credentials come from, in the order eeops tries them.
public enum CredentialSource: String, Sendable, CaseIterable {
    /// `--access-token-file` or `EEOPS_ACCESS_TOKEN`.
    case accessToken = "access-token"
    /// A service-account key file: `--service-account-file` or `GOOGLE_APPLICATION_CREDENTIALS`.
    case serviceAccount = "service-account"
    /// Application default credentials of a user (`gcloud auth application-default login`).
    case applicationDefault = "application-default"
    /// The earthengine CLI's stored credentials (`earthengine authenticate`).
    case earthengine
    /// The metadata server of Google Compute Engine or Cloud Shell.
    case metadata
    /// `gcloud auth print-access-token`.
    case gcloud
}

/// OAuth scopes eeops asks for.
public enum OAuthScope {
    public static let earthEngine = "https://www.googleapis.com/auth/earthengine"
    public static let cloudPlatform = "https://www.googleapis.com/auth/cloud-platform"
}
