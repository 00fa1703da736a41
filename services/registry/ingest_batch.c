/* ingest_batch.c - published messages applied many to a transaction: the
 * senders, idempotency and the replies (see the header; the task updates
 * and measurements themselves are ingest_tasks.c and ingest_measurements.c)
 */
#include "ingest_batch.h"

#include "db_binarray.h"
#include "ingest_check.h"
#include "ingest.pb-c.h"
#include "ingest_work.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ingest_item_clear(ingest_item_t *item)
{
    free(item->reply);
    item->reply = NULL;
    item->reply_len = 0;
}

static void set_reply(ingest_item_t *item, Partrack__MessageType type, const ProtobufCMessage *m)
{
    ingest_item_clear(item);
    size_t len = protobuf_c_message_get_packed_size(m);
    item->reply = malloc(len ? len : 1);
    if (item->reply) {
        protobuf_c_message_pack(m, item->reply);
        item->reply_len = len;
    }
    item->reply_type = type;
}

void ingest_item_error(ingest_item_t *item, Partrack__ErrorCode code, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    text_scrub_utf8(message); /* a quoted value may be cut inside a letter */
    Partrack__ErrorReply e = PARTRACK__ERROR_REPLY__INIT;
    e.code = code;
    e.message = message;
    e.has_retryable = 1;
    e.retryable = msg_code_retryable(code);
    set_reply(item, PARTRACK__MESSAGE_TYPE__MSG_ERROR, &e.base);
}

static void set_ack(ingest_item_t *item, int64_t id, int64_t task_id, bool duplicate)
{
    Partrack__IngestAck a = PARTRACK__INGEST_ACK__INIT;
    a.id = id;
    a.duplicate = duplicate;
    a.has_task_id = task_id > 0;
    a.task_id = task_id;
    set_reply(item, PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK, &a.base);
}

bool ingest_in_scope(const ingest_batch_t *b, const ingest_publisher_t *p, long unit)
{
    for (size_t i = 0; unit >= 0 && i < p->nscope; i++)
        if (directory_within(b->dir, unit, p->scope[i]))
            return true;
    return false;
}

int ingest_next_ids(db_t *db, const char *sequence, size_t n, int64_t *ids)
{
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    const char *p[] = {sequence, count};
    db_status_t st;
    PGresult *res =
        db_exec(db, "SELECT nextval($1::regclass) FROM generate_series(1, $2::int)", 2, p, &st);
    if (!res)
        return -1;
    int rc = (size_t)PQntuples(res) == n ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        ids[i] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
    PQclear(res);
    return rc;
}

void ingest_format_ms(int64_t ms, char out[40])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%03dZ", date, (int)(ms % 1000));
}

/* ---- senders ---- */

typedef struct {
    ingest_publisher_t *list;
    char (*keys)[KEYFILE_Z85_LEN + 1];
    size_t n;
} publishers_t;

static void publishers_free(publishers_t *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->list[i].name);
        free(ps->list[i].scope);
    }
    free(ps->list);
    free(ps->keys);
}

/* The publishers of the batch's keys, revoked ones included. */
static int publishers_load(ingest_batch_t *b, ingest_item_t *items, size_t n, publishers_t *ps)
{
    const char **keys = calloc(n + 1, sizeof *keys);
    if (!keys)
        return -1;
    for (size_t i = 0; i < n; i++)
        keys[i] = items[i].user_id;
    char *array = db_array_literal(keys, n);
    free(keys);
    if (!array)
        return -1;
    const char *p[] = {array};
    db_status_t st;
    PGresult *res = db_exec(b->db,
                            "SELECT public_key, name, scope::text, revoked_at IS NULL FROM "
                            "registry.publisher WHERE public_key = ANY ($1::text[])",
                            1, p, &st);
    free(array);
    if (!res)
        return -1;
    size_t m = (size_t)PQntuples(res);
    ps->list = calloc(m + 1, sizeof *ps->list);
    ps->keys = calloc(m + 1, sizeof *ps->keys);
    int rc = ps->list && ps->keys ? 0 : -1;
    for (size_t r = 0; rc == 0 && r < m; r++) {
        ingest_publisher_t *pub = &ps->list[ps->n];
        snprintf(ps->keys[ps->n], sizeof ps->keys[0], "%s", PQgetvalue(res, (int)r, 0));
        pub->name = strdup(PQgetvalue(res, (int)r, 1));
        pub->active = PQgetvalue(res, (int)r, 3)[0] == 't';
        size_t ncodes = 0;
        char **codes = db_array_words(PQgetvalue(res, (int)r, 2), &ncodes);
        pub->scope = calloc(ncodes + 1, sizeof *pub->scope);
        ps->n++;
        if (!pub->name || !codes || !pub->scope) {
            free(codes);
            rc = -1;
            break;
        }
        for (size_t k = 0; k < ncodes; k++) {
            long unit = directory_find(b->dir, codes[k]);
            if (unit >= 0)
                pub->scope[pub->nscope++] = unit;
        }
        free(codes);
    }
    PQclear(res);
    return rc;
}

