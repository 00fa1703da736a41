/* notify_server.h - the notify service's loop
 *
 * One thread polls everything: requests on its local endpoint (ping, person
 * keys, follows: notify_admin.h), the feed endpoint and its ZAP handler
 * (notify_feed_server.h), and the producers' PUB wake-ups. It turns the
 * deadline service's and the registry's events into feed entries
 * (notify_ingest.h), each producer with its own cursor, a batch per
 * transaction and per step, and sends each batch's entries to the readers
 * holding credit as soon as it is committed. It looks at a producer's log
 * when that producer wakes it, while it is behind, and at least every poll
 * interval, woken or not.
 */
#ifndef PARTRACK_NOTIFY_SERVER_H
#define PARTRACK_NOTIFY_SERVER_H

#include "db.h"

#include <stddef.h>

typedef struct {
    const char *endpoint;          /* requests (ROUTER) */
    const char *registry_events;   /* the registry's PUB wake-ups */
    const char *deadline_events;   /* the deadline service's */
    const char *scoring_events;    /* the scoring service's */
    const char *feed_endpoint;     /* people read their feeds (ROUTER, CURVE) */
    const char *deadline_endpoint; /* acknowledgements are passed on to it */
    int digest_check_ms;           /* how often due digests are looked for */
    size_t max_msg_bytes;
    int batch; /* events per transaction */
} notify_config_t;

typedef struct notify_server notify_server_t;

notify_server_t *notify_server_new(void *zmq_ctx, db_t *db, const notify_config_t *config,
                                   char *errbuf, size_t errlen);
void notify_server_destroy(notify_server_t **self_p);

/* Waits up to wait_ms (the poll interval) for a request, a reader or a
 * wake-up, serves what came, then applies a batch of waiting events of each
 * producer that woke it, is behind, or was last looked at wait_ms ago,
 * pushing each batch's entries once it is committed. Behind a producer, a
 * step does not wait, so requests and readers are served between batches.
 * Returns 0, or -1 when the database failed (it is retried on the next
 * step). */
int notify_server_step(notify_server_t *self, int wait_ms);

#endif
