import EarthEngineOperations

/// What is wrong with the config file: the file, the line and the key when there is one, and what was expected.
/// The text never repeats a value that looks like a secret.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    /// The key, as a path from the top (`theme.colors.running`).
    public var key: String?
    public var problem: String

    public init(path: String, line: Int?, key: String?, problem: String) {
        self.path = path
        self.line = line
        self.key = key
        self.problem = problem
    }

    /// `FILE:LINE: KEY: PROBLEM`, sanitised for the terminal (the file is the user's, but its text is shown).
    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return TerminalText.sanitize(text + problem)
    }
}
