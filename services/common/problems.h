/* problems.h - a list of input problems, each "file:line: field: what"
 *
 * Collected while reading or checking an input so the user sees every problem
 * at once (up to a cap), not one per attempt. Every text of a problem is
 * valid UTF-8 (what is not, a quoted byte or a character cut at the
 * message's 512 bytes, becomes '?'), so problems can be sent as they are.
 */
#ifndef PARTRACK_PROBLEMS_H
#define PARTRACK_PROBLEMS_H

#include <stddef.h>

#define PROBLEMS_MAX 200

typedef struct {
    char *file;
    unsigned line; /* 0: the file as a whole */
    char *field;   /* may be NULL */
    char *message;
} problem_t;

typedef struct {
    problem_t items[PROBLEMS_MAX];
    size_t n;
    size_t dropped; /* problems past the cap, counted only */
} problems_t;

void problems_add(problems_t *p, const char *file, unsigned line, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void problems_clear(problems_t *p);

#endif
