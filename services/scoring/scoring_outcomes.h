/* scoring_outcomes.h - deliverable and plan-completion facts from the deadline service
 *
 * A binding (scoring.binding, `partrack score bind`) says which real task a
 * scheme's deliverable key, or which plan (number and issuing unit) a
 * plan_completion key, means for a unit and year. Its outcome is computed
 * from the deadline service's documented view deadline.outcomes, as of that
 * service's clock (`as_of`), over the occurrences due in the year (by the
 * date the plan gives, else the effective one):
 *   task: none due → no outcome (the leaf scores as without the fact);
 *         any cancelled, or any still open once both its due date and the
 *         year are over → missing; else any done late → late; else any open
 *         past its due date → no outcome yet (it will be late or missing);
 *         else any done on time → on_time (those not yet due do not count
 *         yet); else no outcome.
 *   plan: of the newest plan of that number and unit with occurrences due in
 *         the year (a replaced plan's cancelled tasks do not count), the
 *         tasks with any, and how many had every such occurrence done on
 *         time; none → no outcome.
 * The outcome is kept on the binding, audited (actor "deadline") when it
 * changes, and overlaid on the unit-year's facts whenever the unit is
 * computed: a bound key's outcome wins over a fact of that key set by hand
 * or imported (which is kept, but does not count while the key is bound).
 * Explanations of bound leaves end with "(theo dõi thời hạn)".
 *
 * A locked unit-year is never changed by an outcome: it is logged
 * ("outcome skipped ... reason=locked") and the binding keeps its old
 * outcome.
 *
 * Everything runs inside the caller's open transaction.
 */
#ifndef PARTRACK_SCORING_OUTCOMES_H
#define PARTRACK_SCORING_OUTCOMES_H

#include "events.h"
#include "scoring_engine.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* What the explanation of a bound leaf ends with. */
#define SCORING_OUTCOMES_MARK " (theo dõi thời hạn)"

/* Recomputes the bound outcomes of the unit-year, stores and audits those
 * that changed, and recomputes the unit when any did (always with `force`).
 * `evidence` says what caused it (audit). *recomputed (may be NULL) is
 * increased by the scores written. 0, or -1 with err. */
int scoring_outcomes_refresh(scoring_engine_t *e, const char *unit, int year, bool force,
                             const char *evidence, long *recomputed, char *err, size_t errlen);

/* Replaces the facts of bound keys in a unit-year's facts document (an
 * in-memory copy: nothing is stored): deliverables.KEY and plans.KEY take
 * the bound outcome, or are removed while it has none. *bound (may be NULL)
 * gets a new object {"task": {KEY: true...}, "plan": {...}} of the bound
 * keys. 0 or -1. */
int scoring_outcomes_overlay(db_t *db, const char *unit, int year, json_t *doc, json_t **bound);

/* The deadline service's events (an events_handler_fn; arg is a
 * scoring_ingest_t): OccurrenceClosed, DueTransition (overdue, escalated)
 * and DueRecomputed refresh the unit-years whose bindings name the task or
 * its plan. */
int scoring_outcomes_event(db_t *db, const event_t *event, void *arg);

/* An events_flush_fn (arg a scoring_ingest_t): once the deadline service's
 * clock is in a new year, refreshes every unit-year of the years that have
 * ended since the last time (tasks left open become missing). */
int scoring_outcomes_year_end(db_t *db, void *arg);

#endif