static const ingest_publisher_t *publisher_of(const publishers_t *ps, const char *key)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->keys[i], key) == 0)
            return &ps->list[i];
    return NULL;
}

/* ---- idempotency ---- */

static bool is_task_update(const ingest_work_t *w)
{
    return w->item->env->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE;
}

/* A key found stored: the unsettled work of list[0..m) with this publisher
 * and key gets the acknowledgement again, marked duplicate. */
static void settle_found(ingest_work_t **list, size_t m, const char *publisher, const char *key,
                         int64_t id, int64_t task_id)
{
    for (size_t i = 0; i < m; i++)
        if (!list[i]->settled && strcmp(list[i]->publisher->name, publisher) == 0 &&
            strcmp(list[i]->item->env->idempotency_key, key) == 0) {
            set_ack(list[i]->item, id, task_id, true);
            list[i]->settled = true;
            list[i]->stored_id = id;
            list[i]->task_id = task_id;
        }
}

/* Looks up the keys of list[0..m) where one kind keeps them: with `tasks`
 * among the stored updates (task_update_key_idx), else among the
 * measurements' acknowledgements in request_log. */
static int lookup_in(ingest_batch_t *b, ingest_work_t **list, size_t m, bool tasks, bool settle,
                     size_t *found)
{
    const char **names = calloc(m + 1, sizeof *names), **keys = calloc(m + 1, sizeof *keys);
    int rc = -1;
    char *a1 = NULL, *a2 = NULL;
    PGresult *res = NULL;
    if (!names || !keys)
        goto done;
    for (size_t i = 0; i < m; i++) {
        names[i] = list[i]->publisher->name;
        keys[i] = list[i]->item->env->idempotency_key;
    }
    rc = 0;
    if (m == 0)
        goto done;
    rc = -1;
    if (!(a1 = db_array_literal(names, m)) || !(a2 = db_array_literal(keys, m)))
        goto done;
    const char *p[] = {a1, a2};
    db_status_t st;
    /* One index probe a key, whatever the table's size (a join may be
     * planned as a scan of all of it). */
    res = db_exec(b->db,
                  tasks ? "SELECT t.actor, t.idempotency_key, t.id, t.task_id FROM "
                          "unnest($1::text[], $2::text[]) AS u(p, k) CROSS JOIN LATERAL (SELECT "
                          "actor, idempotency_key, id, task_id FROM registry.task_update WHERE "
                          "actor = u.p AND idempotency_key = u.k) t"
                        : "SELECT r.publisher, r.idempotency_key, r.reply FROM unnest($1::text[], "
                          "$2::text[]) AS u(p, k) CROSS JOIN LATERAL (SELECT publisher, "
                          "idempotency_key, reply FROM registry.request_log WHERE publisher = u.p "
                          "AND idempotency_key = u.k AND reply_type = 82) r",
                  2, p, &st);
    if (!res)
        goto done;
    *found += (size_t)PQntuples(res);
    for (int r = 0; settle && r < PQntuples(res); r++) {
        const char *publisher = PQgetvalue(res, r, 0), *key = PQgetvalue(res, r, 1);
        if (tasks) {
            settle_found(list, m, publisher, key, strtoll(PQgetvalue(res, r, 2), NULL, 10),
                         strtoll(PQgetvalue(res, r, 3), NULL, 10));
            continue;
        }
        size_t len;
        unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, r, 2), &len);
        Partrack__IngestAck *ack = bytes ? partrack__ingest_ack__unpack(NULL, len, bytes) : NULL;
        PQfreemem(bytes);
        if (ack) {
            settle_found(list, m, publisher, key, ack->id, ack->has_task_id ? ack->task_id : 0);
            partrack__ingest_ack__free_unpacked(ack, NULL);
        }
    }
    rc = 0;
