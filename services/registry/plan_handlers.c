/* plan_handlers.c - the registry's requests about plans and tasks
 *
 * A plan import carries the file as the user gave it; the registry reads it
 * with plan_table_read (the same reader `partrack plan parse` uses offline),
 * resolves its unit names against the directory in the context of the
 * issuing unit, and stores it in one transaction through plan_store.
 */
#include "plan_handlers.h"

#include "log.h"
#include "parse_ahead.h"
#include "plan_store.h"
#include "plan_table.h"
#include "plan_tree.h"
#include "task_feed.h"
#include "task_reschedule.h"
#include "task_trigger.h"
#include "plans.pb-c.h"
#include "unit_import.h"
#include "unit_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What is wrong with a plan import request before anything is read, or NULL. */
static const char *import_request_problem(const Partrack__PlanImportRequest *req)
{
    if (!import_code_valid(req->unit))
        return "unit is not a unit code";
    if (req->year < 1900 || req->year > 2200)
        return "year must be between 1900 and 2200";
    if (!*req->number)
        return "the plan number is empty";
    if (!*req->title)
        return "the plan title is empty";
    if (req->issued_on && !import_date_valid(req->issued_on))
        return "issued date is not a date written YYYY-MM-DD";
    return NULL;
}

static bool import_request_ok(call_t *c, const Partrack__PlanImportRequest *req)
{
    const char *why = import_request_problem(req);
    if (why)
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INVALID, why);
    return why == NULL;
}

void plan_handle_import(call_t *c)
{
    Partrack__PlanImportRequest *req = call_decode(c, &partrack__plan_import_request__descriptor);
    if (!req)
        return;
    plan_doc_t *doc = NULL;
    const directory_t *dir = NULL;
    problems_t *problems = calloc(1, sizeof *problems);
    Partrack__PlanImportReply reply = PARTRACK__PLAN_IMPORT_REPLY__INIT;
    char reason[512];
    if (!problems) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    if (!import_request_ok(c, req))
        goto done;
    doc = plan_table_read(req->file->name, (const char *)req->file->content.data,
                          req->file->content.len, req->year, c->cal, reason, sizeof reason);
    if (!doc) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INVALID, reason);
        goto done;
    }
    if (call_mutation_begin(c) != 0)
        goto done;
    dir = directory_cache_get(c->units, c->db);
    if (!dir) {
        db_rollback(c->db);
        call_reply_db_failure(c);
        goto done;
    }
    int64_t last_event = 0;
    plan_store_rc_t rc =
        plan_store_import(c->db, dir, req, doc, LOCAL_PUBLISHER, &reply, problems, &last_event);
    if (rc != PLAN_STORE_OK) {
        db_rollback(c->db);
        if (rc == PLAN_STORE_DB_FAILED)
            call_reply_db_failure(c);
        else if (rc == PLAN_STORE_CONFLICT)
            call_reply_error(c, PARTRACK__ERROR_CODE__ERR_CONFLICT, problems->items[0].message);
        else
            call_reply_problems(c, "plan import refused, nothing was changed", problems);
        goto done;
    }
    log_info("plan import", "unit=%s year=%d number=\"%s\" tasks=%u assigned=%u dry_run=%d",
             req->unit, req->year, req->number, reply.tasks, reply.assigned,
             req->has_dry_run && req->dry_run);
    if (req->has_dry_run && req->dry_run) {
        db_rollback(c->db);
        reply.plan_id = 0;
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_REPLY, &reply.base);
    } else {
        call_mutation_finish(c, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_REPLY, &reply.base,
                             last_event);
    }
done:
    plan_store_free_import_reply(&reply);
    if (problems)
        problems_clear(problems);
    free(problems);
    plan_doc_destroy(&doc);
    partrack__plan_import_request__free_unpacked(req, NULL);
}

/* Reads and stores one plan of a batch inside the open transaction.
 * Returns PLAN_STORE_OK (also for a skipped plan), or the failure with the
 * problems (each naming the plan's file). */
