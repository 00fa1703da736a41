/* target_handlers.c - the registry's requests about plans' targets
 *
 * An import or a cascade carries its file as the user gave it; the registry
 * reads it with target_file_read (the reader the tests and any offline check
 * share), finds the plan, and writes through target_store in one
 * transaction: every problem refuses the whole request and nothing changes.
 * A dry run does the work and rolls it back.
 */
#include "target_handlers.h"

#include "log.h"
#include "target_file.h"
#include "target_store.h"
#include "targets.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds the plan a request names inside the open transaction, or answers
 * (and rolls back). Returns true when found. */
static bool find_plan(call_t *c, const directory_t *dir, const Partrack__PlanShowRequest *ref,
                      target_plan_t *plan)
{
    bool ambiguous = false;
    int found = target_store_find_plan(c->db, dir, ref, plan, &ambiguous);
    if (found == 1)
        return true;
    db_rollback(c->db);
    if (found < 0) {
        call_reply_db_failure(c);
        return false;
    }
    char message[256];
    snprintf(message, sizeof message,
             ambiguous ? "several units have a plan %.100s: name the unit (--unit) and year"
                       : "no plan %.100s",
             ref->number);
    call_reply_error(c, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, message);
    return false;
}

/* Reads a targets file, or answers with its problems. NULL after answering. */
static target_file_t *read_file(call_t *c, const Partrack__ImportFile *f, problems_t *problems)
{
    target_file_t *file = NULL;
    if (target_file_read(f->name, (const char *)f->content.data, f->content.len, &file, problems) <
        0) {
        call_reply_problems(c, "targets file refused, nothing was changed", problems);
        return NULL;
    }
    return file;
}

/* Answers the outcome of a store write: commit (or roll back a dry run) and
 * reply, or roll back and explain. */
static void finish(call_t *c, int rc, bool dry_run, problems_t *problems, const char *refused,
                   Partrack__MessageType type, const ProtobufCMessage *reply, int64_t last_event)
{
    if (rc != 0) {
        db_rollback(c->db);
        if (rc < 0)
            call_reply_db_failure(c);
        else
            call_reply_problems(c, refused, problems);
    } else if (dry_run) {
        db_rollback(c->db);
        call_reply(c, type, reply);
    } else {
        call_mutation_finish(c, type, reply, last_event);
    }
}

static bool begin(call_t *c, const directory_t **dir)
{
    if (call_mutation_begin(c) != 0)
        return false;
    *dir = directory_cache_get(c->units, c->db);
    if (!*dir) {
        db_rollback(c->db);
        call_reply_db_failure(c);
        return false;
    }
    return true;
}

/* A dry run's new targets were never stored: they have no id. */
static void forget_new_ids(Partrack__TargetChange **changes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(changes[i]->action, "created") == 0)
            changes[i]->target->id = 0;
}

void target_handle_import(call_t *c)
{
    Partrack__TargetImportRequest *req =
        call_decode(c, &partrack__target_import_request__descriptor);
    if (!req)
        return;
    problems_t *problems = calloc(1, sizeof *problems);
    target_file_t *file = NULL;
    Partrack__TargetImportReply reply = PARTRACK__TARGET_IMPORT_REPLY__INIT;
    const directory_t *dir;
    target_plan_t plan;
    bool dry_run = req->has_dry_run && req->dry_run;
    if (!problems) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    if (!(file = read_file(c, req->file, problems)) || !begin(c, &dir) ||
        !find_plan(c, dir, req->plan, &plan))
        goto done;
    int64_t last_event = 0;
    int rc = target_store_import(c->db, &plan, file, req->file->name, LOCAL_PUBLISHER, &reply,
                                 problems, &last_event);
    if (rc == 0)
        log_info("target import", "plan=\"%s\" unit=%s targets=%zu dry_run=%d", plan.number,
                 plan.unit, reply.n_changes, dry_run);
    if (dry_run) {
        reply.has_dry_run = 1;
        reply.dry_run = 1;
        forget_new_ids(reply.changes, reply.n_changes);
    }
    finish(c, rc, dry_run, problems, "target import refused, nothing was changed",
           PARTRACK__MESSAGE_TYPE__MSG_TARGET_IMPORT_REPLY, &reply.base, last_event);
done:
    target_store_free_import(&reply);
    target_file_destroy(&file);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__target_import_request__free_unpacked(req, NULL);
}

void target_handle_list(call_t *c)
{
    Partrack__PlanShowRequest *req = call_decode(c, &partrack__plan_show_request__descriptor);
    if (!req)
        return;
    Partrack__TargetListReply reply = PARTRACK__TARGET_LIST_REPLY__INIT;
    const directory_t *dir = directory_cache_get(c->units, c->db);
    target_plan_t plan;
    if (!dir) {
        call_reply_db_failure(c);
    } else if (find_plan(c, dir, req, &plan)) {
        if (target_store_list(c->db, &plan, &reply) < 0)
            call_reply_db_failure(c);
        else
            call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_TARGET_LIST_REPLY, &reply.base);
    }
    target_store_free_list(&reply);
    partrack__plan_show_request__free_unpacked(req, NULL);
}

void target_handle_cascade(call_t *c)
{
    Partrack__TargetCascadeRequest *req =
        call_decode(c, &partrack__target_cascade_request__descriptor);
    if (!req)
        return;
    problems_t *problems = calloc(1, sizeof *problems);
    target_file_t *overrides = NULL;
    Partrack__TargetCascadeReply reply = PARTRACK__TARGET_CASCADE_REPLY__INIT;
    const directory_t *dir;
    target_plan_t plan;
    bool dry_run = req->has_dry_run && req->dry_run;
    if (!problems) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    if ((req->overrides && !(overrides = read_file(c, req->overrides, problems))) ||
        !begin(c, &dir) || !find_plan(c, dir, req->plan, &plan))
        goto done;
    int64_t last_event = 0;
    int rc = target_store_cascade(c->db, dir, &plan, overrides,
                                  req->overrides ? req->overrides->name : NULL, LOCAL_PUBLISHER,
                                  &reply, problems, &last_event);
    if (rc == 0)
        log_info("target cascade", "plan=\"%s\" unit=%s plans=%u changes=%zu dry_run=%d",
                 plan.number, plan.unit, reply.plans, reply.n_changes, dry_run);
    if (dry_run) {
        reply.has_dry_run = 1;
        reply.dry_run = 1;
        forget_new_ids(reply.changes, reply.n_changes);
    }
    finish(c, rc, dry_run, problems, "target cascade refused, nothing was changed",
           PARTRACK__MESSAGE_TYPE__MSG_TARGET_CASCADE_REPLY, &reply.base, last_event);
done:
    target_store_free_cascade(&reply);
    target_file_destroy(&overrides);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__target_cascade_request__free_unpacked(req, NULL);
}
