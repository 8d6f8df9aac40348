/* dufm paper: the output folder, built with dufm_atomic_dir (dufm/atomic.h):
 * everything is written into a fresh DIR.tmp-XXXXXXXXXXXX next to DIR and
 * renamed at the end; a failure, exit() or an interrupt removes the temporary,
 * so DIR is either complete or absent. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/atomic.h"
#include "paper.h"

static pthread_mutex_t fs_lock = PTHREAD_MUTEX_INITIALIZER;
/* The folder being built; interrupts remove it through the registry of
 * dufm/atomic.h (the handler is cli_guard_install's). */
static dufm_atomic_dir folder;

void paper_lock(void) { pthread_mutex_lock(&fs_lock); }
void paper_unlock(void) { pthread_mutex_unlock(&fs_lock); }

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
    return out_fail("--out: needs a folder name");
  if (strlen(out) > 4000)
    return out_fail("--out: the folder name is longer than 4000 characters");
  if (stat(out, &sb) == 0 && !(S_ISDIR(sb.st_mode) && is_empty_dir(out)))
    return out_fail("--out: '%s' exists and is not an empty folder (remove it or choose another "
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
    return out_fail("--out: '%s': the folder '%s' does not exist", out, parent);
  return 0;
}

int paper_out_create(paper_job *j) {
  dufm_err err;
  paper_lock();
  if (dufm_atomic_dir_begin(&folder, j->out, &err) != DUFM_OK) {
    paper_out_finish();
    return out_fail("--out: %s", err.msg);
  }
  if ((j->tmp = strdup(folder.tmp)) == NULL) {
    dufm_atomic_dir_abort(&folder);
    paper_out_finish();
    return out_fail("out of memory");
  }
  return 0;
}

int paper_out_commit(paper_job *j) {
  dufm_err err;
  (void)j;
  if (dufm_atomic_dir_commit(&folder, &err) != DUFM_OK)
    return out_fail("--out: %s", err.msg);
  return 0;
}

void paper_out_abandon(paper_job *j) {
  (void)j;
  dufm_atomic_dir_abort(&folder);
}

void paper_out_finish(void) { paper_unlock(); }
