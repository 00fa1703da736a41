/* monitor_server.c - the deadline service's loop: requests, events, sweeps
 * (see the header)
 */
#include "monitor_server.h"

#include "deadline.pb-c.h"
#include "events.h"
#include "log.h"
#include "monitor_calendar.h"
#include "monitor_consult.h"
#include "monitor_ingest.h"
#include "monitor_policy.h"
#include "monitor_queries.h"
#include "monitor_sweep.h"
#include "rpc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct monitor_server {
    db_t *db;
    workcal_t *cal; /* owned: replaced by a calendar import */
    monitor_config_t config;
    rpc_server_t *rpc;
    events_pub_t *pub;
    bool behind; /* the last batch of events was full: more may be waiting */
};

monitor_server_t *monitor_server_new(void *zmq_ctx, db_t *db, workcal_t **cal,
                                     const monitor_config_t *config, char *errbuf, size_t errlen)
{
    monitor_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    self->db = db;
    self->cal = *cal;
    *cal = NULL;
    /* An imported calendar replaces the shipped one. */
    workcal_t *stored = NULL;
    char why[512];
    int got = monitor_calendar_stored(db, &stored, why, sizeof why);
    if (got == 1) {
        workcal_destroy(&self->cal);
        self->cal = stored;
        log_info("calendar", "source=imported");
    } else if (got < 0) {
        log_error("imported calendar unusable, the shipped one is used", "reason=\"%s\"", why);
    }
    self->config = *config;
    self->rpc = rpc_server_new(zmq_ctx, config->endpoint, config->max_msg_bytes, errbuf, errlen);
    if (self->rpc)
        self->pub = events_pub_new(zmq_ctx, config->events_endpoint, "deadline", errbuf, errlen);
    if (!self->rpc || !self->pub)
        monitor_server_destroy(&self);
    return self;
}

void monitor_server_destroy(monitor_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rpc_server_destroy(&(*self_p)->rpc);
    events_pub_destroy(&(*self_p)->pub);
    workcal_destroy(&(*self_p)->cal);
    free(*self_p);
    *self_p = NULL;
}

/* ---- the work between requests ---- */

/* How many of the registry's events are committed and not applied yet. */
static int waiting_events(db_t *db, long *n)
{
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT coalesce((SELECT max(seq) FROM registry.events), 0) - "
                            "coalesce((SELECT last_seq FROM deadline.event_cursor WHERE producer "
                            "= 'registry'), 0)",
                            0, NULL, &st);
    if (!res)
        return -1;
    *n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Applies the registry's new events (every one committed by now, or one
 * batch of them so requests are answered between batches), then sweeps;
 * returns the transitions written, or -1 on a database failure. "Every
 * one committed by now" is counted at the start: events the registry
 * commits meanwhile are left to the next turns, or a registry publishing
 * faster than this service applies would keep it here for ever, the
 * request unanswered and every one behind it waiting. */
static long catch_up(monitor_server_t *self, bool every_event)
{
    int64_t now;
    if (monitor_clock_now(&self->config.clock, self->db, &now) < 0)
        return -1;
    long waiting = 0, done = 0;
    if (every_event && waiting_events(self->db, &waiting) < 0)
        return -1;
    monitor_ingest_t in = {.cal = self->cal, .policy = self->config.policy, .now = now};
    int applied;
    while ((applied = events_consume(self->db, "deadline", "registry", self->config.batch,
                                     monitor_ingest_event, &in)) > 0 &&
           every_event && (done += applied) < waiting)
        ;
    self->behind = applied == self->config.batch;
    if (applied < 0) {
        log_warn("events not applied", "reason=\"%s\"", db_error(self->db));
        return -1;
    }
    size_t swept = 0;
    int64_t last = in.last_event;
    if (monitor_sweep(self->db, self->cal, &self->config.policy, now, self->config.batch, &swept,
                      &last) < 0) {
        log_warn("sweep failed", "reason=\"%s\"", db_error(self->db));
        return -1;
    }
    size_t deemed = 0;
    if (monitor_consult_sweep(self->db, now, self->config.batch, &deemed, &last) < 0) {
        log_warn("consultation sweep failed", "reason=\"%s\"", db_error(self->db));
        return -1;
    }
    if (last > 0)
        events_pub_wake(self->pub, last);
    if (deemed > 0)
        log_info("consultations deemed agreed", "count=%zu", deemed);
    size_t total = in.transitions + swept + deemed;
    if (total > 0)
        log_info("transitions", "count=%zu ingested=%zu swept=%zu", total, in.transitions, swept);
    return (long)total;
}

/* ---- requests ---- */

static void reply_error(monitor_server_t *self, rpc_request_t *req, Partrack__ErrorCode code,
                        const char *message)
{
    rpc_server_reply_error(self->rpc, req, code, message, NULL, 0);
}

static void reply_db_failure(monitor_server_t *self, rpc_request_t *req)
{
    reply_error(self, req,
                db_failure_retryable(self->db) ? PARTRACK__ERROR_CODE__ERR_UNAVAILABLE
                                               : PARTRACK__ERROR_CODE__ERR_FAILED,
                "database unavailable, try again");
}

