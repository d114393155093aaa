import EarthEngineOperations
import OperationsPresentation

/// Reading terminal text by display column, for tests of tables and screens.
public enum ScreenText {
    /// The rest of `line` from display column `column` on (wide characters count two).
    public static func text(atColumn column: Int, of line: String) -> String {
        var used = 0
        var index = line.startIndex
        while index < line.endIndex, used < column {
            used += TerminalText.width(String(line[index]))
            index = line.index(after: index)
        }
        return String(line[index...])
    }

    /// The display column at which `word` first appears in `line`.
    public static func column(of word: String, in line: String) -> Int? {
        line.range(of: word).map { TerminalText.width(String(line[..<$0.lowerBound])) }
    }
}
