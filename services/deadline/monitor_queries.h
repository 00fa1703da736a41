/* monitor_queries.h - what is due, and how units stand
 *
 * Reads only. A level shown is computed at the time of the query from the
 * occurrence's due date (not the stored level, which the sweep may not have
 * reached yet), so `partrack due` is right to the second. Replies are
 * protobuf messages whose strings the caller frees with the matching _free.
 */
#ifndef PARTRACK_MONITOR_QUERIES_H
#define PARTRACK_MONITOR_QUERIES_H

#include "db.h"
#include "deadline.pb-c.h"
#include "due_levels.h"
#include "workcal.h"

#include <stdint.h>

/* Open occurrences (and tasks waiting for their event, when no due filter is
 * given), earliest first. 0, or -1 on a database failure. */
int monitor_due_list(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                     const Partrack__DueListRequest *req, Partrack__DueListReply *reply);
void monitor_due_list_free(Partrack__DueListReply *reply);

/* The occurrence `id` as a one-item list: 1, 0 if there is none, -1. */
int monitor_due_one(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                    int64_t id, Partrack__DueListReply *reply);

/* Done on time, done late, open within deadline, open overdue and waiting,
 * by lead unit, by area (plan number and area ordinal) and in total; the
 * on-time rate is done on time / (done + open overdue). 0, or -1. */
int monitor_status(db_t *db, int64_t now, const Partrack__StatusRequest *req,
                   Partrack__StatusReply *reply);
void monitor_status_free(Partrack__StatusReply *reply);

#endif
