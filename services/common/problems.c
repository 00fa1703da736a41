/* problems.c - a list of input problems, each "file:line: field: what" */
#include "problems.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void problems_add(problems_t *p, const char *file, unsigned line, const char *field,
                  const char *fmt, ...)
{
    if (p->n == PROBLEMS_MAX) {
        p->dropped++;
        return;
    }
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    problem_t *it = &p->items[p->n++];
    /* The message was cut to its buffer, maybe inside a character of the
     * input it quotes; problems travel in protobuf strings: UTF-8 only. */
    it->file = text_scrub_utf8(strdup(file ? file : ""));
    it->line = line;
    it->field = field ? text_scrub_utf8(strdup(field)) : NULL;
    it->message = text_scrub_utf8(strdup(message));
}

void problems_clear(problems_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].file);
        free(p->items[i].field);
        free(p->items[i].message);
    }
    p->n = 0;
    p->dropped = 0;
}
