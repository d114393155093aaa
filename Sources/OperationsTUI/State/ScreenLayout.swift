/// Where each region of the screen lies for a terminal size: the one place that the reducer (paging, scrolling,
/// mouse clicks) and the view (drawing) take the regions from.
///
/// ```
/// row 0            title
/// row 1            counts and freshness
/// body.lowerBound  the table's column headings (or the detail view, which takes the whole body)
/// tableRows        one operation per row
/// eventLine        the last log entry (the log view, which shows them all, takes it with the body)
/// footer           key hints
/// ```
public struct ScreenLayout: Sendable, Equatable {
    /// The table with its headings, or the detail view.
    public let body: Range<Int>
    /// The rows that show operations (the body below the headings).
    public let tableRows: Range<Int>
    public let eventLine: Int
    public let footer: Int
    /// The content rows a centred box (dialog, help) can show: the screen less a margin and a border above and below.
    public let boxContentRows: Int

    public init(size: TerminalSize) {
        let rows = max(0, size.rows)
        footer = max(0, rows - 1)
        eventLine = max(0, rows - 2)
        body = min(2, eventLine)..<eventLine
        tableRows = min(body.lowerBound + 1, body.upperBound)..<body.upperBound
        boxContentRows = max(0, rows - 4)
    }

    /// The index among the table's visible rows (from the top of the table) of screen row `y`, or nil when `y` shows
    /// no operation (the header, the headings, the event line, the footer).
    public func tableRow(atScreenRow y: Int) -> Int? {
        tableRows.contains(y) ? y - tableRows.lowerBound : nil
    }
}
