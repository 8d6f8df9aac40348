/* Writing files and folders through temporaries and one rename (dufm/atomic.h),
 * with a registry of live temporaries that a signal handler can remove. */
#define _GNU_SOURCE /* renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dufm/atomic.h"
#include "io/npy_internal.h"

#define SUFFIX ".tmp-"
#define SUFFIX_RANDOM 12

/* ---- the registry: fixed storage, so a signal handler reads it without locks */
enum { SLOT_FREE, SLOT_BUSY, SLOT_FILE, SLOT_DIR };

static struct {
  atomic_int state;
  char path[DUFM_ATOMIC_PATH_MAX + 32];
} slots[DUFM_ATOMIC_MAX_LIVE];

/* Claims a slot for tmp; it is listed (kind) before the temporary exists, so an
 * interrupt between creation and listing cannot leave it behind. */
static int slot_claim(const char *tmp, int kind) {
  for (int i = 0; i < DUFM_ATOMIC_MAX_LIVE; i++) {
    int expect = SLOT_FREE;
    if (atomic_compare_exchange_strong(&slots[i].state, &expect, SLOT_BUSY)) {
      snprintf(slots[i].path, sizeof slots[i].path, "%s", tmp);
      atomic_store(&slots[i].state, kind);
      return i;
    }
  }
  return -1;
}

static void slot_release(int i) {
  if (i >= 0)
    atomic_store(&slots[i].state, SLOT_FREE);
}

int dufm_atomic_live_count(void) {
  int n = 0;
  for (int i = 0; i < DUFM_ATOMIC_MAX_LIVE; i++)
    n += atomic_load(&slots[i].state) >= SLOT_FILE;
  return n;
}

/* getdents64 records (the raw system call: async-signal-safe, unlike readdir). */
struct dirent64_raw {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

/* Removes the files directly inside dir, then dir; a few passes in case
 * another thread adds a file meanwhile. Async-signal-safe. */
static void remove_flat(const char *dir) {
  for (int pass = 0; pass < 20; pass++) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      return;
    char buf[4096] __attribute__((aligned(8)));
    long got;
    while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
      for (long off = 0; off < got;) {
        struct dirent64_raw *e = (struct dirent64_raw *)(buf + off);
        off += e->reclen;
        if (strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0)
          unlinkat(fd, e->name, 0);
      }
    close(fd);
    if (rmdir(dir) == 0 || errno == ENOENT)
      return;
  }
}

void dufm_atomic_cleanup(void) {
  for (int i = 0; i < DUFM_ATOMIC_MAX_LIVE; i++) {
    int s = atomic_load(&slots[i].state);
    if (s == SLOT_FILE)
      unlink(slots[i].path);
    else if (s == SLOT_DIR)
      remove_flat(slots[i].path);
  }
}

/* ---- names and checks */

static void random_suffix(char *out) {
  static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  static atomic_uint counter;
  unsigned char r[SUFFIX_RANDOM];
  if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^
                 atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15u;
    for (int i = 0; i < SUFFIX_RANDOM; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      r[i] = (unsigned char)x;
    }
  }
  for (int i = 0; i < SUFFIX_RANDOM; i++)
    out[i] = abc[r[i] % (sizeof abc - 1)];
  out[SUFFIX_RANDOM] = '\0';
}

/* The folder part of path: "." when there is none. */
static char *parent_of(const char *path) {
  char *p = strdup(path);
  if (p == NULL)
    return NULL;
  size_t len = strlen(p);
  while (len > 1 && p[len - 1] == '/')
    p[--len] = '\0';
  char *slash = strrchr(p, '/');
  if (slash == NULL)
    strcpy(p, ".");
  else if (slash == p)
    p[1] = '\0';
  else
    *slash = '\0';
  return p;
}

/* A missing target needs an existing parent folder. */
static dufm_status check_parent(const char *path, dufm_err *err) {
  char *parent = parent_of(path);
  struct stat sb;
  if (parent == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
  dufm_status st = DUFM_OK;
  if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode))
    st = dufm_err_set(err, DUFM_EINVAL, "%s: the folder '%s' does not exist", path, parent);
  free(parent);
  return st;
}