static plan_store_rc_t import_one(call_t *c, const directory_t *dir, parse_ahead_t *reader,
                                  size_t i, const Partrack__PlanImportRequest *req,
                                  bool skip_imported, Partrack__PlanImportReply *reply,
                                  problems_t *problems, int64_t *last_event)
{
    const char *why = import_request_problem(req);
    if (why) {
        problems_add(problems, req->file->name, 0, NULL, "%s", why);
        return PLAN_STORE_REFUSED;
    }
    char reason[512];
    plan_doc_t *doc = parse_ahead_take(reader, i, reason, sizeof reason);
    if (!doc) {
        problems_add(problems, req->file->name, 0, NULL, "%s", reason);
        return PLAN_STORE_REFUSED;
    }
    problems_t mine = {0};
    plan_store_rc_t rc =
        plan_store_import(c->db, dir, req, doc, LOCAL_PUBLISHER, reply, &mine, last_event);
    if (rc == PLAN_STORE_CONFLICT && skip_imported) {
        rc = PLAN_STORE_OK;
        reply->has_skipped = 1;
        reply->skipped = 1;
    }
    for (size_t i = 0; rc != PLAN_STORE_OK && i < mine.n; i++)
        problems_add(problems, mine.items[i].file ? mine.items[i].file : req->file->name,
                     mine.items[i].line, mine.items[i].field, "%s", mine.items[i].message);
    problems_clear(&mine);
    plan_doc_destroy(&doc);
    return rc;
}

void plan_handle_import_batch(call_t *c)
{
    Partrack__PlanImportBatchRequest *req =
        call_decode(c, &partrack__plan_import_batch_request__descriptor);
    if (!req)
        return;
    problems_t *problems = calloc(1, sizeof *problems);
    Partrack__PlanImportBatchReply reply = PARTRACK__PLAN_IMPORT_BATCH_REPLY__INIT;
    Partrack__PlanImportReply *replies = calloc(req->n_plans + 1, sizeof *replies);
    reply.plans = calloc(req->n_plans + 1, sizeof *reply.plans);
    bool dry_run = req->has_dry_run && req->dry_run;
    const directory_t *dir;
    parse_ahead_t *reader = NULL;
    if (!problems || !replies || !reply.plans) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    if (call_mutation_begin(c) != 0)
        goto done;
    if (!(dir = directory_cache_get(c->units, c->db))) {
        db_rollback(c->db);
        call_reply_db_failure(c);
        goto done;
    }
    /* The tables are read on a second thread while this one stores. */
    if (!(reader = parse_ahead_start(req, c->cal))) {
        db_rollback(c->db);
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "cannot start reading the plans");
        goto done;
    }
    int64_t last_event = 0;
    plan_store_rc_t rc = PLAN_STORE_OK;
    unsigned tasks = 0;
    for (size_t i = 0; i < req->n_plans; i++) {
        partrack__plan_import_reply__init(&replies[i]);
        reply.plans[reply.n_plans++] = &replies[i];
        Partrack__PlanImportRequest *plan = req->plans[i];
        plan->has_dry_run = 0; /* the batch decides */
        plan_store_rc_t one =
            import_one(c, dir, reader, i, plan, req->has_skip_imported && req->skip_imported,
                       &replies[i], problems, &last_event);
        if (one == PLAN_STORE_DB_FAILED) {
            rc = one;
            break;
        }
        if (one != PLAN_STORE_OK)
            rc = PLAN_STORE_REFUSED; /* go on: every plan's problems at once */
        tasks += replies[i].tasks;
        replies[i].has_dry_run = 1;
        replies[i].dry_run = dry_run;
        if (dry_run)
            replies[i].plan_id = 0;
    }
    if (rc != PLAN_STORE_OK) {
        db_rollback(c->db);
        if (rc == PLAN_STORE_DB_FAILED)
            call_reply_db_failure(c);
        else
            call_reply_problems(c, "plan batch refused, no plan of it was imported", problems);
        goto done;
    }
    log_info("plan import batch", "plans=%zu tasks=%u dry_run=%d", req->n_plans, tasks, dry_run);
    reply.has_dry_run = 1;
    reply.dry_run = dry_run;
    if (dry_run) {
        db_rollback(c->db);
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_BATCH_REPLY, &reply.base);
    } else {
        call_mutation_finish(c, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_BATCH_REPLY, &reply.base,
                             last_event);
    }
