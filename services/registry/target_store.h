/* target_store.h - plans' targets (chỉ tiêu) in PostgreSQL (schema registry)
 *
 * A plan has at most one target per indicator code. target_store_import sets
 * a plan's own targets from a targets file; target_store_cascade copies a
 * plan's targets down the plans that implement it (as plan_tree resolves
 * them), level by level, with per-unit overrides; a unit's own target and an
 * override already given are kept. Every created or changed target writes an
 * audit row and a TargetSet event in the caller's transaction. Replies are
 * protobuf messages whose strings the caller frees with the matching _free.
 */
#ifndef PARTRACK_TARGET_STORE_H
#define PARTRACK_TARGET_STORE_H

#include "db.h"
#include "directory.h"
#include "problems.h"
#include "target_file.h"
#include "targets.pb-c.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t id;
    char unit[128], top[128], number[256];
    int year;
} target_plan_t;

/* The current plan a reference names (number; unit and year when several
 * units or years use it). 1 found, 0 not found (or ambiguous: *ambiguous),
 * -1 database failure. */
int target_store_find_plan(db_t *db, const directory_t *dir, const Partrack__PlanShowRequest *ref,
                           target_plan_t *plan, bool *ambiguous);

/* Sets the plan's own targets from the file's rows (none may have a `for`
 * unit: problems say so, and 1 is returned). Returns 0 with the reply filled,
 * 1 refused, -1 database failure. */
int target_store_import(db_t *db, const target_plan_t *plan, const target_file_t *file,
                        const char *file_name, const char *actor,
                        Partrack__TargetImportReply *reply, problems_t *problems,
                        int64_t *last_event);
void target_store_free_import(Partrack__TargetImportReply *reply);

/* The plan's targets, by code. 0, or -1 on a database failure. */
int target_store_list(db_t *db, const target_plan_t *plan, Partrack__TargetListReply *reply);
void target_store_free_list(Partrack__TargetListReply *reply);

/* Copies the plan's targets down its cascade. overrides (may be NULL) holds
 * rows for units (`for`) whose plan implements it, directly or below; an
 * override for a unit with no such plan, or for a code the plan above it
 * does not have, is a problem. Returns 0, 1 refused, -1 database failure. */
int target_store_cascade(db_t *db, const directory_t *dir, const target_plan_t *plan,
                         const target_file_t *overrides, const char *overrides_name,
                         const char *actor, Partrack__TargetCascadeReply *reply,
                         problems_t *problems, int64_t *last_event);
void target_store_free_cascade(Partrack__TargetCascadeReply *reply);

#endif