done:
    PQclear(res);
    free(a1);
    free(a2);
    free(names);
    free(keys);
    return rc;
}

/* Looks up the keys of list[0..m) among those acknowledged before, of
 * either kind: a publisher's key names one message, whatever its type.
 * With `settle`, each found one gets its first acknowledgement again,
 * marked duplicate; *found counts them. */
static int lookup_stored(ingest_batch_t *b, ingest_work_t **list, size_t m, bool settle,
                         size_t *found)
{
    *found = 0;
    if (lookup_in(b, list, m, true, settle, found) < 0)
        return -1;
    return lookup_in(b, list, m, false, settle, found);
}

/* The works of works[0..n) that `fresh` marks (NULL: the unsettled ones). */
static ingest_work_t **works_where(ingest_work_t *works, size_t n, const bool *fresh, size_t *m)
{
    ingest_work_t **list = calloc(n + 1, sizeof *list);
    *m = 0;
    for (size_t i = 0; list && i < n; i++)
        if (fresh ? fresh[i] : !works[i].settled)
            list[(*m)++] = &works[i];
    return list;
}

/* Settles the works whose key was acknowledged before. */
static int replay_stored(ingest_batch_t *b, ingest_work_t *works, size_t n)
{
    size_t m, found;
    ingest_work_t **list = works_where(works, n, NULL, &m);
    int rc = list ? lookup_stored(b, list, m, true, &found) : -1;
    free(list);
    return rc;
}

/* How many of the works `refused` marks were acknowledged before (judged
 * again now, they must still get their first acknowledgement). */
static int refused_but_stored(ingest_batch_t *b, ingest_work_t *works, size_t n,
                              const bool *refused, size_t *found)
{
    size_t m;
    ingest_work_t **list = works_where(works, n, refused, &m);
    int rc = list ? lookup_stored(b, list, m, false, found) : -1;
    free(list);
    return rc;
}

/* Sort order for finding a key sent twice in a batch: publisher, key, then
 * arrival. */
static int same_key_cmp(const void *a, const void *b)
{
    const ingest_work_t *x = *(ingest_work_t *const *)a, *y = *(ingest_work_t *const *)b;
    if (x->publisher != y->publisher)
        return x->publisher < y->publisher ? -1 : 1;
    int c = strcmp(x->item->env->idempotency_key, y->item->env->idempotency_key);
    return c ? c : (x < y ? -1 : x > y);
}

/* The same key twice in a batch: first[i] is the earlier message a later,
 * still unsettled one waits for (NULL for the rest). One sort, not a scan
 * of the batch per message. Returns 0, or -1 when out of memory. */
static int find_copies(ingest_work_t *works, size_t n, ingest_work_t **first)
{
    ingest_work_t **order = calloc(n + 1, sizeof *order);
    size_t m = 0;
    if (!order)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (works[i].publisher && works[i].item->env->idempotency_key)
            order[m++] = &works[i];
    qsort(order, m, sizeof *order, same_key_cmp);
    for (size_t k = 1, g = 0; k < m; k++) {
        if (order[k]->publisher != order[g]->publisher ||
            strcmp(order[k]->item->env->idempotency_key, order[g]->item->env->idempotency_key) != 0)
            g = k;
        else if (!order[k]->settled)
            first[order[k] - works] = order[g];
    }
    free(order);
    return 0;
}

/* Remembers the acknowledgements of the measurements stored in this batch
 * (a task update's key is on its task_update row, ingest_tasks.c). A key
 * someone stored first (before the batch looked, or in a transaction that
 * committed while this one ran) makes the insert fail, or, if a task
 * update holds it, leaves its row out: *conflicts is then set and the
 * transaction is to be rolled back. (A plain insert: ON CONFLICT's
 * speculative insertion cost more than a rare failed batch.) */
