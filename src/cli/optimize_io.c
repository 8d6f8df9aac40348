/* dufm optimize: the saved configuration folder and the trace file, both
 * written to temporaries and renamed, so nothing half-written remains. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "dufm/npy.h"
#include "optimize.h"

/* Copies the folder part of path ("." when there is none) into buf. */
static void parent_of(char *buf, size_t size, const char *path) {
  snprintf(buf, size, "%s", path);
  size_t len = strlen(buf);
  while (len > 1 && buf[len - 1] == '/')
    buf[--len] = '\0';
  char *slash = strrchr(buf, '/');
  if (slash == NULL)
    snprintf(buf, size, ".");
  else if (slash == buf)
    buf[1] = '\0';
  else
    *slash = '\0';
}

static int is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_empty_dir(const char *path) {
  DIR *dir = opendir(path);
  if (dir == NULL)
    return 0;
  int empty = 1;
  struct dirent *e;
  while (empty && (e = readdir(dir)) != NULL)
    empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
  closedir(dir);
  return empty;
}

int optimize_check_save(const char *dir) {
  char parent[4096];
  struct stat sb;
  if (*dir == '\0')
    return cli_fail("--save: needs a folder name"), -1;
  if (stat(dir, &sb) == 0) {
    if (!S_ISDIR(sb.st_mode) || !is_empty_dir(dir))
      return cli_fail("--save: '%s' exists and is not an empty folder (choose a new name)", dir),
             -1;
    return 0;
  }
  parent_of(parent, sizeof parent, dir);
  if (!is_dir(parent))
    return cli_fail("--save: '%s': the folder '%s' does not exist", dir, parent), -1;
  return 0;
}

int optimize_check_trace(const char *file) {
  char parent[4096];
  if (*file == '\0')
    return cli_fail("--trace: needs a file name"), -1;
  if (is_dir(file))
    return cli_fail("--trace: '%s' is a folder; give a file name", file), -1;
  parent_of(parent, sizeof parent, file);
  if (!is_dir(parent))
    return cli_fail("--trace: '%s': the folder '%s' does not exist", file, parent), -1;
  return 0;
}

dufm_status optimize_save(const char *dir, const dufm_config *c, dufm_err *err) {
  return dufm_config_save_atomic(dir, c, err);
}

dufm_status optimize_write_trace(const char *file, const optimize_job *j, dufm_err *err) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", file);
  FILE *f = fopen(tmp, "w");
  if (f == NULL)
    return dufm_err_set(err, DUFM_EIO, "%s: cannot create: %s", tmp, strerror(errno));
  fputs("run,seed,iter,loss,fit,reg,grad_norm\n", f);
  for (int r = 0; r < j->nseeds; r++) {
    const dufm_optim_result *res = &j->res[r];
    for (long i = 0; i < res->ntrace; i++) {
      const dufm_optim_point *pt = &res->trace[i];
      fprintf(f, "%d,%llu,%ld,%.17g,%.17g,%.17g,%.17g\n", r, (unsigned long long)res->seed,
              pt->iter, pt->loss, pt->fit, pt->reg, pt->grad_norm);
    }
  }
  int bad = ferror(f);
  bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, file) != 0) {
    int e = errno;
    unlink(tmp);
    return dufm_err_set(err, DUFM_EIO, "%s: cannot write the trace: %s", file, strerror(e));
  }
  return DUFM_OK;
}
