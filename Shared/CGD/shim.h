#ifndef EXAM_CGD_SHIM_H
#define EXAM_CGD_SHIM_H
#include <gd.h>
#include <stdarg.h>

/* libgd prints decoder complaints to stderr; a refused upload is answered, not logged there. */
static void exam_gd_quiet(int priority, const char *format, va_list args) {
    (void)priority; (void)format; (void)args;
}
static inline void exam_gd_silence(void) { gdSetErrorMethod(exam_gd_quiet); }
#endif
