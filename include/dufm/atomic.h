/* dufm/atomic.h: every file and folder dufm writes, and every file it reads.
 *
 * Writing: a target is either left as it was or replaced by a complete result.
 * The result is built in a temporary with a unique name next to the target
 * (PATH.tmp-XXXXXXXXXXXX, created with O_EXCL | O_NOFOLLOW, so no planted file
 * or symbolic link is ever written through), every write is checked, the data
 * are flushed to the disk (fsync), and one rename(2) puts the result in place.
 * Targets that exist and are not regular files (devices, FIFOs, sockets,
 * symbolic links, folders) are refused before anything is created; a folder
 * target must be missing or an empty folder and is never written into file by
 * file. Two writers racing for one new target cannot both succeed: the second
 * rename fails cleanly (renameat2 RENAME_NOREPLACE) and its temporary is
 * removed.
 *
 * Interrupts: every live temporary is listed in a process-wide registry, and
 * dufm_atomic_cleanup (async-signal-safe) removes them all. The library never
 * installs a signal handler itself; a program that wants interrupted writes to
 * leave nothing behind calls dufm_atomic_cleanup from its SIGINT/SIGTERM/SIGHUP
 * handler (the dufm CLI does).
 *
 * Reading: dufm_input_open opens regular files only (FIFOs, devices and
 * folders are refused at once, without blocking) with a size cap. */
#ifndef DUFM_ATOMIC_H
#define DUFM_ATOMIC_H

#include <stdint.h>
#include <stdio.h>

#include "dufm/error.h"
#include "dufm/export.h"

DUFM_BEGIN_DECLS

/* Longest target path (bytes) the writer accepts: the temporary's name adds 17. */
#define DUFM_ATOMIC_PATH_MAX 4000
/* Temporaries that can be live at once in one process. */
#define DUFM_ATOMIC_MAX_LIVE 64

/* ---- one file */
typedef struct {
  FILE *f;     /* write here; a caller that writes by name (af.tmp) may fclose it and
                  set it to NULL before the commit */
  char *path;  /* the target (owned copy) */
  char *tmp;   /* the temporary next to it (owned) */
  int slot;    /* registry slot, -1 when none */
  int replace; /* the target existed as a regular file when opened */
} dufm_atomic_file;

/* Checks the target (missing, or a regular file that will be replaced; its
 * folder must exist) and creates the temporary (mode 0666 minus the umask).
 * DUFM_EINVAL for a refused target (the message names it and the rule),
 * DUFM_EIO when the temporary cannot be created. af uninitialized; commit it, or
 * else abort it (its clear function) afterwards whatever the status. */
dufm_status dufm_atomic_file_open(dufm_atomic_file *af, const char *path, dufm_err *err);

/* Flushes and checks the stream (any earlier failed write is caught here),
 * fsyncs, closes, and renames the temporary to the target: without replacing
 * anything when the target was missing at open (DUFM_EIO "appeared meanwhile"
 * if another writer got there first), replacing it when it was a regular file
 * (refused if it has meanwhile become something else). On failure the
 * temporary is removed and the target untouched. af is cleared either way. */
dufm_status dufm_atomic_file_commit(dufm_atomic_file *af, dufm_err *err);

/* Closes and removes the temporary; the target is untouched. A no-op on NULL
 * and on a zero-filled, cleared or committed af. */
void dufm_atomic_file_abort(dufm_atomic_file *af);

/* ---- one folder of files */
typedef struct {
  char *path;  /* the target folder (owned copy, without trailing slashes) */
  char *tmp;   /* the temporary folder next to it (owned); write files here */
  int slot;    /* registry slot, -1 when none */
  int replace; /* the target existed as an empty folder when begun */
} dufm_atomic_dir;

/* Checks the target (missing with an existing parent folder, or an empty
 * folder) and creates the temporary folder (mode 0777 minus the umask).
 * DUFM_EINVAL for a refused target, DUFM_EIO when the folder cannot be made.
 * ad uninitialized; commit it, or else abort it (its clear function)
 * afterwards whatever the status. */
dufm_status dufm_atomic_dir_begin(dufm_atomic_dir *ad, const char *path, dufm_err *err);

/* The path of file name inside the temporary folder (malloc'ed; NULL when out
 * of memory). Write it with dufm_atomic_file_open or dufm_npy_write. */
char *dufm_atomic_dir_path(const dufm_atomic_dir *ad, const char *name);

/* fsyncs the temporary folder and renames it to the target: onto a missing
 * name without replacing anything that appeared meanwhile, or over the empty
 * folder (rename(2) fails if it has been filled meanwhile). On failure the
 * temporary folder and its files are removed. ad is cleared either way. */
dufm_status dufm_atomic_dir_commit(dufm_atomic_dir *ad, dufm_err *err);

/* Removes the temporary folder and everything in it. A no-op on NULL and on a
 * zero-filled, cleared or committed ad. */
void dufm_atomic_dir_abort(dufm_atomic_dir *ad);

/* ---- the registry */

/* Removes every live temporary file and folder (files directly inside a
 * temporary folder included). Async-signal-safe (open, getdents64, unlink,
 * rmdir only); meant for signal handlers and atexit. Writers whose temporary
 * was removed fail at their commit. */
void dufm_atomic_cleanup(void);

/* Number of live temporaries (for tests). */
int dufm_atomic_live_count(void);

/* ---- inputs */

/* Opens path for reading if it is a regular file of at most max_bytes bytes
 * (0: no cap); *size receives its size (may be NULL). Never blocks on a FIFO.
 * DUFM_EIO when it cannot be opened or is not a regular file (the message says
 * what it is: a folder, a FIFO, a device, a socket); DUFM_EFORMAT when it is
 * larger than the cap (the message states the cap and what it is for). *out
 * NULL on failure; close it with fclose. */
dufm_status dufm_input_open(FILE **out, uint64_t *size, const char *path, uint64_t max_bytes,
                            const char *what, dufm_err *err);

/* Reads the whole file (as dufm_input_open) into *text (malloc'ed, with a
 * terminating NUL not counted in *len). *text NULL on failure; free it with
 * free(). */
dufm_status dufm_input_read(char **text, size_t *len, const char *path, uint64_t max_bytes,
                            const char *what, dufm_err *err);

DUFM_END_DECLS

#endif
