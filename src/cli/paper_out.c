/* dufm paper: the output folder. Everything is written into a fresh
 * DIR.tmp-XXXXXX next to DIR and renamed at the end; a failure, exit() or an
 * interrupt removes the temporary, so DIR is either complete or absent. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "paper.h"

static pthread_mutex_t fs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t guard;
static int guard_running;
static sigset_t guarded, saved_mask;
static char *live_tmp; /* the temporary folder while it exists and is not renamed */

void paper_lock(void) { pthread_mutex_lock(&fs_lock); }
void paper_unlock(void) { pthread_mutex_unlock(&fs_lock); }

/* The folder holds files only (no subfolders): unlink each, then the folder. */
static void remove_flat(const char *dir) {
  DIR *d = opendir(dir);
  if (d != NULL) {
    struct dirent *e;
    char path[4608];
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
    closedir(d);
  }
  rmdir(dir);
}

static void at_exit(void) {
  if (live_tmp != NULL)
    remove_flat(live_tmp);
  live_tmp = NULL;
}

/* Waits for an interrupt; once the writer is between files, removes the
 * temporary folder and ends the process as the signal would (exit 128 + sig). */
static void *guard_main(void *arg) {
  (void)arg;
  int sig = 0;
  if (sigwait(&guarded, &sig) != 0)
    return NULL;
  pthread_mutex_lock(&fs_lock);
  if (live_tmp != NULL) {
    remove_flat(live_tmp);
    fprintf(stderr, "dufm: paper: interrupted (signal %d); removed %s\n", sig, live_tmp);
  }
  _exit(128 + sig);
}

static int is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_empty_dir(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL)
    return 0;
  int empty = 1;
  struct dirent *e;
  while (empty && (e = readdir(d)) != NULL)
    empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
  closedir(d);
  return empty;
}

int paper_out_check(const char *out) {
  struct stat sb;
  if (*out == '\0')
    return cli_fail("--out: needs a folder name");
  if (strlen(out) > 4000)
    return cli_fail("--out: the folder name is longer than 4000 characters");
  if (stat(out, &sb) == 0 && !(S_ISDIR(sb.st_mode) && is_empty_dir(out)))
    return cli_fail("--out: '%s' exists and is not an empty folder (remove it or choose another "
                    "name)",
                    out);
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", out);
  size_t len = strlen(parent);
  while (len > 1 && parent[len - 1] == '/')
    parent[--len] = '\0';
  char *slash = strrchr(parent, '/');
  if (slash == NULL)
    snprintf(parent, sizeof parent, ".");
  else if (slash == parent)
    parent[1] = '\0';
  else
    *slash = '\0';
  if (!is_dir(parent))
    return cli_fail("--out: '%s': the folder '%s' does not exist", out, parent);
  return 0;
}

int paper_out_create(paper_job *j) {
  size_t len = strlen(j->out);
  while (len > 1 && j->out[len - 1] == '/')
    len--;
  j->tmp = malloc(len + 16);
  if (j->tmp == NULL)
    return cli_fail("out of memory");
  snprintf(j->tmp, len + 16, "%.*s.tmp-XXXXXX", (int)len, j->out);
  /* Block the signals before any thread exists: every later thread (the
   * optimizer's workers) inherits the mask, so only the guard receives them. */
  sigemptyset(&guarded);
  sigaddset(&guarded, SIGINT);
  sigaddset(&guarded, SIGTERM);
  sigaddset(&guarded, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &guarded, &saved_mask);
  paper_lock();
  if (mkdtemp(j->tmp) == NULL) {
    int e = errno;
    paper_out_finish();
    return cli_fail("--out: '%s': cannot create a folder next to it: %s", j->out, strerror(e));
  }
  live_tmp = j->tmp;
  static int registered;
  if (!registered)
    registered = atexit(at_exit) == 0;
  if (pthread_create(&guard, NULL, guard_main, NULL) != 0) {
    paper_out_abandon(j);
    paper_out_finish();
    return cli_fail("paper: cannot start the interrupt guard thread");
  }
  guard_running = 1;
  return 0;
}

int paper_out_commit(paper_job *j) {
  /* rename(2) replaces DIR only if it is an empty folder (checked before). */
  if (rename(j->tmp, j->out) != 0) {
    int e = errno;
    paper_out_abandon(j);
    return cli_fail("--out: cannot rename the finished folder to '%s': %s", j->out, strerror(e));
  }
  live_tmp = NULL;
  return 0;
}

void paper_out_abandon(paper_job *j) {
  if (j->tmp != NULL && live_tmp == j->tmp) {
    remove_flat(j->tmp);
    live_tmp = NULL;
  }
}

void paper_out_finish(void) {
  paper_unlock();
  if (guard_running) {
    pthread_cancel(guard); /* sigwait is a cancellation point */
    pthread_join(guard, NULL);
    guard_running = 0;
  }
  pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}
