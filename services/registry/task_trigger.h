/* task_trigger.h - the event an event task waits for has happened
 *
 * A task whose deadline counts from an event ("Sau khi Sở Nội vụ triển
 * khai", "trong 05 ngày làm việc kể từ khi nhận được văn bản") waits until
 * someone says the event happened: the date is stored with an audit row and a
 * TaskTriggered event, from which the deadline service starts its clock.
 */
#ifndef PARTRACK_TASK_TRIGGER_H
#define PARTRACK_TASK_TRIGGER_H

#include "db.h"
#include "plans.pb-c.h"
#include "problems.h"

#include <stdint.h>

/* In the caller's transaction: 1 done, 0 no such task, 2 refused (problem
 * added: not an event task, not open, already triggered, bad date), -1
 * database failure. */
int task_trigger(db_t *db, const Partrack__TaskTriggerRequest *req, const char *actor,
                 problems_t *problems, int64_t *last_event);

#endif
