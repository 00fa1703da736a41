/* publish_jsonl.h - one JSON line into a TaskUpdate or a Measurement
 *
 * The file format of `partrack publish`: one JSON object a line, each one
 * message with its own idempotency key:
 *
 *   {"type":"task_update","key":"K","task_id":12,"progress":50,
 *    "status":"done","completed_at":"2024-06-28T16:00:00+07:00",
 *    "evidence":["12/BC-UBND"],"note":"..."}
 *   {"type":"task_update","key":"K","plan_number":"104/KH-UBND",
 *    "plan_unit":"HN.HADONG.PHULAM","ordinal":"II.3","progress":50}
 *   {"type":"measurement","key":"K","unit":"HN.HADONG.PHULAM",
 *    "indicator":"dossiers_online_l3","period":"2024","numerator":762,
 *    "denominator":4080}                       (or "value": 18.7)
 *
 * "type" and "key" are required. A task update names its task by task_id or
 * by plan_number, plan_unit and ordinal (not both) and changes at least one
 * of progress (an integer 0-100), status (open, done, cancelled),
 * completed_at (RFC 3339 or YYYY-MM-DD, at or after 1970), evidence (an array of strings),
 * note. A measurement has unit, indicator ([a-z][a-z0-9_.]*, at most 64),
 * period (2024, 2024-Q1, 2024-H1, 2024-06) and a value or a numerator with
 * a positive denominator. An optional field may be null (= absent). Unknown
 * fields are refused, so a misspelt one is caught instead of dropped.
 * Everything the registry can check without its data is checked here; what
 * needs its data (the task, the unit, the publisher's scope) it checks.
 *
 * Every problem of a line is reported, each as "FILE:LINE: field: what"
 * (a problem of the whole line has no field).
 */
#ifndef PARTRACK_PUBLISH_JSONL_H
#define PARTRACK_PUBLISH_JSONL_H

#include "envelope.pb-c.h"
#include "ingest.pb-c.h"
#include "problems.h"

#include <stddef.h>

/* One message read from a line. All strings are owned (malloc'd). */
typedef struct {
    Partrack__MessageType type; /* MSG_INGEST_TASK_UPDATE or MSG_INGEST_MEASUREMENT */
    char *key;                  /* the idempotency key, 1 to 128 bytes */
    Partrack__TaskUpdate update;
    Partrack__Measurement measurement;
} publish_line_t;

/* Reads line number `line` of `file`: text[0..len), without its newline (a
 * trailing CR is ignored, and a UTF-8 byte order mark on line 1). Returns 1
 * with *out filled (free with publish_line_clear), 0 for a blank line
 * (nothing to send), or -1 with every problem of the line added to
 * *problems; on 0 and -1 *out holds nothing to free. Runs out of memory
 * only as -1 with a problem saying so. */
int publish_jsonl_read(const char *file, unsigned line, const char *text, size_t len,
                       publish_line_t *out, problems_t *problems);

/* The message to send: &update.base or &measurement.base. */
const ProtobufCMessage *publish_line_payload(const publish_line_t *l);

/* Frees what *l owns and zeroes it; takes a zeroed line too. */
void publish_line_clear(publish_line_t *l);

/* A problem as "FILE:LINE: field: what" (no field: "FILE:LINE: what";
 * line 0: "FILE: ..."). Returns what snprintf returns. */
int publish_problem_format(const problem_t *p, char *buf, size_t len);

#endif
