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
static int wake[2] = {-1, -1}; /* self-pipe: the signal handler writes, the guard reads */
static const int guarded[3] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved[3];
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

/* Any thread may take the signal (OpenBLAS starts its own before main), so
 * the handler only passes the signal number on; async-signal-safe. */
static void on_signal(int sig) {
  int saved_errno = errno;
  unsigned char b = (unsigned char)sig;
  ssize_t w = write(wake[1], &b, 1);
  (void)w;
  errno = saved_errno;
}

/* Waits for an interrupt; once the writer is between files, removes the
 * temporary folder and ends the process as the signal would (exit 128 + sig). */
static void *guard_main(void *arg) {
  (void)arg;
  unsigned char b = 0;
  while (read(wake[0], &b, 1) != 1)
    if (errno != EINTR)
      return NULL;
  int sig = b;
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
  paper_lock();
  /* The guard first: from here on an interrupt removes whatever exists. */
  if (pipe(wake) != 0 || pthread_create(&guard, NULL, guard_main, NULL) != 0) {
    paper_out_finish();
    return cli_fail("paper: cannot start the interrupt guard thread");
  }
  guard_running = 1;
  /* A signal ignored at start (a background job's SIGINT, nohup's SIGHUP)
   * stays ignored. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; i++)
    if (sigaction(guarded[i], NULL, &saved[i]) == 0 && saved[i].sa_handler != SIG_IGN)
      sigaction(guarded[i], &sa, NULL);
  if (mkdtemp(j->tmp) == NULL) {
    int e = errno;
    paper_out_finish();
    return cli_fail("--out: '%s': cannot create a folder next to it: %s", j->out, strerror(e));
  }
  live_tmp = j->tmp;
  /* mkdtemp makes the folder 0700; the result gets the usual 0777 minus umask. */
  mode_t mask = umask(0);
  umask(mask);
  (void)chmod(j->tmp, 0777 & ~mask); /* on failure the folder is only less readable */
  static int registered;
  if (!registered)
    registered = atexit(at_exit) == 0;
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
    for (int i = 0; i < 3; i++)
      if (saved[i].sa_handler != SIG_IGN)
        sigaction(guarded[i], &saved[i], NULL);
    pthread_cancel(guard); /* read is a cancellation point */
    pthread_join(guard, NULL);
    guard_running = 0;
  }
  for (int i = 0; i < 2; i++)
    if (wake[i] >= 0)
      close(wake[i]), wake[i] = -1;
}