static void *decode(monitor_server_t *self, rpc_request_t *req,
                    const ProtobufCMessageDescriptor *descriptor)
{
    char reason[256];
    ProtobufCMessage *m = msg_decode(req->env, descriptor, reason, sizeof reason);
    if (!m)
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason);
    return m;
}

static void handle_due_list(monitor_server_t *self, rpc_request_t *req, int64_t now)
{
    Partrack__DueListRequest *r = decode(self, req, &partrack__due_list_request__descriptor);
    if (!r)
        return;
    Partrack__DueListReply reply = PARTRACK__DUE_LIST_REPLY__INIT;
    if (r->has_within_days && (r->within_days < 0 || r->within_days > 3660))
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_INVALID,
                    "within_days must be between 0 and 3660");
    else if (monitor_due_list(self->db, self->cal, &self->config.policy, now, r, &reply) < 0)
        reply_db_failure(self, req);
    else
        rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST_REPLY, &reply.base);
    monitor_due_list_free(&reply);
    partrack__due_list_request__free_unpacked(r, NULL);
}

static void handle_status(monitor_server_t *self, rpc_request_t *req, int64_t now)
{
    Partrack__StatusRequest *r = decode(self, req, &partrack__status_request__descriptor);
    if (!r)
        return;
    Partrack__StatusReply reply = PARTRACK__STATUS_REPLY__INIT;
    if (monitor_status(self->db, now, r, &reply) < 0)
        reply_db_failure(self, req);
    else
        rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_STATUS_REPLY, &reply.base);
    monitor_status_free(&reply);
    partrack__status_request__free_unpacked(r, NULL);
}

/* An acknowledgement raises the occurrence's acknowledged level; if that
 * stops the escalation still ahead, the next step goes too. Idempotent. */
static void handle_ack(monitor_server_t *self, rpc_request_t *req, int64_t now)
{
    Partrack__DueAckRequest *r = decode(self, req, &partrack__due_ack_request__descriptor);
    if (!r)
        return;
    int level = due_level_parse(r->level);
    Partrack__DueListReply reply = PARTRACK__DUE_LIST_REPLY__INIT;
    if (level < DUE_SOON || level > DUE_OVERDUE) {
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_INVALID,
                    "level must be due_soon, due or overdue");
        goto done;
    }
    char id[24], level_text[8];
    snprintf(id, sizeof id, "%lld", (long long)r->occurrence_id);
    snprintf(level_text, sizeof level_text, "%d", level);
    const char *params[] = {id, level_text};
    db_status_t st;
    PGresult *res = db_exec(self->db,
                            "UPDATE deadline.occurrence SET acked_level = greatest(acked_level, "
                            "$2::smallint), next_at = CASE WHEN next_level = 4 AND "
                            "greatest(acked_level, $2::smallint) >= 2 THEN NULL ELSE next_at END, "
                            "next_level = CASE WHEN next_level = 4 AND greatest(acked_level, "
                            "$2::smallint) >= 2 THEN NULL ELSE next_level END WHERE id = "
                            "$1::bigint AND level >= $2::smallint RETURNING id",
                            2, params, &st);
    if (!res) {
        reply_db_failure(self, req);
        goto done;
    }
    bool updated = PQntuples(res) == 1;
    PQclear(res);
    int found = updated ? monitor_due_one(self->db, self->cal, &self->config.policy, now,
                                          r->occurrence_id, &reply)
                        : 0;
    if (found < 0)
        reply_db_failure(self, req);
    else if (found == 0)
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND,
                    "no occurrence of that id has reached that level");
    else
        rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST_REPLY, &reply.base);
done:
    monitor_due_list_free(&reply);
    partrack__due_ack_request__free_unpacked(r, NULL);
}

static void handle_clock(monitor_server_t *self, rpc_request_t *req, int64_t now)
{
    Partrack__ClockRequest *r = decode(self, req, &partrack__clock_request__descriptor);
    if (!r)
        return;
    Partrack__ClockReply reply = PARTRACK__CLOCK_REPLY__INIT;
    long transitions = 0;
    if (r->set) {
        int64_t when;
        if (!self->config.clock.manual) {
            reply_error(self, req, PARTRACK__ERROR_CODE__ERR_FORBIDDEN,
                        "this service runs on the real clock (PARTRACK_DEADLINE_CLOCK=manual "
                        "allows setting it)");
            goto done;
        }
        if (due_parse_instant(r->set, &when) < 0) {
            reply_error(self, req, PARTRACK__ERROR_CODE__ERR_INVALID,
                        "not a time: give YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC 3339");
            goto done;
        }
        if (monitor_clock_set(self->db, when) < 0 || (transitions = catch_up(self, true)) < 0) {
            reply_db_failure(self, req);
            goto done;
        }
        log_info("clock set", "now=%s transitions=%ld", r->set, transitions);
        now = when;
    }
    char text[32];
    due_format_instant(now, text);
    reply.now = text;
    reply.manual = self->config.clock.manual;
    reply.transitions = (uint32_t)transitions;
    rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_CLOCK_REPLY, &reply.base);
