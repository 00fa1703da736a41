/* chaos.h - the chaos run's parts: the world it builds, the load it keeps
 * up, the bad traffic it sends, the invariants it checks
 *
 * One program (chaos.c) starts the four services on a database of its own
 * through the standalone test harness, loads a small city, and keeps three
 * threads of load running (chaos_load.c): a publisher sending task updates
 * and measurements through the real publish client at a steady rate, feed
 * readers reading and acknowledging two people's feeds over CURVE, and the
 * deadline service's manual clock moving forward across the due dates of
 * some tasks. Meanwhile the main thread works through a bounded schedule
 * of faults (SIGKILL and restart of each service, a PostgreSQL restart,
 * SIGSTOP of a consumer past its timeouts, malformed traffic at every
 * endpoint: chaos_bad.c). Then it stops the load, waits (bounded) until
 * every consumer has caught up, and checks the invariants (chaos_check.c),
 * printing each with its numbers.
 *
 * The threads of load never use the harness (it is not thread-safe); only
 * the main thread does.
 */
#ifndef PARTRACK_CHAOS_H
#define PARTRACK_CHAOS_H

#include "curve_dealer.h"
#include "harness.h"
#include "keyfile.h"
#include "publish_client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define CHAOS_LOAD_TASKS     199 /* tasks the publisher updates (prime: spreads the rounds) */
#define CHAOS_DEADLINE_TASKS 80  /* tasks whose due dates the clock crosses */
#define CHAOS_READERS        2
#define CHAOS_CONSULTATIONS  12      /* asked with due dates the clock crosses */
#define CHAOS_IMPORT_TASKS   40      /* tasks of each plan the requester imports */
#define CHAOS_ANSWERED       3       /* of them answered during the load */
#define CHAOS_MAX_MSG        1048576 /* PARTRACK_MAX_MESSAGE_BYTES of every service */
#define CHAOS_PUBLISHER      "chaos"
#define CHAOS_NOTE           "chaos note "
#define CHAOS_REQUEST_NOTE   "chaos request "
/* The deadline service's clock runs from the first to the second during the
 * load; every due date of the deadline tasks is crossed, with room for the
 * escalation three working days later. */
#define CHAOS_CLOCK_FROM "2024-01-02T06:00"
#define CHAOS_CLOCK_TO   "2024-03-29T12:00"

typedef struct {
    bool quick;
    unsigned seed;
    int rounds;      /* of the fault schedule */
    int rate;        /* messages a second */
    int gap_ms;      /* load between two faults */
    int pause_ms;    /* how long a consumer stays stopped (SIGSTOP) */
    int pg_down_ms;  /* how long PostgreSQL stays down */
    int catch_up_ms; /* the longest wait for consumers after the load */
    int max_seconds; /* the whole run, after which it gives up */
    bool keep_logs;  /* also when everything held */
} chaos_options_t;

/* The publisher thread. */
typedef struct {
    /* Set before it starts. */
    publish_client_t *client;
    const int64_t *load_tasks, *deadline_tasks;
    int rate;
    long capacity; /* messages it may send at most */
    /* Control and progress (atomics: read by the main thread). */
    atomic_bool stop;
    atomic_bool finished; /* stopped and drained */
    atomic_long sent, acked, failed;
    atomic_llong last_ack_ms;
    /* Per message (its number is its tag), the thread's own until finished. */
    unsigned char *answers; /* finished results (1 expected) */
    unsigned char *code;    /* the result's error code (0: stored) */
    int64_t *stored_id;     /* the stored update or measurement */
    atomic_long resent, duplicates;
    long send_failures;
    char first_failure[640];
} chaos_pub_t;

/* What a message is: a task update (of a load task, or progress of a
 * deadline task) or a measurement. */
typedef enum {
    CHAOS_MSG_UPDATE,
    CHAOS_MSG_PROGRESS,
    CHAOS_MSG_MEASUREMENT,
} chaos_msg_kind_t;

chaos_msg_kind_t chaos_msg_kind(long i);
/* A measurement's number (0, 1, 2...) and the value it carries; the value
 * gives the number back (-1: not one of ours). */
long chaos_measurement_number(long i);
double chaos_measurement_value(long m);
long chaos_measurement_of_value(double value);

/* A feed reader (one person). */
typedef struct {
    const char *person;
    keyfile_t key;
    bool acks; /* acknowledges what it read */
    curve_dealer_t cd;
    bool open;
    uint64_t last; /* the last entry taken in order */
    uint32_t credit;
    int64_t last_rx_ms, asked_ms;
    int silent_asks;
    uint64_t ack_pending; /* seq of the acknowledgement awaiting its reply (0: none) */
    int64_t ack_sent_ms;
    atomic_ullong acked; /* the highest seq acknowledged */
    atomic_ullong seen;  /* = last, for the main thread */
    long entries, redelivered, gaps, asks, reconnects, acks_ok, acks_refused, acks_lost, errors;
    long escalations_stopped;
    char first_gap[200];
} chaos_reader_t;

