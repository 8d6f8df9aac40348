/* Small helpers shared by the npy, npy_write and configdir suites. */
#ifndef DUFM_NPY_HELPERS_H
#define DUFM_NPY_HELPERS_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dufm/error.h"

/* Every message: one line that starts with "path: ". */
static inline int names_path(const dufm_err *e, const char *path) {
  size_t n = strlen(path);
  int ok = strncmp(e->msg, path, n) == 0 && e->msg[n] == ':' && strchr(e->msg, '\n') == NULL;
  if (!ok)
    fprintf(stderr, "\n  message does not start with %s: %s\n", path, e->msg);
  return ok;
}

static inline void rm_tree(const char *path) {
  DIR *d = opendir(path);
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
    char sub[4096];
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
      rm_tree(sub);
  }
  if (d != NULL)
    closedir(d);
  remove(path);
}

static inline int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  if (d != NULL)
    closedir(d);
  return d != NULL ? n : -1;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static inline uint64_t rng(void) { /* xorshift64*: reproducible on every platform */
  rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717u;
}

#endif
