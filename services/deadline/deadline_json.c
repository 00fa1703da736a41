/* deadline_json.c - a schedule as JSON
 *
 * One flat object: what scripts need first (kind, due, nominal, flags) and
 * then the details (occurrences with labels, recurrences, window, event).
 * Dates are YYYY-MM-DD; absent things are null, never missing, so readers
 * need no special cases. The phrase may be invalid UTF-8 (it is kept
 * verbatim); JSON strings must not be, so bad bytes are shown as U+FFFD.
 */
#include "deadline_json.h"

#include "report_window.h"

#include "text.h"

#include <stdlib.h>
#include <string.h>

static json_t *date_json(date_t d)
{
    if (d == DATE_INVALID)
        return json_null();
    char iso[11];
    date_format_iso(d, iso);
    return json_string(iso);
}

json_t *deadline_json_text(const char *text)
{
    if (!text)
        return json_null();
    size_t len = strlen(text);
    size_t bad;
    if (text_valid_utf8(text, len, &bad))
        return json_stringn(text, len);
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t w = 0, i = 0;
    while (i < len) {
        size_t rest = len - i;
        size_t n = 1;
        /* the longest valid sequence here, else one bad byte */
        for (size_t k = rest < 4 ? rest : 4; k >= 1; k--) {
            if (text_valid_utf8(text + i, k, NULL)) {
                n = k;
                break;
            }
            if (k == 1)
                n = 0;
        }
        if (n == 0) {
            memcpy(out + w, "\xef\xbf\xbd", 3);
            w += 3;
            i++;
        } else {
            memcpy(out + w, text + i, n);
            w += n;
            i += n;
        }
    }
    json_t *s = json_stringn(out, w);
    free(out);
    return s;
}

static json_t *recurrence_json(const deadline_recurrence_t *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "freq", json_string(deadline_recurrence_name(r)));
    json_object_set_new(o, "every_months", r->months ? json_integer(r->months) : json_null());
    json_object_set_new(o, "month_of_period",
                        r->months ? json_integer(r->month ? r->month : r->months) : json_null());
    json_object_set_new(o, "day", r->day ? json_integer(r->day) : json_null());
    json_object_set_new(o, "before", json_boolean(r->before));
    json_object_set_new(o, "year", json_integer(r->year));
    return o;
}

json_t *deadline_to_json(const deadline_t *d)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "text", deadline_json_text(d->text));
    json_object_set_new(o, "plan_year", json_integer(d->plan_year));
    json_object_set_new(o, "kind", json_string(deadline_kind_name(d->kind)));
    json_t *parts = json_array();
    for (size_t k = 0; k < d->nparts; k++)
        json_array_append_new(parts, json_string(deadline_kind_name(d->parts[k])));
    json_object_set_new(o, "parts", parts);
    json_t *due = json_array(), *nominal = json_array(), *occ = json_array();
    for (size_t k = 0; k < d->ndue; k++) {
        const deadline_due_t *x = &d->due[k];
        char label[96];
        json_array_append_new(due, date_json(x->effective));
        json_array_append_new(nominal, date_json(x->nominal));
        json_t *e = json_object();
        json_object_set_new(e, "nominal", date_json(x->nominal));
        json_object_set_new(e, "effective", date_json(x->effective));
        json_object_set_new(e, "moved", json_boolean(x->nominal != x->effective));
        json_object_set_new(e, "for", json_string(deadline_due_label(d, x, label, sizeof label)));
        report_window_t w;
        json_t *window = json_null();
        if (report_window(d, x, REPORT_CUTOFF_DAY, &w))
            window = json_pack("{s:o, s:o, s:b}", "from", date_json(w.from), "to", date_json(w.to),
                               "clipped", w.clipped);
        json_object_set_new(e, "report_window", window);
        json_array_append_new(occ, e);
    }
    json_object_set_new(o, "due", due);
    json_object_set_new(o, "nominal", nominal);
    json_object_set_new(o, "occurrences", occ);
    json_object_set_new(o, "continuous", json_boolean(d->continuous));
    json_object_set_new(o, "adhoc", json_boolean(d->adhoc));
    json_object_set_new(o, "event", json_boolean(d->event));
    json_object_set_new(o, "event_text", deadline_json_text(d->event_text));
    json_object_set_new(o, "expected", date_json(d->expected));
    json_object_set_new(o, "expected_nominal", date_json(d->expected_nominal));
    json_t *period = json_null();
    if (d->period_days)
        period =
            json_pack("{s:i, s:b}", "days", d->period_days, "working_days", d->period_workdays);
    else if (d->period_months)
        period = json_pack("{s:i}", "months", d->period_months);
    json_object_set_new(o, "period", period);
    json_object_set_new(o, "window",
                        d->has_window ? json_pack("{s:o, s:o}", "start", date_json(d->window_start),
                                                  "end", date_json(d->window_end))
                                      : json_null());
    json_object_set_new(o, "recurrence",
                        d->nrecurrences ? recurrence_json(&d->recurrences[0]) : json_null());
    json_t *recs = json_array();
    for (size_t k = 0; k < d->nrecurrences; k++)
        json_array_append_new(recs, recurrence_json(&d->recurrences[k]));
    json_object_set_new(o, "recurrences", recs);
    json_object_set_new(o, "unparsed", json_boolean(d->unparsed));
    json_object_set_new(o, "reason", d->reason ? json_string(d->reason) : json_null());
    return o;
}