typedef struct {
    chaos_reader_t r[CHAOS_READERS];
    int n;
    atomic_bool stop;
    atomic_bool hold_acks; /* the main thread lets acknowledgements pile up */
} chaos_readers_t;

/* The requester thread: task updates (and now and then a plan import)
 * through the registry's request endpoint, as the CLI sends them, one at a
 * time. */
typedef struct {
    char endpoint[64];
    const int64_t *tasks;
    int per_second;
    long capacity;
    atomic_bool stop;
    atomic_long sent;
    unsigned char *outcome; /* per request: CHAOS_REQ_* */
    long resent;            /* answered after more than one attempt (slow) */
    char first_problem[400];
} chaos_req_t;

enum { CHAOS_REQ_NONE, CHAOS_REQ_OK, CHAOS_REQ_ERROR, CHAOS_REQ_SILENT };

/* Request i imports a plan ("C<i/100>/KH-UBND") rather than updating a task. */
bool chaos_request_is_import(long i);

/* The clock thread: moves the deadline service's manual clock. */
typedef struct {
    char endpoint[64];
    int64_t from, to;          /* seconds since the epoch */
    int64_t start_ms, span_ms; /* it reaches `to` span_ms after start_ms */
    int tick_ms;
    atomic_bool stop, hold;      /* hold: the deadline service is down, no calls */
    atomic_long ticks, failures; /* calls answered, calls not answered */
    atomic_llong now;            /* the last time set */
    atomic_long transitions;     /* the service's count of transitions its sweeps wrote */
} chaos_clock_t;

/* Bad traffic: what was sent and how it was answered. */
typedef struct {
    long frames;     /* sent (frames, raw connections, handshakes) */
    long answered;   /* got the error reply they should */
    long silent;     /* got nothing, as they should (dropped, refused) */
    long unexpected; /* anything else */
    char first_unexpected[400];
} chaos_bad_t;

/* Everything the run made. */
typedef struct {
    chaos_options_t opt;
    char db[64], dir[128];
    harness_service_t registry, deadline, notify, scoring;
    keyfile_t publisher_key, bad_publisher_key, bad_person_key;
    int64_t load_tasks[CHAOS_LOAD_TASKS], deadline_tasks[CHAOS_DEADLINE_TASKS];
    int64_t consultations[CHAOS_CONSULTATIONS]; /* the last CHAOS_ANSWERED get answered */
    int64_t t0_ms;
    atomic_bool pg_stopped;
    chaos_pub_t pub;
    chaos_readers_t readers;
    chaos_clock_t clock;
    chaos_req_t req;
    pthread_t pub_thread, readers_thread, clock_thread, req_thread;
    void *pub_ctx; /* the publish client's */
    chaos_bad_t bad;
    unsigned random; /* from the seed: the faults' timing */
    int violations;
} chaos_t;

/* ---- chaos.c ---- */
int64_t chaos_now_ms(void);
void chaos_sleep_ms(int ms);
/* A line of the run's story: "[  12.3s] ..." on stdout. */
void chaos_say(const chaos_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- chaos_load.c ---- */
void *chaos_publish(void *arg);    /* a chaos_pub_t */
void *chaos_read_feeds(void *arg); /* a chaos_readers_t */
void *chaos_move_clock(void *arg); /* a chaos_clock_t */
void *chaos_request(void *arg);    /* a chaos_req_t */
/* Where the clock should be now on its straight line. */
int64_t chaos_clock_position(const chaos_clock_t *c);
/* "YYYY-MM-DDTHH:MM" (UTC+7) <-> seconds since the epoch. */
int64_t chaos_instant(const char *text);
void chaos_instant_text(int64_t t, char out[32]);

/* ---- chaos_bad.c ---- */
/* Sends malformed traffic to every endpoint of every service and checks
 * each gets the answer it should, and the services still answer a ping.
 * Adds to w->bad; returns the unexpected answers of this burst. */
long chaos_bad_burst(chaos_t *w);

/* ---- chaos_check.c ---- */
/* Waits (bounded) until every consumer has applied every event and the
 * readers have read their feeds to the end. Returns the milliseconds it
 * took, or -1 if the bound passed. */
long chaos_wait_caught_up(chaos_t *w, int max_ms, bool readers);
/* Checks and prints every invariant; returns how many were broken. */
int chaos_check_all(chaos_t *w);

#endif
