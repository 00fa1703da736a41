/* task_feed.c - report chains: one task's result feeds another's (see the
 * header) */
#include "task_feed.h"

#include "events.h"
#include "events.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int task_feed(db_t *db, const Partrack__TaskFeedRequest *req, const char *actor,
              problems_t *problems, int64_t *last_event)
{
    char id[24], into[24];
    snprintf(id, sizeof id, "%lld", (long long)req->id);
    snprintf(into, sizeof into, "%lld", (long long)req->into);
    const char *p2[] = {id, into};
    db_status_t st;
    /* Both tasks, and whether `into` already reaches `id` (a cycle). */
    PGresult *res = db_exec(db,
                            "SELECT (SELECT count(*) FROM registry.task WHERE id = $1::bigint), "
                            "(SELECT count(*) FROM registry.task WHERE id = $2::bigint), "
                            "EXISTS (WITH RECURSIVE down(t) AS (SELECT $2::bigint UNION SELECT "
                            "f.into_task_id FROM registry.task_feed f JOIN down ON f.task_id = "
                            "down.t) SELECT 1 FROM down WHERE t = $1::bigint)",
                            2, p2, &st);
    if (!res)
        return -1;
    int rc = 2;
    if (PQgetvalue(res, 0, 0)[0] == '0')
        rc = 0;
    else if (PQgetvalue(res, 0, 1)[0] == '0')
        problems_add(problems, NULL, 0, "into", "no task %s", into);
    else if (PQgetvalue(res, 0, 2)[0] == 't')
        problems_add(problems, NULL, 0, "into",
                     "task %s already feeds task %s, directly or through others: a chain does "
                     "not loop",
                     into, id);
    else
        rc = 1;
    PQclear(res);
    if (rc != 1)
        return rc;
    const char *p3[] = {id, into, actor};
    res = db_exec(db,
                  "WITH l AS (INSERT INTO registry.task_feed (task_id, into_task_id) VALUES "
                  "($1::bigint, $2::bigint) ON CONFLICT DO NOTHING RETURNING task_id), a AS "
                  "(INSERT INTO registry.audit (actor, entity, entity_id, action, after) SELECT "
                  "$3, 'task', $1, 'feeds', json_build_object('into', $2::bigint) FROM l) "
                  "SELECT count(*) FROM l",
                  3, p3, &st);
    if (!res)
        return -1;
    bool fresh = PQgetvalue(res, 0, 0)[0] == '1';
    PQclear(res);
    if (!fresh)
        return 1; /* the link was there: nothing to tell */
    Partrack__TaskFeeds ev = PARTRACK__TASK_FEEDS__INIT;
    ev.task_id = req->id;
    ev.into_task_id = req->into;
    size_t len = partrack__task_feeds__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    partrack__task_feeds__pack(&ev, buf);
    rc = events_append(db, "registry", "TaskFeeds", NULL, buf, len, last_event) < 0 ? -1 : 1;
    free(buf);
    return rc;
}
