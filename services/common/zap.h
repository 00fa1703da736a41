/* zap.h - answering ZAP requests (RFC 27) for a CURVE endpoint
 *
 * libzmq asks the ZAP handler (a REP socket bound to inproc://zeromq.zap.01
 * on the endpoint's context) about every CURVE handshake. zap_answer reads
 * one request and answers it with what `lookup` says of the client's public
 * key: let in (200) with a User-Id, refused (400), or cannot tell now (300,
 * the client tries again). The User-Id is what every message of the
 * connection then carries (zmq_msg_gets "User-Id"), so messages are
 * authorized from the connection, never from their payload. Requests for
 * another domain or mechanism are refused. Endpoints set ZMQ_ZAP_DOMAIN and
 * ZMQ_ZAP_ENFORCE_DOMAIN so that no handshake passes without this handler.
 */
#ifndef PARTRACK_ZAP_H
#define PARTRACK_ZAP_H

#include <stddef.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

typedef enum { ZAP_ALLOW = 200, ZAP_RETRY = 300, ZAP_DENY = 400 } zap_status_t;

/* Says who holds the CURVE public key `key` (Z85): ZAP_ALLOW with the
 * User-Id (and a name for the log) written into user_id / name, or
 * ZAP_DENY, or ZAP_RETRY when it cannot tell now. */
typedef zap_status_t (*zap_lookup_fn)(const char *key, char *user_id, size_t user_len, char *name,
                                      size_t name_len, void *arg);

/* Makes `socket` a CURVE server with the secret key (Z85) for `domain`,
 * with ZMQ_ZAP_ENFORCE_DOMAIN on (a draft option in libzmq 4.3; without it
 * unknown keys get in when no handler answers). Before bind. 0 or -1. */
int zap_curve_server(void *socket, const char *secret_z85, const char *domain);

/* Reads one ZAP request waiting on `zap` and answers it for `domain`.
 * Returns 0, or -1 if the socket failed. */
int zap_answer(void *zap, const char *domain, zap_lookup_fn lookup, void *arg);

#endif
