/* harness.h - real parts for integration tests: databases, services, the CLI
 *
 * scripts/test starts one throwaway PostgreSQL and exports where it is
 * (PARTRACK_TEST_PGHOST, PARTRACK_TEST_PGPORT). Each test makes its own
 * database, starts the services it needs as child processes on loopback
 * ports of its own, and runs the real `partrack` binary. Nothing is stubbed.
 *
 * What the harness cannot go on without (a database it cannot reach, a file
 * it cannot write) fails the Criterion test. The library built with
 * HARNESS_STANDALONE (test_harness_standalone) serves programs that are not
 * Criterion tests, such as the chaos run: a failure calls the program's
 * handler, then exits 1, and the services it starts die with the program.
 * Not thread-safe: one thread of a program uses it.
 *
 * Slow runs (valgrind: scripts/test with PARTRACK_VALGRIND=1, through
 * scripts/lib/valgrind-test) set PARTRACK_TIMEOUT_SCALE: every timeout,
 * wait and retry count of the harness, and each test's Criterion timeout,
 * is multiplied by it, and tests scale their own through harness_scale().
 * PARTRACK_VALGRIND_LOGS set makes every child binary (services, the CLI,
 * helpers started with harness_exec) run under valgrind with a log of its
 * own in that folder.
 */
#ifndef PARTRACK_HARNESS_H
#define PARTRACK_HARNESS_H

#include "envelope.pb-c.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A standalone program's handler of harness failures (the message says
 * what failed); it may clean up and exit itself, else the program exits 1.
 * In a Criterion test it runs before the test fails. */
void harness_on_failure(void (*handler)(const char *message));

/* Path of a built binary (build/bin/NAME) or a source file (repo/REL). The
 * buffer stays valid for the next 15 calls of any path function. */
const char *harness_bin(const char *name);
const char *harness_source(const char *rel);

/* n times PARTRACK_TIMEOUT_SCALE (1 unless set): for timeouts in ms or s,
 * waits that let other processes act, and counts of polling rounds. */
int harness_scale(int n);

/* harness_scale(seconds) as a decimal string (for --timeout), in the ring
 * of path buffers. */
const char *harness_seconds(int seconds);

/* Sleeps harness_scale(ms) milliseconds. */
void harness_pause(int ms);

/* For a child just forked: replaces it with build/bin/NAME and argv (argv[0]
 * included, NULL-terminated, at most 60 entries); under valgrind the binary
 * runs under valgrind with its log in $PARTRACK_VALGRIND_LOGS. Returns only
 * if the exec failed. */
void harness_exec(const char *name, char *const argv[]);

/* Drops and creates database `name`; returns its conninfo (static buffer). */
const char *harness_db_create(const char *name);
const char *harness_db_url(const char *name);

/* The throwaway PostgreSQL itself (scripts/test sets PARTRACK_TEST_PGCTL):
 * runs `$PARTRACK_TEST_PGCTL action` (stop, start) and returns its exit
 * status (-1 when the variable is unset); whether it answers; starts it
 * again if it is down, true once it answers. */
int harness_pg_ctl(const char *action);

/* "dir/name" in one of eight static buffers used in turn (so a call may
 * take several). */
const char *harness_path(const char *dir, const char *name);
bool harness_pg_reachable(void);
bool harness_pg_restore(void);

/* A connection to database `name`; aborts the test if impossible. */
PGconn *harness_pg(const char *name);

/* First column of the first row of `sql` as a number (-1 on error). */
long harness_sql_long(const char *name, const char *sql);

/* The first column of the first row of a query on database `name`, as bytes
 * (bytea in binary form). Returns a malloc'd copy (caller frees) with its
 * length in *len, or NULL when there is no row or the query fails. */
uint8_t *harness_sql_bytes(const char *name, const char *sql, size_t *len);

typedef struct {
    pid_t pid;
    char name[16]; /* registry, deadline, notify, scoring: the binary is partrack-<name> */
    char endpoint[64];
    char events[64];
    char ingest[64]; /* registry: PARTRACK_INGEST_ENDPOINT */
    char feed[64];   /* notify: PARTRACK_FEED_ENDPOINT */
    char log[256];
    char db[64];
    char env[8][128]; /* extra "NAME=VALUE" given at start, kept for restarts */
    int nenv;
} harness_service_t;

/* Starts partrack-registry on database `db` and waits until it answers a
 * ping. Extra environment "NAME=VALUE" strings may follow, NULL-terminated.
 * Returns 0, or -1 (log in s->log). */
int harness_registry_start(harness_service_t *s, const char *db, ...);

/* The same for partrack-deadline. */
int harness_deadline_start(harness_service_t *s, const char *db, ...);

/* The same for partrack-notify (give PARTRACK_REGISTRY_EVENTS and
 * PARTRACK_DEADLINE_EVENTS of the services it listens to). */
int harness_notify_start(harness_service_t *s, const char *db, ...);

/* The same for partrack-scoring (give PARTRACK_REGISTRY_EVENTS of the
 * registry it listens to). */
int harness_scoring_start(harness_service_t *s, const char *db, ...);

/* Restarts a stopped service (registry or deadline) on the same endpoints. */
int harness_service_restart(harness_service_t *s);

/* Sends `sig` and waits for the process to end (SIGKILL after
 * harness_scale(5) seconds). */
void harness_service_stop(harness_service_t *s, int sig);

typedef struct {
    int status; /* exit code, or 128 + signal */
    char *out;
    char *err;
} harness_run_t;

/* Runs build/bin/partrack with --registry ENDPOINT then the NULL-terminated
 * arguments; captures exit status, stdout and stderr. Returns status. In
 * slow runs --timeout harness_seconds(30) comes first (the CLI's default
 * timeout, scaled), so a --timeout among the arguments still wins. */
int harness_cli(harness_run_t *r, const char *endpoint, ...);

/* Starts the CLI in the background (output to files); returns its pid. */
pid_t harness_cli_spawn(const char *endpoint, const char *out_path, const char *err_path, ...);

void harness_run_free(harness_run_t *r);

/* Writes text to a new temporary file and returns its path (a path buffer,
 * as above). */
const char *harness_write_temp(const char *name, const char *content, size_t len);

/* Waits up to harness_scale(ms) for cond(); returns true if it became true. */
bool harness_wait(bool (*cond)(void *), void *arg, int ms);

/* A test's own CURVE client: a DEALER on the shared test context with the
 * keypair of `public_key`/`secret_key`, trusting `server_key` (all Z85),
 * connected to `endpoint`. Sends give up after harness_scale(2) s without a
 * peer (a refused handshake leaves none). Close with zmq_close. */
void *harness_curve_dealer(const char *endpoint, const char *server_key, const char *public_key,
                           const char *secret_key);

/* Sends `payload` as an envelope of `type` with `key` as correlation id and
 * idempotency key and the publisher's clock `sent_at_ms` (0: now). False if
 * it could not even be queued. */
bool harness_send_envelope(void *socket, int type, const ProtobufCMessage *payload, const char *key,
                           int64_t sent_at_ms);

/* The next envelope within harness_scale(ms) (caller frees with
 * partrack__envelope__free_unpacked), or NULL. */
Partrack__Envelope *harness_recv_envelope(void *socket, int ms);

#endif