done:
    parse_ahead_stop(&reader);
    for (size_t i = 0; i < reply.n_plans; i++)
        plan_store_free_import_reply(&replies[i]);
    free(replies);
    free(reply.plans);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__plan_import_batch_request__free_unpacked(req, NULL);
}

/* Answers a lookup of a plan by number that found nothing (0, *ambiguous
 * when several units have that number) or failed (-1). */
static void reply_plan_not_found(call_t *c, int found, bool ambiguous, const char *number)
{
    if (found < 0) {
        call_reply_db_failure(c);
        return;
    }
    char message[256];
    snprintf(message, sizeof message,
             ambiguous ? "several units have a plan %.100s: name the unit (--unit) and year"
                       : "no plan %.100s",
             number);
    call_reply_error(c, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, message);
}

void plan_handle_show(call_t *c)
{
    Partrack__PlanShowRequest *req = call_decode(c, &partrack__plan_show_request__descriptor);
    if (!req)
        return;
    Partrack__PlanShowReply reply = PARTRACK__PLAN_SHOW_REPLY__INIT;
    bool ambiguous = false;
    int found = plan_store_show(c->db, req, &reply, &ambiguous);
    if (found <= 0) {
        reply_plan_not_found(c, found, ambiguous, req->number);
    } else {
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_PLAN_SHOW_REPLY, &reply.base);
    }
    plan_store_free_show(&reply);
    partrack__plan_show_request__free_unpacked(req, NULL);
}

void task_handle_list(call_t *c)
{
    Partrack__TaskListRequest *req = call_decode(c, &partrack__task_list_request__descriptor);
    if (!req)
        return;
    Partrack__TaskListReply reply = PARTRACK__TASK_LIST_REPLY__INIT;
    if (plan_store_list_tasks(c->db, req, &reply) < 0)
        call_reply_db_failure(c);
    else
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_TASK_LIST_REPLY, &reply.base);
    plan_store_free_list(&reply);
    partrack__task_list_request__free_unpacked(req, NULL);
}

static void reply_task(call_t *c, int64_t id)
{
    Partrack__TaskShowReply reply = PARTRACK__TASK_SHOW_REPLY__INIT;
    int found = plan_store_show_task(c->db, id, &reply);
    if (found < 0) {
        call_reply_db_failure(c);
    } else if (found == 0) {
        char message[64];
        snprintf(message, sizeof message, "no task %lld", (long long)id);
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, message);
    } else {
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_TASK_SHOW_REPLY, &reply.base);
    }
    plan_store_free_task(&reply);
}

void task_handle_show(call_t *c)
{
    Partrack__TaskShowRequest *req = call_decode(c, &partrack__task_show_request__descriptor);
    if (!req)
        return;
    reply_task(c, req->id);
    partrack__task_show_request__free_unpacked(req, NULL);
}

/* A change to one task (update, trigger, feed, reschedule) in the shared shape: the store
 * call inside the open transaction, then the task as it now is. */
typedef int (*task_change_fn)(db_t *db, const void *req, problems_t *problems, int64_t *last_event);

static void change_task(call_t *c, int64_t id, const void *req, task_change_fn change,
                        const char *refused)
{
    problems_t *problems = calloc(1, sizeof *problems);
    if (!problems) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        return;
    }
    if (call_mutation_begin(c) != 0)
        goto done;
    int64_t last_event = 0;
    int rc = change(c->db, req, problems, &last_event);
    if (rc != 1) {
        db_rollback(c->db);
        if (rc < 0)
            call_reply_db_failure(c);
        else if (rc == 0)
            call_reply_error(c, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, "no such task");
        else
            call_reply_problems(c, refused, problems);
        goto done;
    }
    Partrack__TaskShowReply reply = PARTRACK__TASK_SHOW_REPLY__INIT;
    if (plan_store_show_task(c->db, id, &reply) != 1) {
        db_rollback(c->db);
        call_reply_db_failure(c);
    } else {
        call_mutation_finish(c, PARTRACK__MESSAGE_TYPE__MSG_TASK_SHOW_REPLY, &reply.base,
                             last_event);
    }
    plan_store_free_task(&reply);
done:
    problems_clear(problems);
    free(problems);
}

