/* curve_dealer.c - a DEALER over CURVE that hears how its handshakes end
 *
 * The monitor's address is an inproc name made of the process id, the
 * dealer's address and a counter, so sockets opened again (or by several
 * clients, in several threads) never share one. Without a monitor the
 * socket still works; its caller then learns of the connection only from
 * replies.
 */
#include "curve_dealer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

void curve_dealer_close(curve_dealer_t *d)
{
    if (d->monitor) {
        zmq_socket_monitor(d->socket, NULL, 0);
        zmq_close(d->monitor);
        d->monitor = NULL;
    }
    if (d->socket) {
        zmq_close(d->socket);
        d->socket = NULL;
    }
}

static void monitor_open(curve_dealer_t *d, void *zmq_ctx)
{
    static atomic_uint counter;
    char address[128];
    int linger = 0;
    snprintf(address, sizeof address, "inproc://partrack-curve-%d-%p-%u", (int)getpid(), (void *)d,
             atomic_fetch_add(&counter, 1));
    int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    if (zmq_socket_monitor(d->socket, address, events) != 0)
        return;
    d->monitor = zmq_socket(zmq_ctx, ZMQ_PAIR);
    if (d->monitor) {
        zmq_setsockopt(d->monitor, ZMQ_LINGER, &linger, sizeof linger);
        if (zmq_connect(d->monitor, address) != 0) {
            zmq_close(d->monitor);
            d->monitor = NULL;
        }
    }
    if (!d->monitor)
        zmq_socket_monitor(d->socket, NULL, 0);
}

int curve_dealer_open(curve_dealer_t *d, void *zmq_ctx, const keyfile_t *key, const char *endpoint,
                      int handshake_ms, int64_t max_msg_bytes, char *err, size_t errlen)
{
    int linger = 0, hwm = 0, reconnect_max = 1000;
    d->socket = zmq_socket(zmq_ctx, ZMQ_DEALER);
    d->monitor = NULL;
    if (!d->socket ||
        zmq_setsockopt(d->socket, ZMQ_CURVE_SERVERKEY, key->server_key, KEYFILE_Z85_LEN) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_CURVE_PUBLICKEY, key->public_key, KEYFILE_Z85_LEN) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_CURVE_SECRETKEY, key->secret_key, KEYFILE_Z85_LEN) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_MAXMSGSIZE, &max_msg_bytes, sizeof max_msg_bytes) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_HANDSHAKE_IVL, &handshake_ms, sizeof handshake_ms) != 0 ||
        zmq_setsockopt(d->socket, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max) !=
            0) {
        snprintf(err, errlen, "cannot make a CURVE socket: %s", zmq_strerror(zmq_errno()));
        goto fail;
    }
    monitor_open(d, zmq_ctx);
    if (zmq_connect(d->socket, endpoint) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto fail;
    }
    return 0;
fail:
    curve_dealer_close(d);
    return -1;
}

curve_dealer_event_t curve_dealer_event(curve_dealer_t *d, uint32_t *value)
{
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (!d->monitor || zmq_msg_recv(&m, d->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return CURVE_DEALER_NONE;
        }
        uint16_t event = 0;
        uint32_t v = 0;
        if (zmq_msg_size(&m) >= 6) {
            memcpy(&event, zmq_msg_data(&m), sizeof event);
            memcpy(&v, (const char *)zmq_msg_data(&m) + 2, sizeof v);
        }
        bool more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        while (more) { /* the endpoint's address */
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, d->monitor, 0) < 0) {
                zmq_msg_close(&m);
                return CURVE_DEALER_NONE;
            }
            more = zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        if (value)
            *value = v;
        switch (event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return CURVE_DEALER_UP;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            return v == 400 ? CURVE_DEALER_REFUSED : CURVE_DEALER_AUTH_FAILED;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return CURVE_DEALER_PROTOCOL;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            return v == EAGAIN ? CURVE_DEALER_TIMEOUT : CURVE_DEALER_DROPPED;
        default: break; /* not one asked for: the next */
        }
    }
}
