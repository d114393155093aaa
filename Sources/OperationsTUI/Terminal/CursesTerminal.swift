import CNcurses
import CProcessSupport
import Foundation

/// The only place that talks to ncurses: starting and restoring the terminal, reading keys, and
/// sending the rows of a `ScreenBuffer` that changed. Every call must come from the one UI thread.
/// Package-visible so that the frame benchmark can drive it on a /dev/null terminal.
package final class CursesTerminal {
    package struct Options {
        /// The colours; ``Theme/mono`` draws none.
        var theme: Theme
        var mouse: Bool
        package init(theme: Theme, mouse: Bool) {
            self.theme = theme
            self.mouse = mouse
        }
    }

    enum StartError: Error, CustomStringConvertible {
        case unknownTerminal(String)
        var description: String {
            switch self {
            case .unknownTerminal(let term): "cannot use the terminal type '\(term)' (set TERM to e.g. xterm-256color)"
            }
        }
    }

    private let options: Options
    /// A SIGTERM or SIGHUP that came while a plugin's command had the terminal, for the next ``takeSignal()``.
    private var deferredSignal: Int32?
    private var inputDescriptor = STDIN_FILENO
    private var screen: OpaquePointer?
    private var previous: ScreenBuffer?
    /// The colour pair of each role (by raw value); 0 where the role has no colour.
    private var colorPairs = [Int16](repeating: 0, count: CellStyle.Role.allCases.count)
    /// Whether the theme draws each role (by raw value) bold.
    private var boldRoles = [Bool](repeating: false, count: CellStyle.Role.allCases.count)
    /// A blank ncurses cell for each look (see `template(for:)`), made on first use.
    private var templates: [cchar_t?] = Array(repeating: nil, count: CellStyle.Role.allCases.count * 8)
    /// The ncurses cells of the row being sent, kept between rows to spare an allocation each.
    private var rowCells: [cchar_t] = []
    private(set) var isActive = false
    /// The stream curses writes to, for the sequences it does not know (``sendSequence(_:)``).
    private var output: UnsafeMutablePointer<FILE>?

    package init(options: Options) {
        self.options = options
    }

    /// Takes over the terminal (alternate screen, no echo, keypad keys) and returns its size.
    package func start(output outputDescriptor: Int32 = STDOUT_FILENO, input inputDescriptor: Int32 = STDIN_FILENO) throws -> TerminalSize {
        eeops_install_signal_handlers()
        self.inputDescriptor = inputDescriptor
        output = fdopen(outputDescriptor, "w")
        let input = fdopen(inputDescriptor, "r")
        guard let created = newterm(nil, output, input) else {
            throw StartError.unknownTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        screen = created
        set_term(created)
        isActive = true
        eeops_set_terminal_active(1)
        cbreak()
        noecho()
        nonl()
        keypad(eeops_stdscr(), true)
        curs_set(0)
        eeops_set_escdelay(25)
        if options.mouse { mousemask(eeops_button1_clicked() | eeops_wheel_up() | eeops_wheel_down(), nil) }
        templates = Array(repeating: nil, count: templates.count)
        if options.theme.usesColor, has_colors() {
            start_color()
            use_default_colors()
            // A theme's 256-colour choices become the nearest of 16 (or 8) on terminals without them.
            for (index, entry) in options.theme.colors(fittedTo: Int(eeops_colors())).sorted(by: { $0.key.rawValue < $1.key.rawValue }).enumerated() {
                let pair = Int16(index + 1)
                init_pair(pair, Self.curses(entry.value.foreground), Self.curses(entry.value.background))
                colorPairs[Int(entry.key.rawValue)] = pair
                boldRoles[Int(entry.key.rawValue)] = entry.value.bold
            }
        }
        return currentSize()
    }

    func currentSize() -> TerminalSize {
        TerminalSize(columns: Int(eeops_cols()), rows: Int(eeops_lines()))
    }

    /// Waits up to `milliseconds` for a key. A resize comes back as `.resize`; a terminal that has gone
    /// away (the SSH connection or the terminal window closed, with or without a SIGHUP) as `.terminate`.
    func readKey(milliseconds: Int32) -> AppEvent? {
        wtimeout(eeops_stdscr(), milliseconds)
        var character: wint_t = 0
        let status = wget_wch(eeops_stdscr(), &character)
        if status == ERR { return terminalHungUp() ? .terminate : nil }
        if status == KEY_CODE_YES {
            switch Int32(character) {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_RESIZE:
                previous = nil // redraw everything at the new size
                return .resize(currentSize())
            case KEY_MOUSE: return mouseEvent()
            default: return nil
            }
        }
        switch character {
        case 27: return .key(.escape)
        case 10, 13: return .key(.enter)
        case 127, 8: return .key(.backspace)
        case 9: return .key(.tab)
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)), scalar.value >= 0x20 else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    /// True when the terminal's input has hung up: reads would fail at once, for ever.
    private func terminalHungUp() -> Bool {
        var descriptor = pollfd(fd: inputDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    private func mouseEvent() -> AppEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        if event.bstate & eeops_wheel_up() != 0 { return .key(.scrollUp) }
        if event.bstate & eeops_wheel_down() != 0 { return .key(.scrollDown) }
        return .key(.click(row: Int(event.y)))
    }

    /// Sends the cells that differ from the last frame, then updates the physical screen once.
    package func draw(_ frame: ScreenBuffer) {
        if previous?.size != frame.size {
            werase(eeops_stdscr())
            previous = nil
        }
        for y in 0..<frame.size.rows {
            for span in frame.changedSpans(inRow: y, since: previous) { draw(span, ofRow: y, from: frame) }
        }
        previous = frame
        wrefresh(eeops_stdscr())
    }

    /// Writes a sequence the terminal acts on without drawing anything (the clipboard's), after what curses has
    /// sent, on the stream curses writes to.
    package func sendSequence(_ sequence: String) {
        guard isActive, let output else { return }
        fflush(output)
        fputs(sequence, output)
        fflush(output)
    }

    /// Sends columns `span` of row `y` in one ncurses call: each cell is its look's template with its
    /// characters put in (a wide character's right half is left out: ncurses fills it). The caller's
    /// `changedSpans` never starts or ends a span inside a wide character.
    private func draw(_ span: Range<Int>, ofRow y: Int, from frame: ScreenBuffer) {
        // Locals, not the stored properties, in the loop: a class's stored properties are checked for
        // exclusive access on every use.
        var cells = rowCells
        rowCells = []
        defer { rowCells = cells }
        cells.removeAll(keepingCapacity: true)
        let row = frame.row(y)
        var style = row[row.startIndex + span.lowerBound].style
        var blank = template(for: style)
        for x in span {
            let cell = row[row.startIndex + x]
            if cell.isContinuation { continue }
            if cell.style != style {
                style = cell.style
                blank = template(for: style)
            }
            var curses = blank
            curses.chars.0 = wchar_t(bitPattern: cell.scalar)
            if cell.scalar >= 0x7F {
                // ncurses places each character by the C library's width of it. One it measures otherwise than
                // the grid would shift the rest of the row (U+2E9A, unassigned in a block the grid takes as
                // wide, measures -1), and one it cannot print would reach the terminal as it is: either is
                // drawn as question marks filling the grid's columns.
                let columns = x + 1 < row.count && row[row.startIndex + x + 1].isContinuation ? 2 : 1
                if eeops_columns_of(curses.chars.0) != Int32(columns) {
                    curses.chars.0 = wchar_t(UInt8(ascii: "?"))
                    for _ in 1..<columns { cells.append(curses) }
                    cells.append(curses)
                    continue
                }
            }
            if cell.hasMarks, let marks = frame.marks(x: x, y: y) {
                // ncurses keeps four combining marks with a character (CCHARW_MAX is five).
                // Safe because `chars` is C's wchar_t[CCHARW_MAX], imported as a tuple of wchar_t, so its memory is
                // already bound to wchar_t; marks go in slots 1 to slots.count - 1; the pointer stays in the closure.
                withUnsafeMutableBytes(of: &curses.chars) { raw in
                    let slots = raw.bindMemory(to: wchar_t.self)
                    for (index, mark) in marks.unicodeScalars.prefix(slots.count - 1).enumerated() {
                        slots[index + 1] = wchar_t(bitPattern: mark.value)
                    }
                }
            }
            cells.append(curses)
        }
        // Safe because wadd_wchnstr copies the cells during the call; ncurses is called from the UI thread only.
        cells.withUnsafeBufferPointer { buffer in
            _ = eeops_draw_cells(Int32(y), Int32(span.lowerBound), buffer.baseAddress, Int32(buffer.count))
        }
    }

    /// The character ncurses holds at column `x` of row `y` (a wide character in both its columns), as the
    /// terminal will show it: for tests of what was sent.
    package func characterOnScreen(x: Int, y: Int) -> Unicode.Scalar? {
        Unicode.Scalar(UInt32(bitPattern: eeops_character_at(Int32(y), Int32(x))))
    }

    /// The blank ncurses cell of a look, made once per look.
    private func template(for style: CellStyle) -> cchar_t {
        let index = Int(style.role.rawValue) * 8 + (style.bold ? 4 : 0) + (style.reverse ? 2 : 0) + (style.underline ? 1 : 0)
        if let made = templates[index] { return made }
        let (attributes, pair) = attributes(for: style)
        let made = eeops_blank_cell(attributes, pair)
        templates[index] = made
        return made
    }

    private func attributes(for style: CellStyle) -> (attr_t, Int16) {
        var attributes = eeops_a_normal()
        if style.bold || boldRoles[Int(style.role.rawValue)] { attributes |= eeops_a_bold() }
        if style.reverse { attributes |= eeops_a_reverse() }
        if style.underline { attributes |= eeops_a_underline() }
        if style.role == .dim, options.theme.dimsText { attributes |= eeops_a_dim() }
        let pair = colorPairs[Int(style.role.rawValue)]
        if pair != 0 { return (attributes, pair) }
        // Without colour, meaning is carried by attributes (the text itself always says the state).
        switch style.role {
        case .highlight: attributes |= eeops_a_bold() | eeops_a_underline()
        case .warning, .error, .failed: attributes |= eeops_a_bold()
        default: break
        }
        return (attributes, 0)
    }

    /// A theme colour as ncurses numbers it (-1: the terminal's default, after `use_default_colors`).
    private static func curses(_ color: TerminalColor) -> Int16 {
        switch color {
        case .terminalDefault: -1
        case .index(let index): Int16(index)
        }
    }

    /// Restores the terminal. Safe to call more than once.
    package func stop() {
        guard isActive else { return }
        isActive = false
        eeops_set_terminal_active(0)
        if isendwin() == false { endwin() }
        if let screen { delscreen(screen) }
        screen = nil
    }

    /// Gives the terminal back to the shell and stops the process, as Ctrl-Z asks; once continued, takes the
    /// terminal over again and forgets what the screen held, so that the next frame is drawn whole.
    /// Returns the terminal's size, which may have changed meanwhile.
    func suspend() -> TerminalSize {
        guard isActive else { return currentSize() }
        eeops_set_terminal_active(0)
        endwin()
        eeops_suspend_self()
        eeops_set_terminal_active(1)
        clearok(eeops_stdscr(), true)
        previous = nil
        return currentSize()
    }

    /// Gives the terminal to `body` (a plugin's command) as the shell would have it, then takes it over again and
    /// forgets what the screen held, so that the next frame is drawn whole. A Ctrl-C meant for the command is not
    /// taken as the interface's own. Returns the terminal's size, which may have changed meanwhile.
    func handOver(_ body: () -> Void) -> TerminalSize {
        guard isActive else { body(); return currentSize() }
        eeops_set_terminal_active(0)
        endwin()
        body()
        let signal = eeops_take_signal()
        if signal != 0, signal != SIGINT { deferredSignal = signal }
        eeops_set_terminal_active(1)
        clearok(eeops_stdscr(), true)
        previous = nil
        return currentSize()
    }

    /// The termination signal received since the last call (SIGINT, SIGTERM, SIGHUP), or nil.
    func takeSignal() -> Int32? {
        if let signal = deferredSignal {
            deferredSignal = nil
            return signal
        }
        let number = eeops_take_signal()
        return number == 0 ? nil : number
    }

    /// True when Ctrl-Z (SIGTSTP) asked to suspend since the last call.
    static func takeSuspendRequest() -> Bool {
        eeops_take_suspend_request() != 0
    }
}