static int remember(ingest_batch_t *b, ingest_work_t *works, size_t n, bool *fresh,
                    size_t *conflicts)
{
    db_binarray_t cols[4];
    db_binarray_init(&cols[0], DB_OID_TEXT);
    db_binarray_init(&cols[1], DB_OID_TEXT);
    db_binarray_init(&cols[2], DB_OID_INT4);
    db_binarray_init(&cols[3], DB_OID_BYTEA);
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fresh[i] || is_task_update(&works[i]))
            continue;
        ingest_item_t *it = works[i].item;
        db_binarray_text(&cols[0], works[i].publisher->name);
        db_binarray_text(&cols[1], it->env->idempotency_key);
        db_binarray_int4(&cols[2], (int32_t)it->env->type);
        db_binarray_bytes(&cols[3], it->reply, it->reply_len);
        m++;
    }
    *conflicts = 0;
    if (m > 0) {
        db_status_t st;
        PGresult *res = db_exec_binarrays(b->db,
                                          "INSERT INTO registry.request_log (publisher, "
                                          "idempotency_key, type, reply_type, reply) SELECT p, k, "
                                          "t, 82, r FROM unnest($1::text[], $2::text[], "
                                          "$3::int[], $4::bytea[]) AS u(p, k, t, r) WHERE NOT "
                                          "EXISTS (SELECT 1 FROM registry.task_update x WHERE "
                                          "x.actor = u.p AND x.idempotency_key = u.k)",
                                          cols, 4, &st);
        if (!res && strcmp(db_sqlstate(b->db), "23505") == 0)
            *conflicts = 1; /* unique_violation: a key stored before */
        else if (!res)
            rc = -1;
        else if (strtoull(PQcmdTuples(res), NULL, 10) != m)
            *conflicts = 1; /* a task update's key */
        PQclear(res);
    }
    for (int c = 0; c < 4; c++)
        db_binarray_free(&cols[c]);
    return rc;
}

/* ---- the batch ---- */

/* Decodes and checks what every message needs; refuses the others. */
static void admit(ingest_batch_t *b, ingest_work_t *w, const publishers_t *ps)
{
    ingest_item_t *it = w->item;
    w->publisher = publisher_of(ps, it->user_id);
    if (!w->publisher || !w->publisher->active) {
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_FORBIDDEN,
                          "this key's publisher is revoked or unknown");
        w->publisher = NULL;
        w->settled = true;
        return;
    }
    Partrack__ErrorCode code;
    char reason[512];
    if (ingest_check_envelope(it->env, b->now_ms, b->rules->max_skew_ms, &w->message, &code, reason,
                              sizeof reason) < 0) {
        ingest_item_error(it, code, "%s", reason);
        w->settled = true;
        return;
    }
    w->sent_at_ms = it->env->sent_at_ms;
}

static int batch_now(ingest_batch_t *b)
{
    db_status_t st;
    PGresult *res =
        db_exec(b->db, "SELECT floor(extract(epoch FROM now()) * 1000)::bigint", 0, NULL, &st);
    if (!res)
        return -1;
    b->now_ms = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    ingest_format_ms(b->now_ms, b->now_text);
    PQclear(res);
    return 0;
}

/* One attempt at the batch. With `look_back`, keys stored before are
 * looked up first (one index probe each); without, every key is taken to
 * be new, and *stored_before says whether one was not: the caller rolls
 * back and tries again looking back. Keys sent again are rare (a resend
 * after silence), so most batches skip the lookup. Returns 0 (committed, or
 * with *stored_before set: nothing committed, no replies) or -1. */