static void sync_parent(const char *path) {
  char *parent = parent_of(path);
  int fd = parent != NULL ? open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (fd >= 0) {
    (void)fsync(fd); /* durability of the rename only; the data are already synced */
    close(fd);
  }
  free(parent);
}

/* rename(2) that never replaces an existing name. */
static int rename_noreplace(const char *from, const char *to, int is_dir) {
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
  /* File systems without RENAME_NOREPLACE: link(2) fails on an existing name. */
  if (!is_dir) {
    if (link(from, to) != 0)
      return -1;
    unlink(from);
    return 0;
  }
  struct stat sb;
  if (lstat(to, &sb) == 0) {
    errno = EEXIST;
    return -1;
  }
  return rename(from, to);
}

static char *tmp_name(const char *path) {
  size_t len = strlen(path) + sizeof SUFFIX + SUFFIX_RANDOM;
  char *tmp = malloc(len);
  if (tmp != NULL) {
    snprintf(tmp, len, "%s" SUFFIX, path);
    random_suffix(tmp + strlen(tmp));
  }
  return tmp;
}

static dufm_status check_length(const char *path, const char *what, dufm_err *err) {
  if (path == NULL || *path == '\0')
    return dufm_err_set(err, DUFM_EINVAL, "needs a %s name", what);
  if (strlen(path) > DUFM_ATOMIC_PATH_MAX)
    return dufm_err_set(err, DUFM_EINVAL, "the %s name is longer than %d bytes", what,
                        DUFM_ATOMIC_PATH_MAX);
  return DUFM_OK;
}

/* ---- files */

