/* zap.c - answering ZAP requests for a CURVE endpoint (see the header) */

/* ZMQ_ZAP_ENFORCE_DOMAIN is still a draft option in libzmq 4.3 (Debian's
 * build has it). Defined before any header includes zmq.h. */
#define ZMQ_BUILD_DRAFT_API
#include "zap.h"

#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define ZAP_FRAMES 7 /* version, id, domain, address, identity, mechanism, key */
#define Z85_KEY    40

static int send_frame(void *zap, const char *text, bool more)
{
    return zmq_send(zap, text, strlen(text), more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

static int reply(void *zap, zmq_msg_t *request_id, const char *status, const char *text,
                 const char *user_id)
{
    if (send_frame(zap, "1.0", true) < 0 ||
        zmq_send(zap, zmq_msg_data(request_id), zmq_msg_size(request_id), ZMQ_SNDMORE) < 0 ||
        send_frame(zap, status, true) < 0 || send_frame(zap, text, true) < 0 ||
        send_frame(zap, user_id, true) < 0 || send_frame(zap, "", false) < 0)
        return -1;
    return 0;
}

int zap_curve_server(void *socket, const char *secret_z85, const char *domain)
{
    int one = 1;
    return zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, sizeof one) == 0 &&
                   zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret_z85, Z85_KEY) == 0 &&
                   zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) == 0 &&
                   zmq_setsockopt(socket, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one) == 0
               ? 0
               : -1;
}

int zap_answer(void *zap, const char *domain, zap_lookup_fn lookup, void *arg)
{
    zmq_msg_t frames[ZAP_FRAMES];
    int n = 0;
    bool more = true;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, zap, 0) < 0) {
            zmq_msg_close(&m);
            for (int i = 0; i < n; i++)
                zmq_msg_close(&frames[i]);
            return -1;
        }
        more = zmq_msg_more(&m);
        if (n < ZAP_FRAMES)
            frames[n++] = m;
        else
            zmq_msg_close(&m);
    }
    if (n < 6) { /* no request id to answer with: libzmq never sends this */
        for (int i = 0; i < n; i++)
            zmq_msg_close(&frames[i]);
        return 0;
    }
    char mechanism[16], asked[64], key[Z85_KEY + 1] = "", user_id[256] = "", name[128] = "";
    snprintf(asked, sizeof asked, "%.*s", (int)zmq_msg_size(&frames[2]),
             (const char *)zmq_msg_data(&frames[2]));
    snprintf(mechanism, sizeof mechanism, "%.*s", (int)zmq_msg_size(&frames[5]),
             (const char *)zmq_msg_data(&frames[5]));
    zap_status_t status = ZAP_DENY;
    const char *text = "not a CURVE handshake for this endpoint";
    if (strcmp(asked, domain) == 0 && strcmp(mechanism, "CURVE") == 0 && n == ZAP_FRAMES &&
        zmq_msg_size(&frames[6]) == 32) {
        zmq_z85_encode(key, zmq_msg_data(&frames[6]), 32);
        status = lookup(key, user_id, sizeof user_id, name, sizeof name, arg);
        text = status == ZAP_ALLOW   ? "OK"
               : status == ZAP_RETRY ? "cannot tell now, try again"
                                     : "unknown or revoked key";
    }
    if (status == ZAP_ALLOW)
        log_debug("connected", "domain=%s who=\"%s\"", domain, name);
    else
        log_warn("connection refused", "domain=%s reason=\"%s\" key=\"%s\"", domain, text, key);
    char code[8];
    snprintf(code, sizeof code, "%d", (int)status);
    int rc = reply(zap, &frames[1], code, text, status == ZAP_ALLOW ? user_id : "");
    for (int i = 0; i < n; i++)
        zmq_msg_close(&frames[i]);
    return rc;
}
