/* ingest_key.c - the ingest endpoint's CURVE keypair (see the header) */
#include "ingest_key.h"

#include <stdio.h>
#include <string.h>

int ingest_key_get(db_t *db, keyfile_t *k)
{
    keyfile_t fresh = {0};
    if (keyfile_generate(&fresh) < 0)
        return -1;
    /* Two registries starting at once: the first insert wins, both read it. */
    const char *p[] = {fresh.public_key, fresh.secret_key};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "WITH i AS (INSERT INTO registry.ingest_key (public_key, secret_key) "
                            "VALUES ($1, $2) ON CONFLICT (only_row) DO NOTHING RETURNING "
                            "public_key, secret_key) SELECT public_key, secret_key FROM i UNION "
                            "ALL SELECT public_key, secret_key FROM registry.ingest_key",
                            2, p, &st);
    if (!res)
        return -1;
    int rc = -1;
    if (PQntuples(res) >= 1) {
        snprintf(k->public_key, sizeof k->public_key, "%s", PQgetvalue(res, 0, 0));
        snprintf(k->secret_key, sizeof k->secret_key, "%s", PQgetvalue(res, 0, 1));
        rc = 0;
    }
    PQclear(res);
    return rc;
}
