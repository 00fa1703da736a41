/* notify_server.h - the notify service's loop
 *
 * Answers requests on its endpoint (ping, for now), and turns the deadline
 * service's and the registry's events into feed entries (notify_ingest.h),
 * each producer with its own cursor, a batch per transaction. Woken by the
 * producers' PUB wake-ups, and looks at least every poll interval.
 */
#ifndef PARTRACK_NOTIFY_SERVER_H
#define PARTRACK_NOTIFY_SERVER_H

#include "db.h"

#include <stddef.h>

typedef struct {
    const char *endpoint;        /* requests (ROUTER) */
    const char *registry_events; /* the registry's PUB wake-ups */
    const char *deadline_events; /* the deadline service's */
    size_t max_msg_bytes;
    int batch; /* events per transaction */
} notify_config_t;

typedef struct notify_server notify_server_t;

notify_server_t *notify_server_new(void *zmq_ctx, db_t *db, const notify_config_t *config,
                                   char *errbuf, size_t errlen);
void notify_server_destroy(notify_server_t **self_p);

/* Serves one request if one comes within wait_ms, then applies every event
 * waiting. Returns 0, or -1 when the database failed (it is retried on the
 * next step). */
int notify_server_step(notify_server_t *self, int wait_ms);

#endif
