/* parse_ahead.h - reading a batch's plan tables on a second thread
 *
 * parse_ahead_start begins reading every plan table of the batch, in order,
 * with plan_table_read; parse_ahead_take(i) waits for table i and hands its
 * document over. The request and the calendar must stay unchanged until
 * parse_ahead_stop, which ends the reading and frees what was not taken.
 */
#ifndef PARTRACK_PARSE_AHEAD_H
#define PARTRACK_PARSE_AHEAD_H

#include "plan_table.h"
#include "plans.pb-c.h"
#include "workcal.h"

#include <stddef.h>

typedef struct parse_ahead parse_ahead_t;

/* NULL when out of memory or no thread could start. */
parse_ahead_t *parse_ahead_start(const Partrack__PlanImportBatchRequest *req, const workcal_t *cal);

/* Table i's document (caller destroys with plan_doc_destroy), or NULL with
 * plan_table_read's reason in reason. Take each i at most once, in any order. */
plan_doc_t *parse_ahead_take(parse_ahead_t *self, size_t i, char *reason, size_t len);

/* Stops the reading (waits for the table being read) and frees everything;
 * takes NULL and a NULL *self_p. */
void parse_ahead_stop(parse_ahead_t **self_p);

#endif
