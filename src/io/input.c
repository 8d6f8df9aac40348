/* Opening inputs: regular files only, never blocking, with a size cap. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dufm/atomic.h"
#include "io/npy_internal.h"

/* The one wording of what a path is, for messages. */
const char *dufm_i_file_kind(mode_t m) {
  if (S_ISREG(m))
    return "a regular file";
  if (S_ISDIR(m))
    return "a folder";
  if (S_ISLNK(m))
    return "a symbolic link";
  if (S_ISFIFO(m))
    return "a FIFO";
  if (S_ISCHR(m) || S_ISBLK(m))
    return "a device";
  if (S_ISSOCK(m))
    return "a socket";
  return "not a regular file";
}

static void cap_text(char *buf, size_t size, uint64_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
    snprintf(buf, size, "%llu MiB", (unsigned long long)(bytes >> 20));
  else
    snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
}

dufm_status dufm_input_open(FILE **out, uint64_t *size, const char *path, uint64_t max_bytes,
                            const char *what, dufm_err *err) {
  struct stat sb;
  *out = NULL;
  if (size != NULL)
    *size = 0;
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return dufm_err_set(err, DUFM_EIO, "%s: cannot open: %s", path, strerror(errno));
  dufm_status st = DUFM_OK;
  char cap[32];
  if (fstat(fd, &sb) != 0) {
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot stat: %s", path, strerror(errno));
  } else if (!S_ISREG(sb.st_mode)) {
    st = dufm_err_set(err, DUFM_EIO, "%s: is %s; %s must be a regular file", path,
                      dufm_i_file_kind(sb.st_mode), what != NULL ? what : "an input");
  } else if (max_bytes > 0 && (uint64_t)sb.st_size > max_bytes) {
    cap_text(cap, sizeof cap, max_bytes);
    st = dufm_err_set(err, DUFM_EFORMAT, "%s: %llu bytes exceed the limit of %s for %s", path,
                      (unsigned long long)sb.st_size, cap, what != NULL ? what : "an input");
  } else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
             (*out = fdopen(fd, "rb")) == NULL) {
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot open: %s", path, strerror(errno));
  }
  if (st != DUFM_OK) {
    close(fd);
    return st;
  }
  if (size != NULL)
    *size = (uint64_t)sb.st_size;
  return DUFM_OK;
}

dufm_status dufm_input_read(char **text, size_t *len, const char *path, uint64_t max_bytes,
                            const char *what, dufm_err *err) {
  FILE *f;
  uint64_t size;
  *text = NULL;
  *len = 0;
  dufm_status st = dufm_input_open(&f, &size, path, max_bytes, what, err);
  if (st != DUFM_OK)
    return st;
  /* The size at open bounds the read: a file that grows meanwhile is cut there
   * and then found different from its stated size. */
  char *buf = malloc((size_t)size + 1);
  if (buf == NULL) {
    fclose(f);
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory reading %llu bytes", path,
                        (unsigned long long)size);
  }
  size_t got = fread(buf, 1, (size_t)size, f);
  if (ferror(f))
    st = dufm_err_set(err, DUFM_EIO, "%s: read error: %s", path, strerror(errno));
  else if (got != size || fgetc(f) != EOF)
    st = dufm_err_set(err, DUFM_EIO, "%s: changed size while being read", path);
  fclose(f);
  if (st != DUFM_OK) {
    free(buf);
    return st;
  }
  buf[got] = '\0';
  *text = buf;
  *len = got;
  return DUFM_OK;
}
