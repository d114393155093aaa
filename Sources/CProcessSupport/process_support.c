#include "CProcessSupport.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t pending_signal = 0;
static volatile sig_atomic_t suspend_requested = 0;
static volatile sig_atomic_t terminal_active = 0;
static volatile sig_atomic_t have_saved_termios = 0;
static struct termios saved_termios;
static struct sigaction previous_actions[NSIG];
/// The calling thread's alternate signal stack (NULL until made); freed by `free_alternate_stack` when the thread ends.
static __thread void *thread_alternate_stack = NULL;
static pthread_key_t alternate_stack_key;
static pthread_once_t alternate_stack_key_once = PTHREAD_ONCE_INIT;

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGQUIT };

/// A SIGINT never replaces a SIGTERM or SIGHUP not yet taken: while a plugin's command has the terminal, a
/// Ctrl-C is the command's and is dropped, and a termination asked before it must survive it.
static void on_termination_signal(int number) {
    if (number == SIGINT && pending_signal != 0) return;
    pending_signal = number;
}

static void on_suspend_signal(int number) {
    (void)number;
    suspend_requested = 1;
}

/// Restores the terminal with async-signal-safe calls only: reset attributes, stop mouse reporting, leave the
/// alternate screen, show the cursor, and put back the terminal modes saved at start.
static void emergency_restore(void) {
    if (!terminal_active) return;
    terminal_active = 0;
    static const char reset[] = "\033[0m\033[?1000l\033[?1002l\033[?1006l\033[?1049l\033[?25h\r\n";
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
    (void)ignored;
    if (have_saved_termios) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void on_crash(int number, siginfo_t *info, void *context) {
    emergency_restore();
    struct sigaction *previous = &previous_actions[number];
    if ((previous->sa_flags & SA_SIGINFO) && previous->sa_sigaction) {
        previous->sa_sigaction(number, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN && previous->sa_handler) {
        previous->sa_handler(number);
    }
    signal(number, SIG_DFL);
    raise(number);
}

/// Runs when a thread that has an alternate signal stack ends: the kernel stops using it, then it is freed.
static void free_alternate_stack(void *memory) {
    stack_t disable;
    memset(&disable, 0, sizeof(disable));
    disable.ss_flags = SS_DISABLE;
    sigaltstack(&disable, NULL);
    free(memory);
}

static void make_alternate_stack_key(void) { pthread_key_create(&alternate_stack_key, free_alternate_stack); }

void eeops_prepare_alternate_signal_stack(void) {
    if (thread_alternate_stack) return;
    pthread_once(&alternate_stack_key_once, make_alternate_stack_key);
    size_t size = 256 * 1024;
    stack_t stack;
    memset(&stack, 0, sizeof(stack));
    stack.ss_sp = malloc(size);
    if (!stack.ss_sp) return;
    stack.ss_size = size;
    if (sigaltstack(&stack, NULL) != 0) {
        free(stack.ss_sp);
        return;
    }
    thread_alternate_stack = stack.ss_sp;
    pthread_setspecific(alternate_stack_key, stack.ss_sp);
}

void eeops_install_signal_handlers(void) {
    static int installed = 0;
    if (tcgetattr(STDIN_FILENO, &saved_termios) == 0) have_saved_termios = 1;
    eeops_prepare_alternate_signal_stack();
    if (installed) return;
    installed = 1;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_termination_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    struct sigaction suspend;
    memset(&suspend, 0, sizeof(suspend));
    suspend.sa_handler = on_suspend_signal;
    sigemptyset(&suspend.sa_mask);
    sigaction(SIGTSTP, &suspend, NULL);
    signal(SIGPIPE, SIG_IGN);
    for (unsigned i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++) {
        struct sigaction crash;
        memset(&crash, 0, sizeof(crash));
        crash.sa_sigaction = on_crash;
        crash.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
        sigemptyset(&crash.sa_mask);
        sigaction(crash_signals[i], &crash, &previous_actions[crash_signals[i]]);
    }
}

void eeops_set_terminal_active(int active) { terminal_active = active ? 1 : 0; }

int eeops_take_signal(void) {
    // One exchange, so that a signal arriving between a read and a reset is not lost.
    return __atomic_exchange_n(&pending_signal, 0, __ATOMIC_SEQ_CST);
}

int eeops_take_suspend_request(void) {
    int requested = suspend_requested;
    suspend_requested = 0;
    return requested;
}

void eeops_suspend_self(void) {
    struct sigaction original;
    struct sigaction stop;
    memset(&stop, 0, sizeof(stop));
    stop.sa_handler = SIG_DFL;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTSTP, &stop, &original);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGTSTP);
    sigset_t before;
    pthread_sigmask(SIG_UNBLOCK, &unblock, &before);
    kill(getpid(), SIGTSTP); // stops here until SIGCONT
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    sigaction(SIGTSTP, &original, NULL);
    suspend_requested = 0;
}

int eeops_disable_core_dumps(void) {
    struct rlimit none = { 0, 0 };
    int limited = setrlimit(RLIMIT_CORE, &none);
    int undumpable = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    return (limited == 0 && undumpable == 0) ? 0 : -1;
}

int eeops_run_in_foreground(char *const argv[], char *const envp[]) {
    posix_spawnattr_t attributes;
    if (posix_spawnattr_init(&attributes) != 0) return -ENOMEM;
    sigset_t defaults;
    sigemptyset(&defaults);
    const int reset[] = { SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGPIPE, SIGQUIT, SIGTTIN, SIGTTOU };
    for (unsigned i = 0; i < sizeof(reset) / sizeof(reset[0]); i++) sigaddset(&defaults, reset[i]);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t child;
    int failed = posix_spawnp(&child, argv[0], NULL, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    if (failed != 0) return -failed;
    // Polled rather than blocked in waitpid: a signal sent to the process may be handled on another thread,
    // which would not interrupt the wait.
    int passed_on = 0;
    for (;;) {
        int status = 0;
        pid_t done = waitpid(child, &status, WNOHANG | WUNTRACED);
        if (done == child) {
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
            if (WIFSTOPPED(status)) {
                // Ctrl-Z stopped the command: stop with it, so that the shell has the terminal; the shell's SIGCONT
                // to the job continues both. The interface's own suspend request is then spent.
                eeops_suspend_self();
                suspend_requested = 0;
                kill(child, SIGCONT);
            }
            continue;
        }
        if (done < 0 && errno != EINTR) return -errno;
        int pending = pending_signal;
        if ((pending == SIGTERM || pending == SIGHUP) && passed_on != pending) {
            kill(child, pending);
            passed_on = pending;
        }
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}
