/* monitor_clock.c - the deadline service's notion of now (see the header) */
#include "monitor_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int monitor_clock_now(const monitor_clock_t *clock, db_t *db, int64_t *now)
{
    if (!clock->manual) {
        *now = (int64_t)time(NULL);
        return 0;
    }
    /* First use: the manual clock starts at the real time. */
    db_status_t st;
    PGresult *res = db_exec(db,
                            "WITH ins AS (INSERT INTO deadline.clock (now) VALUES (now()) "
                            "ON CONFLICT DO NOTHING RETURNING now) "
                            "SELECT floor(extract(epoch FROM coalesce((SELECT now FROM ins), "
                            "(SELECT now FROM deadline.clock))))::bigint",
                            0, NULL, &st);
    if (!res)
        return -1;
    *now = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

int monitor_clock_set(db_t *db, int64_t now)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)now);
    const char *params[] = {text};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "INSERT INTO deadline.clock (now) VALUES (to_timestamp($1::bigint)) "
                            "ON CONFLICT (only_row) DO UPDATE SET now = EXCLUDED.now",
                            1, params, &st);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}
