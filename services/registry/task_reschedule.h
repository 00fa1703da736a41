/* task_reschedule.h - a task's deadline changed after its plan was imported
 *
 * A later document extends a deadline ("Văn bản số 12/UBND-VP gia hạn đến
 * 30/9/2024"), brings it forward or rephrases it. The new text is cleaned
 * like a plan cell, read by the deadline library for the plan's year on the
 * registry's calendar, and stored with its schedule, an audit row and a
 * TaskRescheduled event, from which the deadline service recomputes the
 * task's occurrences. A text the library cannot read is refused with its
 * reason: unlike a cell of an imported plan, the user typing it can fix it.
 * A new deadline restarts any event wait (triggered_on is cleared).
 */
#ifndef PARTRACK_TASK_RESCHEDULE_H
#define PARTRACK_TASK_RESCHEDULE_H

#include "db.h"
#include "plans.pb-c.h"
#include "problems.h"
#include "workcal.h"

#include <stdint.h>

/* In the caller's transaction: 1 done, 0 no such task, 2 refused (problem
 * added: not open, empty or unchanged text, a text that does not read as a
 * deadline for the plan's year), -1 database failure. */
int task_reschedule(db_t *db, const workcal_t *cal, const Partrack__TaskRescheduleRequest *req,
                    const char *actor, problems_t *problems, int64_t *last_event);

#endif
