/* ingest_zap.c - who may connect to the ingest endpoint (see the header) */
#include "ingest_zap.h"

#include <stdio.h>

zap_status_t ingest_zap_lookup(const char *key, char *user_id, size_t user_len, char *name,
                               size_t name_len, void *arg)
{
    db_t *db = arg;
    const char *p[] = {key};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT name FROM registry.publisher WHERE public_key = $1 AND "
                            "revoked_at IS NULL",
                            1, p, &st);
    if (!res)
        return ZAP_RETRY;
    zap_status_t status = PQntuples(res) == 1 ? ZAP_ALLOW : ZAP_DENY;
    if (status == ZAP_ALLOW) {
        snprintf(user_id, user_len, "%s", key);
        snprintf(name, name_len, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return status;
}
