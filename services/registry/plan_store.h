/* plan_store.h - plans and tasks in PostgreSQL (schema registry)
 *
 * plan_store_import writes one plan read by plan_table_read: the plan, its
 * links to the plans it implements, its areas, its tasks with their
 * schedules, the units each task names (resolved in the context of the
 * issuing unit; groups expanded), the names that did not resolve, an audit
 * row and the events - all in the caller's transaction, batched (one
 * statement per table whatever the plan's size). Reads build protobuf
 * replies whose strings the caller frees with the matching _free.
 */
#ifndef PARTRACK_PLAN_STORE_H
#define PARTRACK_PLAN_STORE_H

#include "db.h"
#include "directory.h"
#include "plan_table.h"
#include "plans.pb-c.h"
#include "problems.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    PLAN_STORE_OK = 0,
    PLAN_STORE_DB_FAILED = -1, /* db_error() says why */
    PLAN_STORE_REFUSED = 1,    /* problems say why */
    PLAN_STORE_CONFLICT = 2,   /* the plan exists; problems say since when */
} plan_store_rc_t;

/* Fills reply (caller frees with plan_store_free_import_reply). */
plan_store_rc_t plan_store_import(db_t *db, const directory_t *dir,
                                  const Partrack__PlanImportRequest *req, const plan_doc_t *doc,
                                  const char *actor, Partrack__PlanImportReply *reply,
                                  problems_t *problems, int64_t *last_event);
void plan_store_free_import_reply(Partrack__PlanImportReply *reply);

/* 1 found, 0 not found (or ambiguous: *ambiguous set), -1 database failure. */
int plan_store_show(db_t *db, const Partrack__PlanShowRequest *req, Partrack__PlanShowReply *reply,
                    bool *ambiguous);
void plan_store_free_show(Partrack__PlanShowReply *reply);

int plan_store_list_tasks(db_t *db, const Partrack__TaskListRequest *req,
                          Partrack__TaskListReply *reply);
void plan_store_free_list(Partrack__TaskListReply *reply);

/* 1 found, 0 not found, -1 database failure. */
int plan_store_show_task(db_t *db, int64_t id, Partrack__TaskShowReply *reply);
void plan_store_free_task(Partrack__TaskShowReply *reply);

/* Records an update by `actor`: 1 done, 0 no such task, 2 refused (problem),
 * -1 database failure. */
int plan_store_update_task(db_t *db, const Partrack__TaskUpdateRequest *req, const char *actor,
                           problems_t *problems, int64_t *last_event);

/* A schedule as stored in registry.task.schedule: deadline_to_json, compact.
 * NULL for a NULL d or when memory ran out. Caller frees with free(). */
char *plan_store_schedule_json(const deadline_t *d);

#endif