dufm_status dufm_atomic_file_open(dufm_atomic_file *af, const char *path, dufm_err *err) {
  memset(af, 0, sizeof *af);
  af->slot = -1;
  struct stat sb;
  dufm_status st = check_length(path, "file", err);
  if (st != DUFM_OK)
    return st;
  size_t len = strlen(path);
  if (path[len - 1] == '/')
    return dufm_err_set(err, DUFM_EINVAL, "%s: names a folder; give a file name", path);
  if (lstat(path, &sb) == 0) {
    if (!S_ISREG(sb.st_mode))
      return dufm_err_set(err, DUFM_EINVAL,
                          "%s: exists and is %s; only a regular file is replaced (nothing written)",
                          path, dufm_i_file_kind(sb.st_mode));
    af->replace = 1;
  } else if (errno != ENOENT) {
    return dufm_err_set(err, DUFM_EIO, "%s: %s", path, strerror(errno));
  } else if ((st = check_parent(path, err)) != DUFM_OK) {
    return st;
  }
  if ((af->path = strdup(path)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
    free(af->tmp);
    if ((af->tmp = tmp_name(path)) == NULL)
      break;
    if (af->slot < 0 && (af->slot = slot_claim(af->tmp, SLOT_FILE)) < 0)
      break;
    snprintf(slots[af->slot].path, sizeof slots[af->slot].path, "%s", af->tmp);
    fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  int e = errno;
  if (fd < 0 || (af->f = fdopen(fd, "wb")) == NULL) {
    if (af->tmp == NULL)
      st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
    else if (af->slot < 0)
      st = dufm_err_set(err, DUFM_EIO, "%s: more than %d files are being written at once", path,
                        DUFM_ATOMIC_MAX_LIVE);
    else
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot create a temporary file next to it: %s", path,
                        strerror(fd < 0 ? e : errno));
    if (fd >= 0) {
      close(fd);
      unlink(af->tmp);
    }
    slot_release(af->slot);
    free(af->tmp);
    free(af->path);
    memset(af, 0, sizeof *af);
    af->slot = -1;
    return st;
  }
  return DUFM_OK;
}

static void file_clear(dufm_atomic_file *af) {
  slot_release(af->slot);
  free(af->tmp);
  free(af->path);
  memset(af, 0, sizeof *af);
  af->slot = -1;
}

void dufm_atomic_file_abort(dufm_atomic_file *af) {
  if (af == NULL || af->tmp == NULL)
    return;
  if (af->f != NULL)
    fclose(af->f);
  unlink(af->tmp);
  file_clear(af);
}

/* Flush, check, fsync and close f; 0 or -1 with errno (0 when a write failed
 * earlier and errno is lost). */
static int finish_stream(FILE *f) {
  int bad = fflush(f) != 0;
  int e = bad ? errno : 0;
  if (!bad && ferror(f))
    bad = 1, e = 0;
  if (!bad && fsync(fileno(f)) != 0)
    bad = 1, e = errno;
  if (fclose(f) != 0 && !bad)
    bad = 1, e = errno;
  errno = e;
  return bad ? -1 : 0;
}

static int sync_by_name(const char *path) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

dufm_status dufm_atomic_file_commit(dufm_atomic_file *af, dufm_err *err) {
  if (af == NULL || af->tmp == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "no file is being written");
  dufm_status st = DUFM_OK;
  int rc = af->f != NULL ? finish_stream(af->f) : sync_by_name(af->tmp);
  af->f = NULL;
  struct stat sb;
  if (rc != 0) {
    st = dufm_err_set(err, DUFM_EIO, "%s: write failed: %s; nothing written", af->path,
                      errno != 0 ? strerror(errno) : "a write error (disk full?)");
  } else if (af->replace) {
    if (lstat(af->path, &sb) == 0 && !S_ISREG(sb.st_mode))
      st = dufm_err_set(err, DUFM_EINVAL, "%s: has become %s meanwhile; nothing written", af->path,
                        dufm_i_file_kind(sb.st_mode));
    else if (rename(af->tmp, af->path) != 0)
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot rename the finished file into place: %s",
                        af->path, strerror(errno));
  } else if (rename_noreplace(af->tmp, af->path, 0) != 0) {
    if (errno == EEXIST)
      st = dufm_err_set(err, DUFM_EIO,
                        "%s: appeared while this was written (another writer?); left as it is, "
                        "nothing written",
                        af->path);
    else
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot rename the finished file into place: %s",
                        af->path, strerror(errno));
  }
  if (st != DUFM_OK)
    unlink(af->tmp);
  else
    sync_parent(af->path);
  file_clear(af);
  return st;
}

/* ---- folders */

