/* Signals and stdout for every command (guard.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dufm/atomic.h"
#include "dufm/gmpmem.h"
#include "guard.h"

/* Async-signal-safe: the registry's removal, write(2), then the default
 * action. Any thread may take the signal (OpenBLAS starts its own). */
static void on_signal(int sig) {
  dufm_atomic_cleanup();
  char msg[96] = "dufm: interrupted (signal ";
  size_t len = strlen(msg);
  if (sig >= 10)
    msg[len++] = (char)('0' + sig / 10);
  msg[len++] = (char)('0' + sig % 10);
  const char *tail = "); no partial output left\n";
  memcpy(msg + len, tail, strlen(tail));
  len += strlen(tail);
  ssize_t w = write(STDERR_FILENO, msg, len);
  (void)w;
  signal(sig, SIG_DFL);
  raise(sig);
}

static void at_exit(void) { dufm_atomic_cleanup(); }

/* GMP could not allocate: one line, then exit (which removes the
 * temporaries), instead of GMP's abort. */
static void gmp_oom(size_t bytes) {
  fprintf(stderr, "dufm: out of memory in exact arithmetic (GMP asked for %zu bytes)\n", bytes);
  exit(1);
}

void cli_guard_install(void) {
  static const int guarded[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++)
    sigaddset(&sa.sa_mask, guarded[i]); /* one handler at a time */
  for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++)
    if (sigaction(guarded[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
      sigaction(guarded[i], &sa, NULL);
  atexit(at_exit);
  dufm_gmp_oom_install(gmp_oom);
}

int cli_stdout_failed(void) { return fflush(stdout) != 0 || ferror(stdout); }

int cli_stdout_check(int rc) {
  errno = 0;
  int bad = fflush(stdout) != 0;
  int e = errno;
  if (ferror(stdout) || bad) {
    fprintf(stderr, "dufm: stdout: write failed: %s\n",
            e != 0 ? strerror(e) : "a write error (disk full?)");
    return 1;
  }
  return rc;
}
