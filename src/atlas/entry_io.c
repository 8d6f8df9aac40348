/* The one place where an atlas entry folder reaches the disk. The contents
 * go to a fresh temporary sibling ("<dir>.tmp-XXXXXX"), which is renamed into
 * place; an existing entry is swapped out atomically (renameat2 with
 * RENAME_EXCHANGE) and then removed. A kill at any point leaves the old entry
 * or the new one at <dir>, plus at most a temporary that dufm_atlas_open
 * removes. (To be switched to the library's common atomic writer.) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atlas/atlas_internal.h"

dufm_status dufm_i_atlas_write_contents(const char *tmp, const dufm_atlas_entry *e, dufm_err *err);

void dufm_i_atlas_remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d != NULL) {
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      size_t len = strlen(dir) + strlen(de->d_name) + 2;
      char *path = malloc(len);
      if (path == NULL)
        continue;
      snprintf(path, len, "%s/%s", dir, de->d_name);
      struct stat sb;
      if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        dufm_i_atlas_remove_tree(path);
      else
        unlink(path);
      free(path);
    }
    closedir(d);
  }
  rmdir(dir);
}

static void sync_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

dufm_status dufm_i_atlas_publish(const char *dir, const dufm_atlas_entry *e, dufm_err *err) {
  size_t len = strlen(dir) + 16;
  char *tmp = malloc(len), *parent = strdup(dir);
  if (tmp == NULL || parent == NULL) {
    free(tmp);
    free(parent);
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", dir);
  }
  char *slash = strrchr(parent, '/');
  if (slash != NULL)
    *slash = '\0';
  else
    strcpy(parent, ".");
  snprintf(tmp, len, "%s.tmp-XXXXXX", dir);
  dufm_status st = DUFM_OK;
  if (mkdtemp(tmp) == NULL) {
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot create a folder next to it: %s", dir,
                      strerror(errno));
    goto cleanup;
  }
  st = dufm_i_atlas_write_contents(tmp, e, err);
  if (st != DUFM_OK) {
    dufm_i_atlas_remove_tree(tmp);
    goto cleanup;
  }
  sync_dir(tmp);
  if (rename(tmp, dir) == 0) {
    sync_dir(parent);
    goto cleanup;
  }
  if (errno != ENOTEMPTY && errno != EEXIST) {
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot rename the finished entry into place: %s", dir,
                      strerror(errno));
    dufm_i_atlas_remove_tree(tmp);
    goto cleanup;
  }
  /* An entry is there: swap, then tmp holds the old one. */
  if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0) {
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot replace the entry atomically: %s", dir,
                      strerror(errno));
    dufm_i_atlas_remove_tree(tmp);
    goto cleanup;
  }
  sync_dir(parent);
  dufm_i_atlas_remove_tree(tmp);
cleanup:
  free(tmp);
  free(parent);
  return st;
}
