/* Process-wide safety of the dufm CLI: interrupted writes leave nothing
 * behind, and a failed write on stdout is an error. */
#ifndef DUFM_CLI_GUARD_H
#define DUFM_CLI_GUARD_H

/* On SIGINT, SIGTERM and SIGHUP (unless ignored at start, as for a background
 * job's SIGINT) removes every live temporary (dufm_atomic_cleanup), prints one
 * line and ends as the signal would (exit status 128 + signal); the same
 * removal runs at exit. Also makes a failed GMP allocation one line and exit
 * status 1 instead of GMP's abort (dufm_gmp_oom_install). Call once at the
 * start of main, before any GMP number exists. */
void cli_guard_install(void);

/* Flushes stdout; on a write error (a full disk, /dev/full, a closed pipe
 * reader) prints one line and returns 1, else returns rc. */
int cli_stdout_check(int rc);

/* Flushes stdout and tells whether a write on it has failed (silent: the exit
 * check prints the line). Long-running printers call it after each row and
 * stop with exit status 1 instead of computing rows nobody can read. */
int cli_stdout_failed(void);

#endif
