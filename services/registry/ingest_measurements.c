/* ingest_measurements.c - published measurements, checked and stored (the
 * rules are in ingest_batch.h) */
#include "events.h"
#include "events.pb-c.h"
#include "ingest.pb-c.h"
#include "ingest_check.h"
#include "ingest_work.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *top_code(const directory_t *dir, long unit)
{
    const dir_unit_t *u = directory_unit(dir, unit);
    while (u && u->parent >= 0)
        u = directory_unit(dir, u->parent);
    return u ? u->code : "";
}

/* Refuses a measurement that breaks a rule; returns its unit, or -1. */
static long check(ingest_batch_t *b, ingest_work_t *w)
{
    const Partrack__Measurement *m = (const Partrack__Measurement *)w->message;
    ingest_item_t *it = w->item;
    long unit = directory_find(b->dir, m->unit);
    const dir_unit_t *u = unit >= 0 ? directory_unit(b->dir, unit) : NULL;
    char reason[512];
    if (!u)
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, "no unit %s", m->unit);
    else if (u->valid_to)
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_INVALID, "unit %s ended on %s%s%s", m->unit,
                          u->valid_to, u->successor_code ? ", merged into " : "",
                          u->successor_code ? u->successor_code : "");
    else if (!ingest_in_scope(b, w->publisher, unit))
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_FORBIDDEN,
                          "publisher %s may not publish for unit %s", w->publisher->name, m->unit);
    else if (ingest_check_measurement(m, reason, sizeof reason) < 0)
        ingest_item_error(it, PARTRACK__ERROR_CODE__ERR_INVALID, "%s", reason);
    else
        return unit;
    w->settled = true;
    return -1;
}

static uint8_t *event_payload(const ingest_batch_t *b, const ingest_work_t *w, size_t *len)
{
    const Partrack__Measurement *m = (const Partrack__Measurement *)w->message;
    Partrack__MeasurementRecorded ev = PARTRACK__MEASUREMENT_RECORDED__INIT;
    char source[40];
    ingest_format_ms(w->sent_at_ms, source);
    ev.id = w->stored_id;
    ev.unit = m->unit;
    ev.indicator = m->indicator;
    ev.period = m->period;
    ev.has_value = m->has_value;
    ev.value = m->value;
    ev.has_numerator = m->has_numerator;
    ev.numerator = m->numerator;
    ev.has_denominator = m->has_denominator;
    ev.denominator = m->denominator;
    ev.publisher = w->publisher->name;
    ev.source_at = source;
    ev.recorded_at = (char *)b->now_text;
    *len = partrack__measurement_recorded__get_packed_size(&ev);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        partrack__measurement_recorded__pack(&ev, buf);
    return buf;
}

int ingest_measurements_apply(ingest_batch_t *b, ingest_work_t *works, size_t n)
{
    ingest_work_t **ok = calloc(n + 1, sizeof *ok);
    long *units = calloc(n + 1, sizeof *units);
    size_t m = 0;
    int rc = -1;
    int64_t *ids = NULL;
    char(*text)[5][40] = NULL;
    const char **types = NULL, **codes = NULL;
    uint8_t **payloads = NULL;
    size_t *lens = NULL;
    db_column_t cols[10] = {0};
    if (!ok || !units)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (works[i].settled ||
            works[i].item->env->type != PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT)
            continue;
        long unit = check(b, &works[i]);
        if (unit >= 0) {
            units[m] = unit;
            ok[m++] = &works[i];
        }
    }
    rc = 0;
    if (m == 0)
        goto done;
    rc = -1;
    ids = calloc(m, sizeof *ids);
    text = calloc(m, sizeof *text);
    types = calloc(m, sizeof *types);
    codes = calloc(m, sizeof *codes);
    payloads = calloc(m, sizeof *payloads);
    lens = calloc(m, sizeof *lens);
    if (!ids || !text || !types || !codes || !payloads || !lens ||
        ingest_next_ids(b->db, "registry.measurement_id_seq", m, ids) < 0)
        goto done;
    for (size_t k = 0; k < m; k++) {
        ingest_work_t *w = ok[k];
        const Partrack__Measurement *me = (const Partrack__Measurement *)w->message;
        w->stored_id = ids[k];
        snprintf(text[k][0], 40, "%lld", (long long)ids[k]);
        snprintf(text[k][1], 40, "%.17g", me->value);
        snprintf(text[k][2], 40, "%.17g", me->numerator);
        snprintf(text[k][3], 40, "%.17g", me->denominator);
        snprintf(text[k][4], 40, "%lld", (long long)w->sent_at_ms);
        const char *vals[10] = {text[k][0],
                                top_code(b->dir, units[k]),
                                me->unit,
                                me->indicator,
                                me->period,
                                me->has_value ? text[k][1] : NULL,
                                me->has_numerator ? text[k][2] : NULL,
                                me->has_denominator ? text[k][3] : NULL,
                                w->publisher->name,
                                text[k][4]};
        for (int c = 0; c < 10; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
        types[k] = "MeasurementRecorded";
        codes[k] = me->unit;
        if (!(payloads[k] = event_payload(b, w, &lens[k])))
            goto done;
    }
    db_status_t st;
    PGresult *res = db_exec_columns(
        b->db,
        "INSERT INTO registry.measurement (id, top_code, unit_code, indicator, period, value, "
        "numerator, denominator, publisher, source_at) SELECT i, t, uc, ind, per, v, nu, de, pub, "
        "to_timestamp(s / 1000.0) FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
        "$5::text[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::bigint[]) AS x(i, "
        "t, uc, ind, per, v, nu, de, pub, s)",
        cols, 10, &st);
    if (!res)
        goto done;
    PQclear(res);
    int64_t first;
    if (events_append_batch(b->db, "registry", m, types, codes, (const uint8_t *const *)payloads,
                            lens, &first) < 0)
        goto done;
    *b->last_event = first + (int64_t)m - 1;
    for (size_t k = 0; k < m; k++)
        ok[k]->settled = true;
    rc = 0;
done:
    for (size_t k = 0; payloads && k < m; k++)
        free(payloads[k]);
    free(payloads);
    free(lens);
    free(types);
    free(codes);
    free(text);
    free(ids);
    free(ok);
    free(units);
    db_columns_free(cols, 10);
    return rc;
}