static int is_empty_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char buf[4096] __attribute__((aligned(8)));
  long got;
  int empty = 1;
  while (empty && (got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
    for (long off = 0; off < got && empty;) {
      struct dirent64_raw *e = (struct dirent64_raw *)(buf + off);
      off += e->reclen;
      empty = strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0;
    }
  close(fd);
  return empty;
}

dufm_status dufm_atomic_dir_begin(dufm_atomic_dir *ad, const char *path, dufm_err *err) {
  memset(ad, 0, sizeof *ad);
  ad->slot = -1;
  struct stat sb;
  dufm_status st = check_length(path, "folder", err);
  if (st != DUFM_OK)
    return st;
  if ((ad->path = strdup(path)) == NULL)
    return dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
  size_t len = strlen(ad->path);
  while (len > 1 && ad->path[len - 1] == '/')
    ad->path[--len] = '\0';
  if (strcmp(ad->path, "/") == 0 || strcmp(ad->path, ".") == 0 || strcmp(ad->path, "..") == 0 ||
      (len >= 2 && strcmp(ad->path + len - 2, "/.") == 0) ||
      (len >= 3 && strcmp(ad->path + len - 3, "/..") == 0)) {
    st = dufm_err_set(err, DUFM_EINVAL, "%s: give a folder name, not '.', '..' or '/'", path);
  } else if (lstat(ad->path, &sb) == 0) {
    if (!S_ISDIR(sb.st_mode))
      st = dufm_err_set(err, DUFM_EINVAL,
                        "%s: exists and is %s; a folder target must be missing or an empty "
                        "folder (nothing written)",
                        path, dufm_i_file_kind(sb.st_mode));
    else if (!is_empty_dir(ad->path))
      st = dufm_err_set(err, DUFM_EINVAL,
                        "%s: exists and is not an empty folder; it is never overwritten (remove "
                        "it or choose a new name)",
                        path);
    else
      ad->replace = 1;
  } else if (errno != ENOENT) {
    st = dufm_err_set(err, DUFM_EIO, "%s: %s", path, strerror(errno));
  } else {
    st = check_parent(ad->path, err);
  }
  int made = 0;
  for (int attempt = 0; st == DUFM_OK && attempt < 100 && !made; attempt++) {
    free(ad->tmp);
    if ((ad->tmp = tmp_name(ad->path)) == NULL) {
      st = dufm_err_set(err, DUFM_ENOMEM, "%s: out of memory", path);
    } else if (ad->slot < 0 && (ad->slot = slot_claim(ad->tmp, SLOT_DIR)) < 0) {
      st = dufm_err_set(err, DUFM_EIO, "%s: more than %d files are being written at once", path,
                        DUFM_ATOMIC_MAX_LIVE);
    } else {
      snprintf(slots[ad->slot].path, sizeof slots[ad->slot].path, "%s", ad->tmp);
      made = mkdir(ad->tmp, 0777) == 0;
      if (!made && errno != EEXIST)
        st = dufm_err_set(err, DUFM_EIO, "%s: cannot create a temporary folder next to it: %s",
                          path, strerror(errno));
    }
  }
  if (st == DUFM_OK && !made)
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot find a free temporary name next to it", path);
  if (st != DUFM_OK) {
    slot_release(ad->slot);
    free(ad->tmp);
    free(ad->path);
    memset(ad, 0, sizeof *ad);
    ad->slot = -1;
  }
  return st;
}

char *dufm_atomic_dir_path(const dufm_atomic_dir *ad, const char *name) {
  size_t len = strlen(ad->tmp) + strlen(name) + 2;
  char *p = malloc(len);
  if (p != NULL)
    snprintf(p, len, "%s/%s", ad->tmp, name);
  return p;
}

static void dir_clear(dufm_atomic_dir *ad) {
  slot_release(ad->slot);
  free(ad->tmp);
  free(ad->path);
  memset(ad, 0, sizeof *ad);
  ad->slot = -1;
}

void dufm_atomic_dir_abort(dufm_atomic_dir *ad) {
  if (ad == NULL || ad->tmp == NULL)
    return;
  remove_flat(ad->tmp);
  dir_clear(ad);
}

dufm_status dufm_atomic_dir_commit(dufm_atomic_dir *ad, dufm_err *err) {
  if (ad == NULL || ad->tmp == NULL)
    return dufm_err_set(err, DUFM_EINVAL, "no folder is being written");
  dufm_status st = DUFM_OK;
  int fd = open(ad->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0)
    st = dufm_err_set(err, DUFM_EIO, "%s: cannot sync the finished folder: %s", ad->path,
                      strerror(errno));
  if (fd >= 0)
    close(fd);
  int rc = 0;
  if (st == DUFM_OK)
    rc = ad->replace ? rename(ad->tmp, ad->path) : rename_noreplace(ad->tmp, ad->path, 1);
  if (st == DUFM_OK && rc != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY || errno == ENOTDIR || errno == EISDIR)
      st = dufm_err_set(err, DUFM_EIO,
                        "%s: appeared or was filled while this was written (another writer?); "
                        "left as it is, nothing written",
                        ad->path);
    else
      st = dufm_err_set(err, DUFM_EIO, "%s: cannot rename the finished folder into place: %s",
                        ad->path, strerror(errno));
  }
  if (st != DUFM_OK)
    remove_flat(ad->tmp);
  else
    sync_parent(ad->path);
  dir_clear(ad);
  return st;
}
