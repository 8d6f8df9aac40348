/* dufm paper: what each experiment records (files, JSON summary, report
 * section) and the helpers that write its files into the temporary folder. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "paper.h"

double paper_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int paper_exp_begin(paper_exp *e, const char *name) {
  memset(e, 0, sizeof *e);
  e->name = name;
  e->md = open_memstream(&e->md_text, &e->md_size);
  return e->md == NULL ? -1 : 0;
}

void paper_exp_clear(paper_exp *e) {
  if (e->md != NULL)
    fclose(e->md);
  free(e->md_text);
  for (int i = 0; i < e->nfiles; i++)
    free(e->files[i]);
  for (int i = 0; i < e->nitems; i++) {
    paper_item *it = &e->items[i];
    free(it->str);
    free(it->nums);
    for (int k = 0; it->strs != NULL && k < it->n; k++)
      free(it->strs[k]);
    free(it->strs);
  }
  memset(e, 0, sizeof *e);
}

static paper_item *item(paper_exp *e, const char *key, paper_kind kind) {
  if (e->nitems >= PAPER_MAX_ITEMS) {
    e->oom = 1;
    return NULL;
  }
  paper_item *it = &e->items[e->nitems++];
  memset(it, 0, sizeof *it);
  snprintf(it->key, sizeof it->key, "%s", key);
  it->kind = kind;
  return it;
}

void paper_num(paper_exp *e, const char *key, double v) {
  paper_item *it = item(e, key, PAPER_NUM);
  if (it)
    it->num = v;
}

void paper_int(paper_exp *e, const char *key, long long v) {
  paper_item *it = item(e, key, PAPER_INT);
  if (it)
    it->i = v;
}

void paper_str(paper_exp *e, const char *key, const char *s) {
  paper_item *it = item(e, key, PAPER_STR);
  if (it && (it->str = strdup(s)) == NULL)
    e->oom = 1;
}

void paper_nums(paper_exp *e, const char *key, const double *v, int n) {
  paper_item *it = item(e, key, PAPER_NUMS);
  if (it == NULL)
    return;
  it->nums = malloc((size_t)(n > 0 ? n : 1) * sizeof *it->nums);
  if (it->nums == NULL) {
    e->oom = 1;
    return;
  }
  memcpy(it->nums, v, (size_t)n * sizeof *v);
  it->n = n;
}

void paper_strs(paper_exp *e, const char *key, const char *const *v, int n) {
  paper_item *it = item(e, key, PAPER_STRS);
  if (it == NULL || (it->strs = calloc((size_t)(n > 0 ? n : 1), sizeof *it->strs)) == NULL) {
    e->oom = 1;
    return;
  }
  for (int k = 0; k < n; k++, it->n++)
    if ((it->strs[k] = strdup(v[k])) == NULL) {
      e->oom = 1;
      return;
    }
}

void paper_json_summary(json_writer *w, const paper_exp *e) {
  json_begin_object(w);
  for (int i = 0; i < e->nitems; i++) {
    const paper_item *it = &e->items[i];
    json_key(w, it->key);
    if (it->kind == PAPER_NUM)
      json_double(w, it->num);
    else if (it->kind == PAPER_INT)
      json_int(w, it->i);
    else if (it->kind == PAPER_STR)
      json_string(w, it->str);
    else {
      json_begin_array(w);
      for (int k = 0; k < it->n; k++)
        if (it->kind == PAPER_NUMS)
          json_double(w, it->nums[k]);
        else
          json_string(w, it->strs[k]);
      json_end_array(w);
    }
  }
  json_end_object(w);
}

const char *paper_file(char *buf, size_t size, paper_job *j, paper_exp *e, const char *name) {
  snprintf(buf, size, "%s/%s", j->tmp, name);
  if (e->nfiles < PAPER_MAX_FILES && (e->files[e->nfiles] = strdup(name)) != NULL)
    e->nfiles++;
  else
    e->oom = 1;
  return buf;
}

FILE *paper_open(paper_job *j, paper_exp *e, const char *name) {
  char path[4608];
  /* A new name in the private temporary folder: never through a planted link. */
  int fd = open(paper_file(path, sizeof path, j, e, name),
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (f == NULL && fd >= 0)
    close(fd);
  if (f == NULL)
    out_fail("--out: %s: cannot create: %s", path, strerror(errno));
  return f;
}

int paper_close(FILE *f, const char *name) {
  int bad = ferror(f);
  bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
  bad |= fclose(f) != 0;
  return bad ? out_fail("--out: %s: cannot write: %s", name, strerror(errno)) : 0;
}

int paper_figure(paper_job *j, paper_exp *e, const char *name,
                 int (*draw)(const plot_target *t, const void *ctx), const void *ctx) {
  static const plot_format formats[2] = {PLOT_SVG, PLOT_PNG};
  for (int k = 0; k < 2; k++) {
    char file[256], path[4608];
    snprintf(file, sizeof file, "%s.%s", name, plot_format_name(formats[k]));
    plot_target t = {.out = paper_file(path, sizeof path, j, e, file),
                     .format = formats[k],
                     .json = 0,
                     .quiet = 1};
    int rc = draw(&t, ctx);
    if (rc != 0)
      return rc;
  }
  return 0;
}
