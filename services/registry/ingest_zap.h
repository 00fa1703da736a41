/* ingest_zap.h - who may connect to the ingest endpoint (ZAP, RFC 27)
 *
 * libzmq asks the ZAP handler (a REP socket on inproc://zeromq.zap.01 of the
 * endpoint's context) about every CURVE handshake. A client is let in when
 * its public key belongs to a publisher that is not revoked; the answer's
 * User-Id is that key in Z85, which every message of the connection then
 * carries (zmq_msg_gets "User-Id"), so messages are authorized from the
 * connection, never from their payload. The key is looked up at each
 * handshake: a revocation takes effect at the next connection. With
 * ZMQ_ZAP_ENFORCE_DOMAIN on the endpoint, a handshake with no handler, or
 * for another domain, fails.
 */
#ifndef PARTRACK_INGEST_ZAP_H
#define PARTRACK_INGEST_ZAP_H

#include "db.h"

#define INGEST_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define INGEST_ZAP_DOMAIN   "partrack-ingest"

/* Reads one ZAP request waiting on `zap` and answers it: 200 for a known,
 * active publisher's key, 400 for anything else, 300 (try again) when the
 * database cannot tell. Returns 0, or -1 if the socket failed. */
int ingest_zap_answer(void *zap, db_t *db);

#endif
