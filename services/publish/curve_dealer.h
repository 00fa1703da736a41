/* curve_dealer.h - a DEALER over CURVE that hears how its handshakes end
 *
 * The client side of partrack's CURVE endpoints (the registry's ingest
 * endpoint, notify's feed endpoint): a DEALER with a key file's keypair and
 * the server key it names, plus a socket monitor (an inproc PAIR) that
 * reports each handshake's outcome. The monitor is what turns a refused key
 * into an answer: the server's ZAP handler refusing the key (status 400) is
 * otherwise silence for the client, and libzmq gives such a socket up.
 *
 * The DEALER has no linger, no high-water mark (what is sent waits in its
 * queue until a connection takes it), a capped message size, and reconnects
 * by itself at most a second apart. A handshake not done within
 * handshake_ms is started again by libzmq, keeping the queue.
 */
#ifndef PARTRACK_CURVE_DEALER_H
#define PARTRACK_CURVE_DEALER_H

#include "keyfile.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    void *socket;  /* the DEALER */
    void *monitor; /* the PAIR reading its handshake events, or NULL (none could be made) */
} curve_dealer_t;

/* How a handshake ended, from the monitor. */
typedef enum {
    CURVE_DEALER_NONE,        /* nothing (more) to report */
    CURVE_DEALER_UP,          /* succeeded: the server accepted the key */
    CURVE_DEALER_REFUSED,     /* the server's ZAP handler refused the key (status 400): for good */
    CURVE_DEALER_AUTH_FAILED, /* another ZAP status (300: the server could not check the key);
                                 libzmq gives the socket up: replace it to try again */
    CURVE_DEALER_PROTOCOL,    /* a protocol error (not a CURVE endpoint?); socket given up */
    CURVE_DEALER_TIMEOUT,     /* did not complete in time; libzmq tries again by itself */
    CURVE_DEALER_DROPPED,     /* the server closed the connection during the handshake (a
                                 wrong server key?); libzmq tries again by itself */
} curve_dealer_event_t;

/* Opens d: a DEALER on zmq_ctx with key's public, secret and server keys,
 * its monitor, and connects it to endpoint. Returns 0, or -1 with a reason
 * in err (d left closed). Close with curve_dealer_close. */
int curve_dealer_open(curve_dealer_t *d, void *zmq_ctx, const keyfile_t *key, const char *endpoint,
                      int handshake_ms, int64_t max_msg_bytes, char *err, size_t errlen);

/* Closes the monitor and the socket (what is queued is dropped). Takes a
 * closed d. */
void curve_dealer_close(curve_dealer_t *d);

/* The next handshake event, without waiting: CURVE_DEALER_NONE when there
 * is none (or no monitor). *value gets the event's value (the ZAP status,
 * the protocol error, the errno), if value is not NULL. */
curve_dealer_event_t curve_dealer_event(curve_dealer_t *d, uint32_t *value);

#endif
