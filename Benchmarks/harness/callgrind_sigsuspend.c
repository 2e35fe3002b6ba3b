/* Preloaded into the bridge under valgrind by harness/callgrind.py. Valgrind 3.19 clears a
   bit of rt_sigsuspend's mask in place, and libdispatch's main thread parks in sigsuspend
   with a `static const` mask (read-only memory): valgrind itself then dies of SIGSEGV. The
   same call with a writable copy of the mask. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
