/* publish_jsonl.c - one JSON line into a TaskUpdate or a Measurement
 *
 * jansson parses the line (duplicate keys refused, nothing after the
 * object); then each field of the object is checked by name against the
 * fields its type has, in the order the line gives them, so the problems
 * read left to right; checks that involve several fields (which task, value
 * or ratio, anything to update) come last. Strings are copied, so a line
 * owns its message and the parsed JSON is freed at once. The checks on
 * formats (completed_at, period, indicator) follow the registry's own
 * (ingest_check.c; completed_at is read by the same due_parse_instant), so a line that passes here
 * is refused there only for what needs the registry's data.
 */
#include "publish_jsonl.h"

#include "due_levels.h"
#include "msg.h"
#include "text.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *file;
    unsigned line;
    problems_t *problems;
    bool bad;
} reader_t;

static const char update_fields[] =
    "type, key, task_id, plan_number, plan_unit, ordinal, progress, status, completed_at, "
    "evidence, note";
static const char measurement_fields[] =
    "type, key, unit, indicator, period, value, numerator, denominator";

static void problem(reader_t *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(reader_t *r, const char *field, const char *fmt, ...)
{
    char message[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    problems_add(r->problems, r->file, r->line, field, "%s", message);
    r->bad = true;
}

/* What a JSON value is, for "must be X, not Y". */
static const char *kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "true/false";
    case JSON_NULL: return "null";
    }
    return "something else";
}

/* A string field into *out (copied). False, with the problem, if it is not
 * a string, or empty when it must not be. */
static bool take_string(reader_t *r, const char *field, const json_t *v, bool nonempty, char **out)
{
    if (!json_is_string(v)) {
        problem(r, field, "must be a string, not %s", kind(v));
        return false;
    }
    if (nonempty && json_string_length(v) == 0) {
        problem(r, field, "must not be empty");
        return false;
    }
    /* jansson reads only valid UTF-8 without NUL; checked again to be sure. */
    if (!text_valid_utf8(json_string_value(v), json_string_length(v), NULL)) {
        problem(r, field, "is not valid UTF-8");
        return false;
    }
    free(*out);
    *out = strdup(json_string_value(v));
    if (!*out) {
        problem(r, field, "out of memory");
        return false;
    }
    return true;
}

static bool take_number(reader_t *r, const char *field, const json_t *v, double *out)
{
    if (!json_is_number(v)) {
        problem(r, field, "must be a number, not %s", kind(v));
        return false;
    }
    *out = json_number_value(v);
    return true;
}

/* ---- formats the registry checks too ---- */

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int number_of(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* completed_at as the registry reads it (due_parse_instant: RFC 3339, a
 * space for the T, or a date), at or after 1970. 1: good, 0: not a time,
 * -1: before 1970. */
static int valid_instant(const char *s)
{
    int64_t t;
    if (due_parse_instant(s, &t) < 0)
        return 0;
    return t >= 0 ? 1 : -1;
}

/* 2024, 2024-Q1, 2024-H1, 2024-06 */
static bool valid_period(const char *s)
{
    if (!digits(s, 4))
        return false;
    s += 4;
    if (!*s)
        return true;
    if (*s++ != '-')
        return false;
    if (s[0] == 'Q')
        return s[1] >= '1' && s[1] <= '4' && !s[2];
    if (s[0] == 'H')
        return (s[1] == '1' || s[1] == '2') && !s[2];
    return digits(s, 2) && !s[2] && number_of(s, 2) >= 1 && number_of(s, 2) <= 12;
}

/* [a-z][a-z0-9_.]*, at most 64 */
static bool valid_indicator(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '.'))
            return false;
    return true;
}

/* ---- the two types ---- */

