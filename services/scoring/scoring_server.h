/* scoring_server.h - the scoring service's loop
 *
 * One thread polls its request endpoint (scoring_requests.h) and the
 * registry's PUB wake-ups; it applies the registry's events
 * (scoring_ingest.h) with its cursor in scoring.event_cursor, a batch per
 * transaction, at least every poll interval, and after each commit that
 * appended ScorePublished events wakes its own subscribers (PUB on the
 * events endpoint).
 */
#ifndef PARTRACK_SCORING_SERVER_H
#define PARTRACK_SCORING_SERVER_H

#include "db.h"

#include <stddef.h>

typedef struct {
    const char *endpoint;        /* requests (ROUTER) */
    const char *events;          /* its own PUB wake-ups */
    const char *registry_events; /* the registry's PUB wake-ups */
    const char *deadline_events; /* the deadline service's PUB wake-ups */
    double publish_threshold;    /* points a score moves by before it is published */
    size_t max_msg_bytes;
    int batch; /* events per transaction */
} scoring_config_t;

typedef struct scoring_server scoring_server_t;

scoring_server_t *scoring_server_new(void *zmq_ctx, db_t *db, const scoring_config_t *config,
                                     char *errbuf, size_t errlen);
void scoring_server_destroy(scoring_server_t **self_p);

/* Waits up to wait_ms for a request or a wake-up, serves it, then applies
 * a batch of the registry's waiting events. Returns 0, or -1 when the
 * database failed (retried on the next step). */
int scoring_server_step(scoring_server_t *self, int wait_ms);

#endif
