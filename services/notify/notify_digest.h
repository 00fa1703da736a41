/* notify_digest.h - each person's daily digest
 *
 * Once a day, at the time the person chose (notify.digest_setting; default
 * 07:30 in UTC+7), everyone who reads a feed (holds a key) gets one entry
 * summing up their unit's open deadlines (a head's: also those of every unit
 * under theirs): how many are overdue, due today and due within 7 days,
 * with the overdue ones named. Time is the deadline
 * service's clock (so a manual clock drives it in tests and drills), and the
 * figures are the deadline service's own answer (DueList for the unit). A
 * digest is written once a day per person (dedupe "digest:DAY"), also after
 * a restart; a person with nothing open gets none.
 */
#ifndef PARTRACK_NOTIFY_DIGEST_H
#define PARTRACK_NOTIFY_DIGEST_H

#include "db.h"
#include "rpc.h"

/* Writes the digests that are due now. Returns how many, or -1 when the
 * database or the deadline service failed (tried again next time). */
long notify_digest_run(db_t *db, void *zmq_ctx, const char *deadline_endpoint);

/* Handles MSG_DIGEST (show, set the time, turn off/on); false for other
 * types. */
bool notify_digest_handle(db_t *db, rpc_server_t *rpc, rpc_request_t *req);

#endif
