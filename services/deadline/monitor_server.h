/* monitor_server.h - the deadline service's loop: requests, events, sweeps
 *
 * One thread does, in turn: answer the request that came (due list,
 * status, acknowledgement, clock, calendar import), apply the registry's new events
 * (monitor_ingest), and sweep what fell due (monitor_sweep); then it wakes
 * its own consumers over PUB. Between requests it waits at most poll_ms, so
 * an event or a due instant is acted on within that time.
 */
#ifndef PARTRACK_MONITOR_SERVER_H
#define PARTRACK_MONITOR_SERVER_H

#include "db.h"
#include "due_levels.h"
#include "monitor_clock.h"
#include "workcal.h"

#include <stddef.h>

typedef struct monitor_server monitor_server_t;

typedef struct {
    const char *endpoint;        /* ROUTER, requests */
    const char *events_endpoint; /* PUB, wake-ups of the service's own events */
    size_t max_msg_bytes;
    int batch; /* events and occurrences per transaction */
    due_policy_t policy;
    monitor_clock_t clock;
} monitor_config_t;

/* Binds the endpoints. db is borrowed; takes ownership of *cal (the shipped
 * calendar; a calendar imported earlier replaces it) and clears it. NULL
 * with a reason. */
monitor_server_t *monitor_server_new(void *zmq_ctx, db_t *db, workcal_t **cal,
                                     const monitor_config_t *config, char *errbuf, size_t errlen);
void monitor_server_destroy(monitor_server_t **self_p);

/* One turn: waits up to wait_ms for a request and answers it, then applies
 * a batch of new events and sweeps. Behind the registry, a turn does not
 * wait and takes one batch, so requests are answered between batches (a
 * clock set first applies every event committed when it came, not those
 * committed meanwhile). Returns 0, or -1 if the database
 * failed this turn (logged; the next turn tries again). */
int monitor_server_step(monitor_server_t *self, int wait_ms);

#endif