done:
    partrack__clock_request__free_unpacked(r, NULL);
}

/* Reads the document, then stores it and recomputes in one transaction;
 * the new calendar is used from the COMMIT on. */
static void handle_calendar_import(monitor_server_t *self, rpc_request_t *req, int64_t now)
{
    Partrack__CalendarImportRequest *r =
        decode(self, req, &partrack__calendar_import_request__descriptor);
    if (!r)
        return;
    char why[1024];
    workcal_t *cal = workcal_load_text((const char *)r->document.data, r->document.len, r->name,
                                       why, sizeof why);
    json_t *doc = cal ? json_loadb((const char *)r->document.data, r->document.len, 0, NULL) : NULL;
    Partrack__CalendarImportReply reply = PARTRACK__CALENDAR_IMPORT_REPLY__INIT;
    int64_t last = 0;
    if (!cal) {
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_INVALID, why);
        goto done;
    }
    reply.years = (uint32_t)json_object_size(json_object_get(doc, "years"));
    if (db_begin(self->db) != DB_OK ||
        monitor_calendar_apply(self->db, r->name, r->document.data, r->document.len, cal,
                               &self->config.policy, now, &reply, &last) < 0) {
        db_rollback(self->db);
        reply_db_failure(self, req);
        goto done;
    }
    if (db_commit(self->db) != DB_OK) {
        reply_db_failure(self, req);
        goto done;
    }
    workcal_destroy(&self->cal);
    self->cal = cal;
    cal = NULL;
    if (last > 0)
        events_pub_wake(self->pub, last);
    log_info("calendar imported", "name=\"%s\" years=%u checked=%u moved=%u", r->name, reply.years,
             reply.checked, reply.moved);
    rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_CALENDAR_IMPORT_REPLY,
                     &reply.base);
done:
    json_decref(doc);
    workcal_destroy(&cal);
    partrack__calendar_import_request__free_unpacked(r, NULL);
}

static void handle_due_policy(monitor_server_t *self, rpc_request_t *req)
{
    Partrack__DuePolicyRequest *r = decode(self, req, &partrack__due_policy_request__descriptor);
    if (!r)
        return;
    Partrack__DuePolicyReply reply = PARTRACK__DUE_POLICY_REPLY__INIT;
    char unit[256], why[1024];
    switch (monitor_policy_request(self->db, self->cal, &self->config.policy, r, &reply, unit,
                                   sizeof unit, why, sizeof why)) {
    case MONITOR_POLICY_OK:
        if (r->has_soon_days || (r->has_reset && r->reset))
            log_info("due policy", "plan=\"%s\" unit=%s soon_days=%d default=%d recomputed=%u",
                     reply.plan_number, reply.plan_unit, reply.soon_days, reply.plan_default,
                     reply.recomputed);
        rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_DUE_POLICY_REPLY, &reply.base);
        break;
    case MONITOR_POLICY_INVALID:
    case MONITOR_POLICY_AMBIGUOUS:
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_INVALID, why);
        break;
    case MONITOR_POLICY_NOT_FOUND:
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, why);
        break;
    case MONITOR_POLICY_DB_FAILED: reply_db_failure(self, req); break;
    }
    partrack__due_policy_request__free_unpacked(r, NULL);
}

static void handle(monitor_server_t *self, rpc_request_t *req)
{
    int64_t now;
    if (monitor_clock_now(&self->config.clock, self->db, &now) < 0) {
        reply_db_failure(self, req);
        return;
    }
    switch (req->env->type) {
    case PARTRACK__MESSAGE_TYPE__MSG_PING: {
        Partrack__Pong pong = PARTRACK__PONG__INIT;
        pong.service = "partrack-deadline";
        pong.version = PARTRACK_VERSION;
        rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_PONG, &pong.base);
        break;
    }
    case PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST: handle_due_list(self, req, now); break;
    case PARTRACK__MESSAGE_TYPE__MSG_STATUS: handle_status(self, req, now); break;
    case PARTRACK__MESSAGE_TYPE__MSG_DUE_ACK: handle_ack(self, req, now); break;
    case PARTRACK__MESSAGE_TYPE__MSG_CLOCK: handle_clock(self, req, now); break;
    case PARTRACK__MESSAGE_TYPE__MSG_CALENDAR_IMPORT: handle_calendar_import(self, req, now); break;
    case PARTRACK__MESSAGE_TYPE__MSG_DUE_POLICY: handle_due_policy(self, req); break;
    default: {
        char message[128];
        snprintf(message, sizeof message, "the deadline service does not serve message type %d",
                 (int)req->env->type);
        reply_error(self, req, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE, message);
    }
    }
}

int monitor_server_step(monitor_server_t *self, int wait_ms)
{
    rpc_request_t req;
    int got = rpc_server_next(self->rpc, self->behind ? 0 : wait_ms, &req);
    if (got > 0) {
        handle(self, &req);
        rpc_request_done(&req);
    }
    return catch_up(self, false) < 0 ? -1 : 0;
}