static int apply_once(ingest_batch_t *b, ingest_item_t *items, size_t n, bool look_back,
                      bool *stored_before, bool *retryable)
{
    ingest_work_t *works = calloc(n + 1, sizeof *works);
    ingest_work_t **copy = calloc(n + 1, sizeof *copy);
    bool *fresh = calloc(n + 1, sizeof *fresh), *refused = calloc(n + 1, sizeof *refused);
    publishers_t ps = {0};
    size_t conflicts = 0;
    int rc = -1;
    *retryable = false;
    *stored_before = false;
    if (!works || !copy || !fresh || !refused)
        goto done;
    if (db_begin(b->db) != DB_OK || batch_now(b) < 0 || publishers_load(b, items, n, &ps) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        works[i].item = &items[i];
        admit(b, &works[i], &ps);
    }
    /* Later copies of a key are set aside until the first is settled. */
    if (find_copies(works, n, copy) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (copy[i])
            works[i].settled = true;
    if (look_back && replay_stored(b, works, n) < 0)
        goto fail;
    /* What is still unsettled now is new: stored if accepted. */
    for (size_t i = 0; i < n; i++)
        fresh[i] = !works[i].settled;
    b->key_taken = false;
    if (ingest_tasks_apply(b, works, n) < 0) {
        if (!b->key_taken)
            goto fail;
        conflicts = 1; /* a task update's key was stored before */
        goto undo;
    }
    if (ingest_measurements_apply(b, works, n) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        refused[i] = fresh[i] && works[i].stored_id <= 0;
        if (refused[i])
            fresh[i] = false; /* not remembered */
        else if (fresh[i])
            set_ack(works[i].item, works[i].stored_id, works[i].task_id, false);
    }
    if (!look_back && refused_but_stored(b, works, n, refused, &conflicts) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        ingest_work_t *first = copy[i];
        if (!first)
            continue;
        if (first->item->reply_type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK)
            set_ack(works[i].item, first->stored_id, first->task_id, true);
        else if (first->item->reply &&
                 (works[i].item->reply = malloc(first->item->reply_len + 1))) {
            memcpy(works[i].item->reply, first->item->reply, first->item->reply_len);
            works[i].item->reply_len = first->item->reply_len;
            works[i].item->reply_type = first->item->reply_type;
        }
    }
    if (conflicts == 0 && remember(b, works, n, fresh, &conflicts) < 0)
        goto fail;
undo:
    if (conflicts > 0) {
        /* Applied as new, but stored before (or by another instance
         * meanwhile): undone, for the caller to look back. */
        *stored_before = true;
        db_rollback(b->db);
        goto clear;
    }
    /* The server flushes its WAL meanwhile: the caller's work overlaps
     * it. Replies wait for the result all the same. */
    db_commit_send(b->db);
    if (b->while_committing)
        b->while_committing(b->overlap_arg);
    if (db_commit_finish(b->db) != DB_OK) {
        *retryable = db_failure_retryable(b->db);
        goto clear;
    }
    rc = 0;
    goto done;
fail:
    *retryable = db_failure_retryable(b->db);
    db_rollback(b->db);
clear:
    for (size_t i = 0; i < n; i++)
        ingest_item_clear(&items[i]);
done:
    for (size_t i = 0; works && i < n; i++)
        if (works[i].message)
            protobuf_c_message_free_unpacked(works[i].message, NULL);
    publishers_free(&ps);
    free(works);
    free(copy);
    free(fresh);
    free(refused);
    return *stored_before ? 0 : rc;
}

int ingest_batch_apply(db_t *db, const directory_t *dir, task_facts_t *facts, ingest_item_t *items,
                       size_t n, const ingest_rules_t *rules, int64_t *last_event, bool *retryable)
{
    return ingest_batch_apply_overlapping(db, dir, facts, items, n, rules, last_event, retryable,
                                          NULL, NULL);
}

int ingest_batch_apply_overlapping(db_t *db, const directory_t *dir, task_facts_t *facts,
                                   ingest_item_t *items, size_t n, const ingest_rules_t *rules,
                                   int64_t *last_event, bool *retryable,
                                   ingest_overlap_fn *while_committing, void *arg)
{
    ingest_batch_t b = {.db = db,
                        .dir = dir,
                        .facts = facts,
                        .rules = rules,
                        .last_event = last_event,
                        .while_committing = while_committing,
                        .overlap_arg = arg};
    int64_t last = *last_event;
    bool stored_before = false;
    int rc = apply_once(&b, items, n, false, &stored_before, retryable);
    if (rc == 0 && stored_before) {
        *last_event = last; /* the undone attempt's events are gone */
        rc = apply_once(&b, items, n, true, &stored_before, retryable);
        if (rc == 0 && stored_before) {
            /* Stored by another instance between the look and the write. */
            *retryable = true;
            rc = -1;
        }
    }
    return rc;
}
