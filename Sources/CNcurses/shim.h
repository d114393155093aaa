// The parts of ncursesw (wide-character ncurses) that eeops's terminal adapter uses, wrapped where
// Swift 6 cannot import them directly (macros, and globals that are not concurrency-safe). Stateless: the
// signal handling, which keeps state, is in the CProcessSupport target.
#ifndef EEOPS_CNCURSES_SHIM_H
#define EEOPS_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *eeops_stdscr(void) { return stdscr; }
static inline int eeops_lines(void) { return LINES; }
static inline int eeops_cols(void) { return COLS; }
/// How many colours the terminal has (after start_color).
static inline int eeops_colors(void) { return COLORS; }
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

#endif
