/* publisher_handlers.c - publishers: added, revoked, listed
 *
 * The command line makes a publisher's keypair and sends only the public
 * half; the registry never sees a publisher's secret. An add is checked whole
 * before anything is written - the name's form, the key's form, every scope
 * code against the unit directory (active units only), the name and the key
 * not taken, even by a revoked publisher - and every problem is told at once.
 * Adds and revocations are idempotent mutations (a retry gets the first
 * reply) and audited; no events: nothing downstream follows publishers. Every
 * reply carries the ingest endpoint's public key and address, which the
 * command line writes into the publisher's key file.
 */
#include "publisher_handlers.h"

#include "ingest.pb-c.h"
#include "ingest_key.h"
#include "keyfile.h"
#include "log.h"
#include "publisher_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCOPE 1000 /* unit codes in one publisher's scope */

/* ^[a-z0-9][a-z0-9._-]{0,63}$, as registry.publisher checks it. */
static bool name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 64 || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[0]))
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

/* Replies with the publishers given, the ingest key and endpoint: as the
 * mutation's stored reply (commit) when `mutation`, else straight away. */
static void reply_publishers(call_t *c, Partrack__Publisher **list, size_t n, bool mutation)
{
    keyfile_t key = {0};
    if (ingest_key_get(c->db, &key) < 0) {
        if (mutation)
            db_rollback(c->db);
        call_reply_db_failure(c);
        return;
    }
    Partrack__PublisherReply reply = PARTRACK__PUBLISHER_REPLY__INIT;
    reply.publishers = list;
    reply.n_publishers = n;
    reply.server_key = key.public_key;
    reply.ingest_endpoint = (char *)(c->ingest_endpoint ? c->ingest_endpoint : "");
    if (mutation)
        call_mutation_finish(c, PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_REPLY, &reply.base, 0);
    else
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_REPLY, &reply.base);
    memset(key.secret_key, 0, sizeof key.secret_key);
}

/* The problems of an add's fields that need no database. */
static void check_fields(const Partrack__PublisherAddRequest *req, problems_t *problems)
{
    if (!name_valid(req->name))
        problems_add(problems, NULL, 0, "name",
                     "\"%.80s\" is not a publisher name: 1 to 64 of a-z, 0-9, '.', '_', '-', "
                     "starting with a letter or digit",
                     req->name);
    if (!keyfile_z85_valid(req->public_key))
        problems_add(problems, NULL, 0, "public_key", "not a CURVE public key (40 Z85 characters)");
    if (req->n_scope == 0)
        problems_add(problems, NULL, 0, "scope",
                     "empty: name the units whose subtrees the publisher may touch");
    else if (req->n_scope > MAX_SCOPE)
        problems_add(problems, NULL, 0, "scope", "%zu units, over the limit of %d", req->n_scope,
                     MAX_SCOPE);
}

/* Each scope code once, in the order given, into scope (n_scope slots);
 * unknown and inactive units are problems. Returns the count kept. */
static size_t check_scope(const directory_t *dir, const Partrack__PublisherAddRequest *req,
                          const char **scope, problems_t *problems)
{
    size_t n = 0;
    for (size_t i = 0; i < req->n_scope; i++) {
        const char *code = req->scope[i];
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(scope[k], code) == 0;
        if (seen)
            continue;
        long u = directory_find(dir, code);
        const dir_unit_t *unit = u >= 0 ? directory_unit(dir, u) : NULL;
        if (!unit)
            problems_add(problems, NULL, 0, "scope", "%.80s is not a unit", code);
        else if (unit->valid_to)
            problems_add(problems, NULL, 0, "scope", "%.80s is no longer active (since %s%s%s)",
                         code, unit->valid_to, unit->successor_code ? ", now " : "",
                         unit->successor_code ? unit->successor_code : "");
        scope[n++] = code;
    }
    return n;
}

void publisher_handle_add(call_t *c)
{
    Partrack__PublisherAddRequest *req =
        call_decode(c, &partrack__publisher_add_request__descriptor);
    if (!req)
        return;
    problems_t *problems = calloc(1, sizeof *problems);
    const char **scope = calloc(req->n_scope + 1, sizeof *scope);
    Partrack__Publisher *added = NULL;
    if (!problems || !scope) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    check_fields(req, problems);
    if (problems->n) {
        call_reply_problems(c, "publisher refused, nothing was changed", problems);
        goto done;
    }
    if (call_mutation_begin(c) != 0)
        goto done;
    const directory_t *dir = directory_cache_get(c->units, c->db);
    if (!dir) {
        db_rollback(c->db);
        call_reply_db_failure(c);
        goto done;
    }
    size_t nscope = check_scope(dir, req, scope, problems);
    size_t invalid = problems->n;
    int rc = publisher_store_check_taken(c->db, req->name, req->public_key, problems);
    if (rc == 0 && problems->n == 0)
        rc = publisher_store_add(c->db, req->name, req->public_key, scope, nscope, LOCAL_PUBLISHER,
                                 &added, problems);
    else if (rc >= 0)
        rc = 1;
    if (rc != 0) {
        db_rollback(c->db);
        if (rc < 0)
            call_reply_db_failure(c);
        else
            /* A name or key taken is a conflict with what is stored. */
            call_reply_problems_code(
                c, invalid ? PARTRACK__ERROR_CODE__ERR_INVALID : PARTRACK__ERROR_CODE__ERR_CONFLICT,
                "publisher refused, nothing was changed", problems);
        goto done;
    }
    log_info("publisher added", "name=%s scope=%zu", added->name, added->n_scope);
    reply_publishers(c, &added, 1, true);
done:
    publisher_store_free(added);
    free(scope);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__publisher_add_request__free_unpacked(req, NULL);
}

void publisher_handle_revoke(call_t *c)
{
    Partrack__PublisherRevokeRequest *req =
        call_decode(c, &partrack__publisher_revoke_request__descriptor);
    if (!req)
        return;
    Partrack__Publisher *p = NULL;
    if (call_mutation_begin(c) != 0)
        goto done;
    publisher_revoke_t rc = publisher_store_revoke(c->db, req->name, LOCAL_PUBLISHER, &p);
    if (rc != PUBLISHER_REVOKED) {
        db_rollback(c->db);
        char message[256];
        if (rc == PUBLISHER_DB_FAILURE) {
            call_reply_db_failure(c);
        } else if (rc == PUBLISHER_UNKNOWN) {
            call_reply_error(c, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, "no such publisher");
        } else {
            snprintf(message, sizeof message, "publisher %s was already revoked%s%s", p->name,
                     p->revoked_at ? " at " : "", p->revoked_at ? p->revoked_at : "");
            call_reply_error(c, PARTRACK__ERROR_CODE__ERR_CONFLICT, message);
        }
        goto done;
    }
    log_info("publisher revoked", "name=%s", p->name);
    reply_publishers(c, &p, 1, true);
done:
    publisher_store_free(p);
    partrack__publisher_revoke_request__free_unpacked(req, NULL);
}

void publisher_handle_list(call_t *c)
{
    Partrack__PublisherListRequest *req =
        call_decode(c, &partrack__publisher_list_request__descriptor);
    if (!req)
        return;
    Partrack__Publisher **list = NULL;
    size_t n = 0;
    if (publisher_store_list(c->db, req->has_include_revoked && req->include_revoked, &list, &n) <
        0)
        call_reply_db_failure(c);
    else
        reply_publishers(c, list, n, false);
    publisher_store_free_list(list, n);
    partrack__publisher_list_request__free_unpacked(req, NULL);
}
