/* notify_text.h - what a feed entry says, in Vietnamese
 *
 * One sentence per entry, dates as dd/mm/yyyy, the task's title and plan
 * quoted as the plan wrote them:
 *   «Nhiệm vụ “Tổ chức đối thoại với cá nhân, tổ chức về TTHC” (Kế hoạch
 *    104/KH-UBND) của Bộ phận Một cửa đã quá hạn 3 ngày làm việc (hạn
 *    01/07/2024).»
 * Pure: no database, no clock. Every function writes into a caller's buffer
 * (cut, never overrun) and returns it.
 */
#ifndef PARTRACK_NOTIFY_TEXT_H
#define PARTRACK_NOTIFY_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* What a due occurrence is about. */
typedef struct {
    const char *title;       /* the task's title */
    const char *plan_number; /* "104/KH-UBND" */
    const char *unit_name;   /* the lead unit's name ("Bộ phận Một cửa") */
    const char *due_date;    /* YYYY-MM-DD (effective), or NULL */
    int workdays_overdue;    /* escalated: working days past due */
    /* A report chain's next deadline this one threatens (NULL: none). */
    const char *threat_title, *threat_plan, *threat_due;
} notify_task_t;

/* A level reached: due_soon, due, overdue, escalated or stale. NULL if the
 * level is none of those. */
const char *notify_text_level(const notify_task_t *t, const char *level, char *buf, size_t len);

/* A due date moved (new_due NULL: the occurrence was removed by a new
 * deadline). */
const char *notify_text_moved(const notify_task_t *t, const char *old_due, const char *new_due,
                              char *buf, size_t len);

/* A consultation no one answered in time: deemed agreed. */
const char *notify_text_deemed(const char *subject, const char *from_name, const char *to_name,
                               const char *due, char *buf, size_t len);

/* A new task assigned to the unit, with its deadline as the plan words it
 * (NULL: none). */
const char *notify_text_assigned(const notify_task_t *t, const char *deadline_text, char *buf,
                                 size_t len);

/* A task's status changed by an update: done, cancelled, or open again
 * (status "open"). `on` is the date it happened (YYYY-MM-DD…: the
 * completion time for done, else when the update was recorded), `by` who
 * recorded it. NULL if the status is none of those. */
const char *notify_text_status(const notify_task_t *t, const char *status, const char *on,
                               const char *by, char *buf, size_t len);

/* A unit's PAR Index score published by the scoring service: locked
 * (reason "locked") or moved from `previous` (has_previous). Numbers with a
 * decimal comma, as Vietnamese documents write them. */
const char *notify_text_score(const char *unit_name, int year, double score, const char *grade,
                              const char *reason, bool has_previous, double previous, char *buf,
                              size_t len);

/* YYYY-MM-DD as dd/mm/yyyy into out (the input unchanged if it is not a
 * date). */
const char *notify_date_vn(const char *iso, char out[16]);

#endif