/* An update on an event task still waiting starts its clock too. */
static int update_change(db_t *db, const void *arg, problems_t *problems, int64_t *last_event)
{
    const Partrack__TaskUpdateRequest *req = arg;
    int rc = plan_store_update_task(db, req, LOCAL_PUBLISHER, problems, last_event);
    if (rc == 1 && task_trigger_by_updates(db, &req->id, 1, LOCAL_PUBLISHER, last_event) < 0)
        return -1;
    return rc;
}

static int trigger_change(db_t *db, const void *req, problems_t *problems, int64_t *last_event)
{
    return task_trigger(db, req, LOCAL_PUBLISHER, problems, last_event);
}

static int feed_change(db_t *db, const void *req, problems_t *problems, int64_t *last_event)
{
    return task_feed(db, req, LOCAL_PUBLISHER, problems, last_event);
}

/* A reschedule reads the new text on the registry's calendar, which the
 * shared change shape does not carry: the request travels with it. */
typedef struct {
    const Partrack__TaskRescheduleRequest *req;
    const workcal_t *cal;
} reschedule_t;

static int reschedule_change(db_t *db, const void *arg, problems_t *problems, int64_t *last_event)
{
    const reschedule_t *r = arg;
    return task_reschedule(db, r->cal, r->req, LOCAL_PUBLISHER, problems, last_event);
}

void task_handle_reschedule(call_t *c)
{
    Partrack__TaskRescheduleRequest *req =
        call_decode(c, &partrack__task_reschedule_request__descriptor);
    if (!req)
        return;
    const reschedule_t r = {req, c->cal};
    change_task(c, req->id, &r, reschedule_change, "reschedule refused, nothing was changed");
    partrack__task_reschedule_request__free_unpacked(req, NULL);
}

void task_handle_feed(call_t *c)
{
    Partrack__TaskFeedRequest *req = call_decode(c, &partrack__task_feed_request__descriptor);
    if (!req)
        return;
    change_task(c, req->id, req, feed_change, "link refused, nothing was changed");
    partrack__task_feed_request__free_unpacked(req, NULL);
}

void task_handle_update(call_t *c)
{
    Partrack__TaskUpdateRequest *req = call_decode(c, &partrack__task_update_request__descriptor);
    if (!req)
        return;
    change_task(c, req->id, req, update_change, "update refused, nothing was changed");
    partrack__task_update_request__free_unpacked(req, NULL);
}

void task_handle_trigger(call_t *c)
{
    Partrack__TaskTriggerRequest *req = call_decode(c, &partrack__task_trigger_request__descriptor);
    if (!req)
        return;
    change_task(c, req->id, req, trigger_change, "trigger refused, nothing was changed");
    partrack__task_trigger_request__free_unpacked(req, NULL);
}

void plan_handle_tree(call_t *c)
{
    Partrack__PlanTreeRequest *req = call_decode(c, &partrack__plan_tree_request__descriptor);
    if (!req)
        return;
    Partrack__PlanTreeReply reply = PARTRACK__PLAN_TREE_REPLY__INIT;
    const directory_t *dir = directory_cache_get(c->units, c->db);
    bool ambiguous = false;
    int found = dir ? plan_tree_build(c->db, dir, req, &reply, &ambiguous) : -1;
    if (found <= 0) {
        reply_plan_not_found(c, found, ambiguous, req->number);
    } else {
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_PLAN_TREE_REPLY, &reply.base);
    }
    plan_tree_free(&reply);
    partrack__plan_tree_request__free_unpacked(req, NULL);
}

void plan_handle_coverage(call_t *c)
{
    Partrack__PlanShowRequest *req = call_decode(c, &partrack__plan_show_request__descriptor);
    if (!req)
        return;
    Partrack__PlanCoverageReply reply = PARTRACK__PLAN_COVERAGE_REPLY__INIT;
    const directory_t *dir = directory_cache_get(c->units, c->db);
    bool ambiguous = false;
    int found = dir ? plan_tree_coverage(c->db, dir, req, &reply, &ambiguous) : -1;
    if (found <= 0) {
        reply_plan_not_found(c, found, ambiguous, req->number);
    } else {
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_PLAN_COVERAGE_REPLY, &reply.base);
    }
    plan_tree_free_coverage(&reply);
    partrack__plan_show_request__free_unpacked(req, NULL);
}