static void read_evidence(reader_t *r, const json_t *v, Partrack__TaskUpdate *u)
{
    if (!json_is_array(v)) {
        problem(r, "evidence", "must be an array of strings, not %s", kind(v));
        return;
    }
    size_t n = json_array_size(v);
    u->evidence = calloc(n ? n : 1, sizeof *u->evidence);
    if (!u->evidence) {
        problem(r, "evidence", "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(v, i);
        char field[48];
        snprintf(field, sizeof field, "evidence[%zu]", i);
        if (take_string(r, field, item, true, &u->evidence[u->n_evidence]))
            u->n_evidence++;
    }
}

static void read_update(reader_t *r, json_t *obj, Partrack__TaskUpdate *u)
{
    const char *name;
    json_t *v;
    json_object_foreach(obj, name, v)
    {
        bool known = true;
        if (strcmp(name, "type") == 0 || strcmp(name, "key") == 0) {
            continue;
        } else if (strcmp(name, "task_id") == 0) {
            if (json_is_null(v))
                continue;
            if (!json_is_integer(v))
                problem(r, name, "must be an integer (the task's id), not %s", kind(v));
            else if (json_integer_value(v) < 1)
                problem(r, name, "must be a positive id, not %lld",
                        (long long)json_integer_value(v));
            else {
                u->has_task_id = 1;
                u->task_id = json_integer_value(v);
            }
        } else if (strcmp(name, "plan_number") == 0) {
            if (!json_is_null(v))
                take_string(r, name, v, true, &u->plan_number);
        } else if (strcmp(name, "plan_unit") == 0) {
            if (!json_is_null(v))
                take_string(r, name, v, true, &u->plan_unit);
        } else if (strcmp(name, "ordinal") == 0) {
            if (!json_is_null(v))
                take_string(r, name, v, true, &u->ordinal);
        } else if (strcmp(name, "progress") == 0) {
            if (json_is_null(v))
                continue;
            if (json_is_real(v))
                problem(r, name, "must be a whole number from 0 to 100, not %g",
                        json_real_value(v));
            else if (!json_is_integer(v))
                problem(r, name, "must be an integer from 0 to 100, not %s", kind(v));
            else if (json_integer_value(v) < 0 || json_integer_value(v) > 100)
                problem(r, name, "must be from 0 to 100, not %lld",
                        (long long)json_integer_value(v));
            else {
                u->has_progress = 1;
                u->progress = (int32_t)json_integer_value(v);
            }
        } else if (strcmp(name, "status") == 0) {
            if (json_is_null(v) || !take_string(r, name, v, false, &u->status))
                continue;
            if (strcmp(u->status, "open") != 0 && strcmp(u->status, "done") != 0 &&
                strcmp(u->status, "cancelled") != 0)
                problem(r, name, "\"%s\" is not open, done or cancelled", u->status);
        } else if (strcmp(name, "completed_at") == 0) {
            if (json_is_null(v) || !take_string(r, name, v, false, &u->completed_at))
                continue;
            int ok = valid_instant(u->completed_at);
            if (ok == 0)
                problem(r, name,
                        "\"%s\" is not a time (2024-06-28T16:00:00+07:00, RFC 3339) or a date "
                        "(2024-06-28)",
                        u->completed_at);
            else if (ok < 0)
                problem(r, name, "%s is before 1970", u->completed_at);
        } else if (strcmp(name, "evidence") == 0) {
            if (!json_is_null(v))
                read_evidence(r, v, u);
        } else if (strcmp(name, "note") == 0) {
            if (!json_is_null(v))
                take_string(r, name, v, false, &u->note);
        } else {
            known = false;
        }
        if (!known)
            problem(r, name, "unknown field of a task_update (its fields: %s)", update_fields);
    }
    const json_t *id = json_object_get(obj, "task_id");
    bool by_id = id && !json_is_null(id);
    const char *ref[] = {"plan_number", "plan_unit", "ordinal"};
    int given = 0;
    for (int i = 0; i < 3; i++) {
        const json_t *f = json_object_get(obj, ref[i]);
        given += f && !json_is_null(f);
    }
    if (by_id && given > 0) {
        problem(r, "task_id", "give task_id, or plan_number, plan_unit and ordinal, not both");
    } else if (!by_id && given > 0 && given < 3) {
        for (int i = 0; i < 3; i++) {
            const json_t *f = json_object_get(obj, ref[i]);
            if (!f || json_is_null(f))
                problem(r, ref[i], "missing (plan_number, plan_unit and ordinal go together)");
        }
    } else if (!by_id && given == 0) {
        problem(r, "task_id",
                "missing: name the task by task_id, or by plan_number, plan_unit "
                "and ordinal");
    }
    static const char *const changes[] = {"progress", "status", "completed_at", "evidence", "note"};
    bool any = false;
    for (int i = 0; i < 5; i++) {
        const json_t *f = json_object_get(obj, changes[i]);
        any = any || (f && !json_is_null(f));
    }
    if (!any)
        problem(r, NULL,
                "nothing to update: give progress, status, completed_at, evidence or note");
}

static void read_measurement(reader_t *r, json_t *obj, Partrack__Measurement *m)
{
    const char *name;
    json_t *v;
    json_object_foreach(obj, name, v)
    {
        if (strcmp(name, "type") == 0 || strcmp(name, "key") == 0) {
            continue;
        } else if (strcmp(name, "unit") == 0) {
            if (!json_is_null(v))
                take_string(r, name, v, true, &m->unit);
        } else if (strcmp(name, "indicator") == 0) {
            if (!json_is_null(v) && take_string(r, name, v, false, &m->indicator) &&
                !valid_indicator(m->indicator))
                problem(r, name,
                        "\"%s\" is not an indicator code ([a-z][a-z0-9_.]*, at most 64 "
                        "characters)",
                        m->indicator);
        } else if (strcmp(name, "period") == 0) {
            if (!json_is_null(v) && take_string(r, name, v, false, &m->period) &&
                !valid_period(m->period))
                problem(r, name, "\"%s\" is not a period: 2024, 2024-Q1, 2024-H1 or 2024-06",
                        m->period);
        } else if (strcmp(name, "value") == 0) {
            if (!json_is_null(v) && take_number(r, name, v, &m->value))
                m->has_value = 1;
        } else if (strcmp(name, "numerator") == 0) {
            if (!json_is_null(v) && take_number(r, name, v, &m->numerator))
                m->has_numerator = 1;
        } else if (strcmp(name, "denominator") == 0) {
            if (!json_is_null(v) && take_number(r, name, v, &m->denominator)) {
                m->has_denominator = 1;
                if (m->denominator <= 0)
                    problem(r, name, "must be positive, not %g", m->denominator);
            }
        } else {
            problem(r, name, "unknown field of a measurement (its fields: %s)", measurement_fields);
        }
    }
    static const char *const required[] = {"unit", "indicator", "period"};
    for (int i = 0; i < 3; i++) {
        const json_t *f = json_object_get(obj, required[i]);
        if (!f || json_is_null(f))
            problem(r, required[i], "missing");
    }
    bool value = json_object_get(obj, "value") && !json_is_null(json_object_get(obj, "value"));
    bool num =
        json_object_get(obj, "numerator") && !json_is_null(json_object_get(obj, "numerator"));
    bool den =
        json_object_get(obj, "denominator") && !json_is_null(json_object_get(obj, "denominator"));
    if (value && (num || den))
        problem(r, "value", "give a value, or a numerator and a denominator, not both");
    else if (!value && num != den)
        problem(r, num ? "denominator" : "numerator",
                "missing (numerator and denominator go together)");
    else if (!value && !num)
        problem(r, "value", "missing: give a value, or a numerator and a denominator");
}

/* ---- the line ---- */

int publish_jsonl_read(const char *file, unsigned line, const char *text, size_t len,
                       publish_line_t *out, problems_t *problems)
{
    reader_t r = {file, line, problems, false};
    memset(out, 0, sizeof *out);
    if (line == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (len > 0 && text[len - 1] == '\r')
        len--;
    size_t blank = 0;
    while (blank < len && (text[blank] == ' ' || text[blank] == '\t'))
        blank++;
    if (blank == len)
        return 0;
    size_t bad;
    if (!text_valid_utf8(text, len, &bad)) {
        problem(&r, NULL, "not valid UTF-8 (byte %zu)", bad + 1);
        return -1;
    }
    json_error_t error;
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
    if (!obj) {
        problem(&r, NULL, "not valid JSON: %s (column %d)", error.text, error.column);
        return -1;
    }
    if (!json_is_object(obj)) {
        problem(&r, NULL, "not a JSON object but %s (each line is one object)", kind(obj));
        json_decref(obj);
        return -1;
    }
    partrack__task_update__init(&out->update);
    partrack__measurement__init(&out->measurement);
    const json_t *type = json_object_get(obj, "type");
    if (!type || json_is_null(type))
        problem(&r, "type", "missing: \"task_update\" or \"measurement\"");
    else if (!json_is_string(type))
        problem(&r, "type", "must be a string, not %s", kind(type));
    else if (strcmp(json_string_value(type), "task_update") == 0)
        out->type = PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE;
    else if (strcmp(json_string_value(type), "measurement") == 0)
        out->type = PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT;
    else
        problem(&r, "type", "\"%s\" is not task_update or measurement", json_string_value(type));
    const json_t *key = json_object_get(obj, "key");
    if (!key || json_is_null(key))
        problem(&r, "key", "missing: each line needs its own idempotency key");
    else if (take_string(&r, "key", key, true, &out->key) && strlen(out->key) > MSG_MAX_ID_LEN)
        problem(&r, "key", "is %zu bytes long, at most %d", strlen(out->key), MSG_MAX_ID_LEN);
    if (out->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE)
        read_update(&r, obj, &out->update);
    else if (out->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT)
        read_measurement(&r, obj, &out->measurement);
    json_decref(obj);
    if (r.bad) {
        publish_line_clear(out);
        return -1;
    }
    return 1;
}

const ProtobufCMessage *publish_line_payload(const publish_line_t *l)
{
    return l->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT ? &l->measurement.base
                                                                     : &l->update.base;
}

void publish_line_clear(publish_line_t *l)
{
    Partrack__TaskUpdate *u = &l->update;
    free(l->key);
    free(u->plan_number);
    free(u->plan_unit);
    free(u->ordinal);
    free(u->status);
    free(u->completed_at);
    free(u->note);
    for (size_t i = 0; i < u->n_evidence; i++)
        free(u->evidence[i]);
    free(u->evidence);
    free(l->measurement.unit);
    free(l->measurement.indicator);
    free(l->measurement.period);
    memset(l, 0, sizeof *l);
}

int publish_problem_format(const problem_t *p, char *buf, size_t len)
{
    char where[320];
    if (p->line)
        snprintf(where, sizeof where, "%s:%u", p->file ? p->file : "", p->line);
    else
        snprintf(where, sizeof where, "%s", p->file ? p->file : "");
    if (p->field && *p->field)
        return snprintf(buf, len, "%s: %s: %s", where, p->field, p->message);
    return snprintf(buf, len, "%s: %s", where, p->message);
}
