/* scoring_bind.h - `partrack score bind`: scheme keys bound to real tasks and plans
 *
 *   MSG_SCORE_BIND  with a key and a task id (a deliverable's task key) or a
 *                   plan number and issuing unit (a plan_completion's plan
 *                   key; the unit itself by default): stores the binding for
 *                   the unit-year, audited (what "binding"), and recomputes
 *                   the unit with the outcome the deadline service's data
 *                   gives (scoring_outcomes.h). Binding a key again to
 *                   another task or plan moves it; to the same one changes
 *                   nothing. Refused on a locked score (ERR_CONFLICT), for a
 *                   key no scheme of the year for the unit's kind has as a
 *                   deliverable task or plan_completion plan (ERR_INVALID),
 *                   for an unknown unit (ERR_NOT_FOUND).
 *                   Without a task or plan: lists the unit-year's bindings.
 * The reply (ScoreBindReply) lists the unit-year's bindings with their
 * outcomes, after COMMIT.
 */
#ifndef PARTRACK_SCORING_BIND_H
#define PARTRACK_SCORING_BIND_H

#include "rpc.h"
#include "scoring_engine.h"

/* Serves one MSG_SCORE_BIND request. */
void scoring_bind_handle(scoring_engine_t *engine, rpc_server_t *rpc, rpc_request_t *req);

/* Whether a key of that kind ("task" for `score set --outcome`, "plan" for
 * `--plan`) is bound for the unit-year: 1 yes, 0 no, -1 failure. */
int scoring_bind_is_bound(scoring_engine_t *engine, const char *unit, int year, const char *kind,
                          const char *key);

#endif
