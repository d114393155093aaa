// The parts of ncursesw (wide-character ncurses) that eeops's terminal adapter uses, wrapped where
// Swift 6 cannot import them directly (macros, and globals that are not concurrency-safe), plus the
// signal handling that must be written in C to be async-signal-safe.
#ifndef EEOPS_CNCURSES_SHIM_H
#define EEOPS_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *eeops_stdscr(void) { return stdscr; }
static inline int eeops_lines(void) { return LINES; }
static inline int eeops_cols(void) { return COLS; }
static inline attr_t eeops_a_normal(void) { return A_NORMAL; }
static inline attr_t eeops_a_bold(void) { return A_BOLD; }
static inline attr_t eeops_a_reverse(void) { return A_REVERSE; }
static inline attr_t eeops_a_underline(void) { return A_UNDERLINE; }
static inline attr_t eeops_a_dim(void) { return A_DIM; }
static inline void eeops_set_escdelay(int ms) { ESCDELAY = ms; }
static inline mmask_t eeops_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t eeops_wheel_up(void) { return BUTTON4_PRESSED; }
static inline mmask_t eeops_wheel_down(void) { return BUTTON5_PRESSED; }

/// A blank cell drawn with attributes `attrs` in colour pair `pair`: the template each cell of that look
/// is copied from, with its characters put in.
static inline cchar_t eeops_blank_cell(attr_t attrs, short pair) {
    cchar_t cell;
    const wchar_t space[2] = {L' ', L'\0'};
    setcchar(&cell, space, attrs, pair, NULL);
    return cell;
}

/// Puts `count` cells on row y from column x in one copy: no cursor movement, wrapping or control-character
/// processing. A wide character's right half is left out of `cells`: ncurses fills it.
static inline int eeops_draw_cells(int y, int x, const cchar_t *cells, int count) {
    if (wmove(stdscr, y, x) == ERR) return ERR;
    return wadd_wchnstr(stdscr, cells, count);
}

extern int wcwidth(wchar_t c); // <wchar.h> declares it only for X/Open builds

/// The columns the C library gives a character (as ncurses places it), or -1 when it cannot print it.
static inline int eeops_columns_of(wchar_t c) { return wcwidth(c); }

/// The first character ncurses holds for the cell at (y, x) of the screen, or -1: to check what was drawn.
static inline wchar_t eeops_character_at(int y, int x) {
    cchar_t cell;
    wchar_t text[CCHARW_MAX + 1];
    attr_t attrs;
    short pair;
    if (mvwin_wch(stdscr, y, x, &cell) == ERR) return (wchar_t)-1;
    if (getcchar(&cell, text, &attrs, &pair, NULL) == ERR) return (wchar_t)-1;
    return text[0];
}

// ---- Signals: a flag for the UI loop, and a crash handler that restores the terminal ----

static volatile sig_atomic_t eeops_pending_signal = 0;
static int eeops_have_saved_termios = 0;
// Function-local storage: Swift's importer does not emit file-scope C structs.
static inline struct termios *eeops_saved_termios(void) { static struct termios saved; return &saved; }
static inline struct sigaction *eeops_previous_action(int number) { static struct sigaction previous[65]; return &previous[number]; }

static void eeops_on_termination_signal(int number) { eeops_pending_signal = number; }

/// The last termination signal received (SIGINT, SIGTERM, SIGHUP), or 0; clears it.
static inline int eeops_take_signal(void) {
    int number = eeops_pending_signal;
    eeops_pending_signal = 0;
    return number;
}

/// Restores the terminal with async-signal-safe calls only: reset attributes, stop mouse reporting,
/// leave the alternate screen, show the cursor, and put back the terminal modes saved at start.
static inline void eeops_emergency_restore(void) {
    static const char reset[] = "\033[0m\033[?1000l\033[?1049l\033[?25h\r\n";
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
    (void)ignored;
    if (eeops_have_saved_termios) tcsetattr(STDIN_FILENO, TCSANOW, eeops_saved_termios());
}

static void eeops_on_crash(int number, siginfo_t *info, void *context) {
    eeops_emergency_restore();
    struct sigaction *previous = eeops_previous_action(number);
    if ((previous->sa_flags & SA_SIGINFO) && previous->sa_sigaction) {
        previous->sa_sigaction(number, info, context); // e.g. Swift's backtracer
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN && previous->sa_handler) {
        previous->sa_handler(number);
    }
    signal(number, SIG_DFL);
    raise(number);
}

/// Saves the terminal modes, routes SIGINT/SIGTERM/SIGHUP to a flag the UI loop reads, ignores SIGPIPE,
/// and installs the crash handler (chaining to the handler that was there before).
static inline void eeops_install_signal_handlers(void) {
    if (tcgetattr(STDIN_FILENO, eeops_saved_termios()) == 0) eeops_have_saved_termios = 1;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = eeops_on_termination_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    int crashes[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
        struct sigaction crash;
        memset(&crash, 0, sizeof(crash));
        crash.sa_sigaction = eeops_on_crash;
        crash.sa_flags = SA_SIGINFO | SA_RESETHAND;
        sigemptyset(&crash.sa_mask);
        sigaction(crashes[i], &crash, eeops_previous_action(crashes[i]));
    }
}

#endif
