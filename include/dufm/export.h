/* dufm/export.h: what the shared library exports. The library is compiled with
 * hidden visibility; every public header puts its declarations between
 * DUFM_BEGIN_DECLS and DUFM_END_DECLS, which give them default visibility (and C
 * linkage in C++). Internal functions (the dufm_i_ infix) stay hidden. */
#ifndef DUFM_EXPORT_H
#define DUFM_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define DUFM_VISIBILITY_PUSH _Pragma("GCC visibility push(default)")
#define DUFM_VISIBILITY_POP _Pragma("GCC visibility pop")
#else
#define DUFM_VISIBILITY_PUSH
#define DUFM_VISIBILITY_POP
#endif

#ifdef __cplusplus
#define DUFM_BEGIN_DECLS DUFM_VISIBILITY_PUSH extern "C" {
#define DUFM_END_DECLS                                                                             \
  }                                                                                                \
  DUFM_VISIBILITY_POP
#else
#define DUFM_BEGIN_DECLS DUFM_VISIBILITY_PUSH
#define DUFM_END_DECLS DUFM_VISIBILITY_POP
#endif

#endif
