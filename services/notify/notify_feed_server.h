/* notify_feed_server.h - the feed endpoint: each person reads their feed
 *
 * A ROUTER over CURVE (its keypair in notify.feed_key, made at the first
 * start) whose ZAP lookup lets in the current key of a person
 * (notify.person_key) and names the person as the connection's User-Id: a
 * person's key reads only that person's feed. A client sends FeedRequest
 * {since, credit}: the entries after `since` are sent (FeedEntry, oldest
 * first) while credit lasts, the stored ones at once and new ones as the
 * consumer writes them (notify_feed_server_push); sending FeedRequest again
 * resets position and credit. FeedAck {seq} acknowledges every entry up to
 * seq; for the ones at an escalating level (due, overdue) the deadline
 * service is told first (DueAck: no escalation of that occurrence past that
 * level), so the acknowledgement is only recorded once it holds there. The
 * endpoint is served from the notify loop (notify_server.h).
 */
#ifndef PARTRACK_NOTIFY_FEED_SERVER_H
#define PARTRACK_NOTIFY_FEED_SERVER_H

#include "db.h"

#include <stddef.h>
#include <zmq.h>

#define NOTIFY_FEED_DOMAIN "partrack-feed"

typedef struct notify_feed_server notify_feed_server_t;

/* Binds the endpoint and the ZAP handler on zmq_ctx (borrowed). Acks are
 * passed to the deadline service at deadline_endpoint. */
notify_feed_server_t *notify_feed_server_new(void *zmq_ctx, db_t *db, const char *endpoint,
                                             const char *deadline_endpoint, size_t max_msg_bytes,
                                             char *errbuf, size_t errlen);
void notify_feed_server_destroy(notify_feed_server_t **self_p);

/* The two sockets to poll: [0] the ZAP handler, [1] the feed ROUTER. */
void notify_feed_server_poll_items(notify_feed_server_t *self, zmq_pollitem_t items[2]);

/* Serves what the poll found ready. */
void notify_feed_server_serve(notify_feed_server_t *self, const zmq_pollitem_t items[2]);

/* Sends new entries to the clients still holding credit. With more than
 * one such client, the feeds' heads are asked first (one query), so a
 * reader whose feed did not grow costs nothing more. */
void notify_feed_server_push(notify_feed_server_t *self);

/* The endpoint's public key (Z85), for key files. */
const char *notify_feed_server_public_key(const notify_feed_server_t *self);

#endif
