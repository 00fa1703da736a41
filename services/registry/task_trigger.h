/* task_trigger.h - the event an event task waits for has happened
 *
 * A task whose deadline counts from an event ("Sau khi Sở Nội vụ triển
 * khai", "trong 05 ngày làm việc kể từ khi nhận được văn bản") waits until
 * someone says the event happened: the date is stored with an audit row and a
 * TaskTriggered event, from which the deadline service starts its clock. An
 * update on such a task (progress, a note) is the first sign that its event
 * happened, so it starts the clock too, on the day it is recorded.
 */
#ifndef PARTRACK_TASK_TRIGGER_H
#define PARTRACK_TASK_TRIGGER_H

#include "db.h"
#include "plans.pb-c.h"
#include "problems.h"

#include <stddef.h>
#include <stdint.h>

/* In the caller's transaction: 1 done, 0 no such task, 2 refused (problem
 * added: not an event task, not open, already triggered, bad date), -1
 * database failure. */
int task_trigger(db_t *db, const Partrack__TaskTriggerRequest *req, const char *actor,
                 problems_t *problems, int64_t *last_event);

/* After tasks ids[0..n) were updated, in the same transaction: each open
 * event task not yet triggered is triggered on today's date (UTC+7), with
 * its audit row and TaskTriggered event. Returns 0, or -1 (database
 * failure). */
int task_trigger_by_updates(db_t *db, const int64_t *ids, size_t n, const char *actor,
                            int64_t *last_event);

#endif
