import Foundation
import Testing
@testable import EarthEngineOperations
@testable import OperationsPresentation

@Suite("Durations, filters and terminal text")
struct QueryAndTextTests {
    @Test(arguments: [("30s", 30.0), ("5m", 300), ("1h30m", 5400), ("2d", 172_800), ("1.5h", 5400), ("250ms", 0.25), ("45", 45), ("1w", 604_800)])
    func parsesDurations(text: String, seconds: Double) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(abs(duration.seconds - seconds) < 0.001)
    }

    @Test(arguments: ["", "abc", "5x", "-5s", "1h-2m", "5m30", "99999999999d"])
    func rejectsBadDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    /// Plain text is searched for directly; the answer must be the one the regular expression gives.
    @Test(arguments: ["export", "EXPORT", "Rhein", "ndvi_1", "森林", "Über", "x", "zz", "_1", "-"])
    func literalSearchAgreesWithTheExpression(needle: String) throws {
        let haystacks = ["EXPORT_IMAGE", "Überschwemmung_Rhein_336", "黄河流域_NDVI_565", "森林被覆変化_928", "a-b", "", "ndvi_10", "Export"]
        let expression = try NSRegularExpression(pattern: NSRegularExpression.escapedPattern(for: needle), options: [.caseInsensitive])
        for text in haystacks {
            let expected = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(TextPattern(typed: needle).matches(text) == expected, "\(needle) in \(text)")
            #expect(try TextPattern(regex: needle).matches(text) == expected, "\(needle) in \(text)")
        }
    }

    /// Many operations at once (in slices on every core for an expression) give the answers one by one would,
    /// in order; and an operation matches as its id, type and description, one per line, would.
    @Test(arguments: ["a.*b", "^ex", "run \\d+$", "森林|flood", "export", "^97$", "ÜBER", "_rf\nÜber"])
    func manyOperationsAgreeWithOneByOne(pattern: String) {
        let words = ["export_landsat", "森林被覆変化", "🌊 flood map — run", "crop_classification_rf", "Überschwemmung", "alpha_beta", "b"]
        let operations = (0..<25_000).map {
            LongRunningOperation(name: "projects/p/operations/\($0 % 991)", metadata: OperationMetadata(
                description: "\(words[($0 / 7) % words.count]) \($0)", type: words[$0 % words.count]))
        }
        let textPattern = TextPattern(typed: pattern)
        // Each operation's id, type and description, packed one after the other into one buffer.
        var bytes: [UInt8] = [], ranges: [Range<Int>] = []
        for operation in operations {
            for text in [operation.shortID, operation.metadata?.type ?? "", operation.metadata?.description ?? ""] {
                ranges.append(bytes.count..<bytes.count + text.utf8.count)
                bytes.append(contentsOf: text.utf8)
            }
        }
        let packed = bytes, textRanges = ranges
        let together = textPattern.matches(rows: operations.count) { row, search in
            let texts = packed.span
            return search(SearchedText(
                id: texts.extracting(textRanges[row * 3]), type: texts.extracting(textRanges[row * 3 + 1]),
                description: texts.extracting(textRanges[row * 3 + 2])))
        }
        #expect(together.indices.allSatisfy { together[$0] == textPattern.matches(operations[$0]) })
        #expect(together.contains(true) && together.contains(false), "the case tells matches apart")
        for operation in operations.prefix(2_000) {
            let text = "\(operation.shortID)\n\(operation.metadata?.type ?? "")\n\(operation.metadata?.description ?? "")"
            #expect(textPattern.matches(operation) == textPattern.matches(text), "\(pattern) in \(text)")
        }
    }

    /// The expression is ICU's, as `NSRegularExpression` compiles it: the same answers, case-insensitive,
    /// with `^` and `$` at line ends.
    @Test(arguments: ["a.*b", "^ex", "run \\d+$", "森林|flood", "\\bmap\\b", "[[:upper:]]{3}", "(?-i)Export", "^$", "x*"])
    func expressionsAnswerAsFoundationDoes(pattern: String) throws {
        let expression = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive, .anchorsMatchLines])
        let texts = ["export_landsat", "EXPORT", "Export\nrun 12", "🌊 flood map — run", "森林被覆変化", "", "a\nb", "bma", "abc\n\nx"]
        let textPattern = try TextPattern(regex: pattern)
        for text in texts {
            let expected = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(textPattern.matches(text) == expected, "\(pattern) in \(text)")
        }
    }

    /// An expression that backtracks without end gives no match for that text, within ICU's step limit,
    /// and the next texts are matched as usual: a filter typed into the TUI cannot hang it.
    @Test func runawayExpressionsGiveUpOnOneTextOnly() throws {
        let pattern = try TextPattern(regex: "(a+)+$")
        #expect(!pattern.matches(String(repeating: "a", count: 40) + "!"))
        #expect(pattern.matches("aaa"))
        #expect(!pattern.matches(String(repeating: "a", count: 40) + "!"))
        #expect(pattern.matches("x\naa"))
    }

    @Test func parsesHTTPDates() {
        #expect(Timestamp.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(Timestamp.parseHTTPDate("Mon, 23 Nov 2026 03:14:31 GMT") == Date(timeIntervalSince1970: 1_795_403_671))
        for bad in ["", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", "06 Nov 1994", "Sun, 06 Nov 1994 25:00:00 GMT"] {
            #expect(Timestamp.parseHTTPDate(bad) == nil, "\(bad)")
        }
    }

    @Test func shortIDIsTheIdPartOfAWellFormedName() {
        #expect(LongRunningOperation(name: "projects/p/operations/ABC").shortID == "ABC")
        #expect(LongRunningOperation(name: "projects/p/operations/a/b/c").shortID == "a/b/c")
        #expect(LongRunningOperation(name: "projects/p/operations/").shortID == "projects/p/operations/")
        #expect(LongRunningOperation(name: "projects//operations/X").shortID == "projects//operations/X")
        #expect(LongRunningOperation(name: "operations/X").shortID == "operations/X")
        #expect(LongRunningOperation(name: "projects/p/jobs/X").shortID == "projects/p/jobs/X")
    }

    @Test func compactDurationsOfAnySize() {
        #expect(DurationText.compact(seconds: 45) == "45s")
        #expect(DurationText.compact(seconds: 3 * 3600 + 300) == "3h05m")
        #expect(DurationText.compact(seconds: -5) == "0s")
        #expect(DurationText.compact(seconds: .nan) == "0s")
        #expect(DurationText.compact(seconds: 1e300) == "11574074074d01h")
        #expect(DurationText.compact(seconds: .infinity) == "11574074074d01h")
    }

    func operation(_ id: String, _ state: OperationState, type: String = "EXPORT_IMAGE", description: String = "", created: Date? = nil) -> LongRunningOperation {
        LongRunningOperation(name: "projects/p/operations/\(id)", metadata: OperationMetadata(state: state, description: description, type: type, createTime: created))
    }

    @Test func filterCombinesStateTypePatternAndAge() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let old = operation("A1", .running, type: "EXPORT_IMAGE", description: "Landsat composite", created: now.addingTimeInterval(-7200))
        let young = operation("B2", .running, type: "INGEST_TABLE", description: "森林 table", created: now.addingTimeInterval(-60))
        let done = operation("C3", .succeeded, description: "landsat done", created: now.addingTimeInterval(-9000))
        let filter = OperationFilter(states: [.running], types: ["export_image"], pattern: try TextPattern(regex: "landsat"), olderThan: .seconds(3600))
        #expect(filter.matches(old, now: now))
        #expect(!filter.matches(young, now: now))
        #expect(!filter.matches(done, now: now))
        #expect(OperationFilter(pattern: try TextPattern(regex: "森林")).matches(young, now: now))
        #expect(OperationFilter(pattern: try TextPattern(regex: "^b2$")).matches(young, now: now))
        #expect(OperationFilter().matches(done, now: now))
    }

    @Test func invalidRegexIsAnErrorWhenStrictAndLiteralWhenTyped() {
        #expect(throws: PatternError.self) { try TextPattern(regex: "([") }
        #expect(TextPattern(typed: "([").matches("a ([ b"))
        #expect(!TextPattern(typed: "([").matches("abc"))
    }

    @Test func sanitiseNeutralisesEscapesControlsAndBidi() {
        #expect(TerminalText.sanitize("plain") == "plain")
        #expect(TerminalText.sanitize("a\u{1B}]0;pwned\u{07}b") == "a^[]0;pwned^Gb")
        #expect(TerminalText.sanitize("\u{1B}[2J") == "^[[2J")
        #expect(TerminalText.sanitize("x\u{9B}31m\u{90}q") == "x<U+009B>31m<U+0090>q")
        #expect(TerminalText.sanitize("abc\u{202E}fed") == "abc<U+202E>fed")
        #expect(TerminalText.sanitize("line1\nline2\ttab\r") == "line1 line2 tab ")
        #expect(TerminalText.sanitize("del\u{7F}") == "del^?")
        #expect(TerminalText.sanitize("森林 🌲 Việt") == "森林 🌲 Việt")
        for scalar in TerminalText.sanitize("\u{1B}\u{9B}\u{202E}\u{2066}\u{0}\u{7F}").unicodeScalars {
            #expect(scalar.value >= 0x20 && scalar.value < 0x7F)
        }
    }

    /// Two ids that differ only by an invisible character must not look the same.
    @Test func invisibleCharactersAreMadeVisible() {
        #expect(TerminalText.sanitize("AB\u{200B}C") == "AB<U+200B>C")
        #expect(TerminalText.sanitize("A\u{200C}\u{200D}B") == "A<U+200C><U+200D>B")
        #expect(TerminalText.sanitize("\u{2060}\u{2061}\u{2064}x") == "<U+2060><U+2061><U+2064>x")
        #expect(TerminalText.sanitize("\u{FEFF}id") == "<U+FEFF>id")
        #expect(TerminalText.sanitize("id\u{E0041}\u{E007F}") == "id<U+E0041><U+E007F>")
        #expect(TerminalText.sanitize("\u{3164}") == "<U+3164>", "a Hangul filler looks like nothing")
        #expect(TerminalText.sanitize("❤\u{FE0F} ok") == "❤\u{FE0F} ok", "variation selectors stay: emoji need them")
        #expect(TerminalText.sanitize("OPERATION1") != TerminalText.sanitize("OPERATION\u{200B}1"))
        for text in ["a\u{200B}b", "\u{FEFF}", "x\u{E0020}", "\u{2062}", "\u{115F}"] {
            #expect(!TerminalText.isSafeForTerminal(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(TerminalText.isSafeForTerminal(TerminalText.sanitize(text)))
        }
    }

    @Test(arguments: [("abc", 3), ("森林", 4), ("토지", 4), ("🌊 flood", 8), ("भूमि", 3), ("Việt", 4), ("e\u{301}", 1), ("", 0), ("ｆｕｌｌ", 8), ("ÿ\u{AD}ǅɐ", 4), ("\u{A0}a\u{300}", 2)])
    func measuresDisplayWidth(text: String, width: Int) {
        #expect(TerminalText.width(text) == width)
    }

    @Test func truncatesWithoutSplittingWideCharacters() {
        #expect(TerminalText.truncate("森林被覆変化", to: 5) == "森林…")
        #expect(TerminalText.width(TerminalText.truncate("森林被覆変化", to: 5)) <= 5)
        #expect(TerminalText.truncate("abcdef", to: 6) == "abcdef")
        #expect(TerminalText.truncate("abcdefg", to: 6) == "abcde…")
        #expect(TerminalText.fit("森", to: 4) == "森  ")
        #expect(TerminalText.fit("7%", to: 4, alignRight: true) == "  7%")
        #expect(TerminalText.asciiOnly("森林 a\u{301}") == "?? a")
    }

    /// Every outcome has a code that summaries list, and a summary counts them in that order.
    @Test func cancelOutcomeCodesAndSummaries() {
        let every: [CancelOutcome] = [.requested, .cancelling, .cancelled, .finishedDespiteCancel(.succeeded), .alreadyDone(nil), .unsupported,
                                      .notFound, .failed(code: .unavailable, message: "x"), .unanswered, .notSent("x")]
        #expect(every.map(\.code) == CancelOutcome.summaryOrder)
        #expect(Set(every.map(\.shortLabel)).count == every.count, "each case has its own label")
        #expect(CancelOutcome.summary([.cancelled, .requested, .cancelled, .finishedDespiteCancel(.failed)])
                == "1 requested, 2 cancelled, 1 finished despite cancel")
        #expect(CancelOutcome.summary([]) == "")
    }

    @Test func cancelOutcomesTellEachCaseApart() {
        #expect(CancelOutcome.observed(.cancelling) == .cancelling)
        #expect(CancelOutcome.observed(.cancelled) == .cancelled)
        #expect(CancelOutcome.observed(.succeeded) == .finishedDespiteCancel(.succeeded))
        #expect(CancelOutcome.observed(.failed) == .finishedDespiteCancel(.failed))
        #expect(CancelOutcome.observed(.running) == .requested)
        #expect(CancelOutcome.refused(.api(code: .unimplemented, httpStatus: 501, message: "")) == .unsupported)
        #expect(CancelOutcome.refused(.api(code: .notFound, httpStatus: 404, message: "")) == .notFound)
        #expect(CancelOutcome.refused(.api(code: .failedPrecondition, httpStatus: 400, message: "")) == .alreadyDone(nil))
        #expect(!CancelOutcome.unsupported.wasAccepted)
        #expect(CancelOutcome.finishedDespiteCancel(.succeeded).wasAccepted)
        #expect(CancelOutcome.finishedDespiteCancel(.succeeded).description == "finished despite cancel: SUCCEEDED")
    }
}
