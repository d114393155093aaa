// Process-wide signal handling and hardening that must be written in C to be async-signal-safe. All state lives
// in process_support.c (one copy in the process, whatever inlines these declarations); this header declares only.
#ifndef EEOPS_CPROCESSSUPPORT_H
#define EEOPS_CPROCESSSUPPORT_H

/// Saves the terminal modes; routes SIGINT, SIGTERM and SIGHUP to a flag read with `eeops_take_signal`, and
/// SIGTSTP to a flag read with `eeops_take_suspend_request`; ignores SIGPIPE; and installs, on an alternate
/// signal stack, a crash handler for SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE and SIGQUIT that restores
/// the terminal (when `eeops_set_terminal_active(1)` was called) and then chains to the handler that was there
/// before (the Swift runtime's backtracer, say) or dies by the signal. Safe to call more than once.
void eeops_install_signal_handlers(void);

/// Gives the calling thread an alternate signal stack (once per thread), so that the crash handler also runs
/// when the thread dies of a stack overflow. Call on every thread that runs deep code (the UI thread).
void eeops_prepare_alternate_signal_stack(void);

/// Whether the crash handler should restore the terminal: 1 while the full-screen interface owns it.
void eeops_set_terminal_active(int active);

/// The last termination signal received (SIGINT, SIGTERM or SIGHUP), or 0; clears it.
int eeops_take_signal(void);

/// 1 when SIGTSTP (Ctrl-Z) arrived since the last call, else 0; clears it.
int eeops_take_suspend_request(void);

/// Stops the process as SIGTSTP's default action would (the shell's job control takes over), and returns
/// once it is continued (SIGCONT), with the SIGTSTP flag handler back in place. Call with the terminal restored.
void eeops_suspend_self(void);

/// Runs `argv` (the program found on PATH) on the terminal, in the foreground as a shell would: in eeops's own
/// process group (so that it can read the terminal and gets the terminal's Ctrl-C), with the default signal
/// dispositions and an empty signal mask, and the environment `envp`. Waits for it: a SIGTERM or SIGHUP that eeops
/// receives meanwhile is passed on to it (and stays pending for eeops), and when Ctrl-Z stops it, eeops stops too
/// until the shell continues both. Returns its exit status (128 + the signal that ended it), or -errno when it
/// could not be started. Call with the terminal restored.
int eeops_run_in_foreground(char *const argv[], char *const envp[]);

/// Turns core dumps off for the rest of the process (no core file, and the process is not dumpable, so that
/// credentials in memory cannot end up on disk). Returns 0, or -1 when the system refused.
int eeops_disable_core_dumps(void);

#endif
