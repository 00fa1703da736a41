/* monitor_policy.h - how early each plan's occurrences are due soon
 *
 * The service's default (PARTRACK_DEADLINE_DUE_SOON_DAYS, 7) holds unless a
 * plan has its own: `partrack due policy --plan NUMBER [--unit CODE]
 * --soon-days N` stores it in deadline.plan_policy by issuing unit and
 * number (so it holds for a plan that replaces it, and may be set before the
 * plan is imported), copies it onto the plan's tasks (deadline.task
 * .due_soon_days, read wherever levels are computed) and moves the next step
 * of the plan's open occurrences: one that is due soon by the new count gets
 * its transition from the next sweep; one that no longer is keeps its level
 * (a reminder sent is not taken back). `--default` goes back to the
 * service's default.
 */
#ifndef PARTRACK_MONITOR_POLICY_H
#define PARTRACK_MONITOR_POLICY_H

#include "db.h"
#include "deadline.pb-c.h"
#include "due_levels.h"
#include "workcal.h"

#include <stddef.h>
#include <stdint.h>

/* Most days before its due date an occurrence may be due soon. */
#define MONITOR_SOON_DAYS_MAX 90

typedef enum {
    MONITOR_POLICY_OK = 0,
    MONITOR_POLICY_INVALID,   /* bad request (reason in errbuf) */
    MONITOR_POLICY_NOT_FOUND, /* no such plan known, no unit given */
    MONITOR_POLICY_AMBIGUOUS, /* several units have a plan of that number */
    MONITOR_POLICY_DB_FAILED,
} monitor_policy_result_t;

/* Shows, sets or resets a plan's due-soon days, in its own
 * transaction when it changes something. Fills reply (strings borrowed from
 * req or owned by `unit_buf`, which must outlive the reply). */
monitor_policy_result_t monitor_policy_request(db_t *db, const workcal_t *cal,
                                               const due_policy_t *base,
                                               const Partrack__DuePolicyRequest *req,
                                               Partrack__DuePolicyReply *reply, char *unit_buf,
                                               size_t unit_len, char *errbuf, size_t errlen);

#endif
