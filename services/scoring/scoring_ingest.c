/* scoring_ingest.c - the registry's events, as facts (see the header) */
#include "scoring_ingest.h"

#include "events.pb-c.h"
#include "log.h"
#include "scoring_facts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The year of a yearly period ("2023"), or 0. */
static int yearly(const char *period)
{
    if (strlen(period) != 4)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)period[i]))
            return 0;
    return atoi(period);
}

static int on_measurement(scoring_ingest_t *in, const event_t *ev)
{
    Partrack__MeasurementRecorded *m =
        partrack__measurement_recorded__unpack(NULL, ev->payload_len, ev->payload);
    if (!m) {
        log_warn("undecodable event", "type=MeasurementRecorded seq=%lld", (long long)ev->seq);
        return 0;
    }
    int rc = 0, year = yearly(m->period);
    scoring_engine_t *e = in->engine;
    scoring_unit_t u;
    json_t *doc = NULL;
    score_data_t *check = NULL;
    problems_t *problems = NULL;
    double value = m->has_value ? m->value
                   : m->has_numerator && m->has_denominator && m->denominator > 0
                       ? m->numerator / m->denominator * 100
                       : -1;
    if (year == 0 || value < 0)
        goto done; /* not a year's figure, or nothing a scheme can use */
    int found = scoring_engine_unit(e, m->unit, &u), locked = 0;
    if (found <= 0 || (locked = scoring_engine_locked(e, u.code, year)) != 0) {
        if (found == 0 || locked == 1)
            log_warn("measurement skipped", "unit=%s year=%d indicator=%s reason=%s", m->unit, year,
                     m->indicator, found == 0 ? "unknown_unit" : "locked");
        rc = found < 0 || locked < 0 ? -1 : 0;
        goto done;
    }
    if (!(doc = scoring_engine_facts(e, &u, year)) || !(problems = calloc(1, sizeof *problems))) {
        rc = -1;
        goto done;
    }
    scoring_fact_change_t c = {
        .kind = "measurement", .key = m->indicator, .has_value = true, .value = value};
    char from[128], to[128], err[512], actor[128], evidence[64];
    int changed = scoring_facts_apply(doc, &c, from, sizeof from, to, sizeof to, err, sizeof err);
    if (changed <= 0)
        goto done;
    if (!(check = scoring_engine_read_facts(e, &u, year, doc, problems, err, sizeof err))) {
        log_warn("measurement skipped", "unit=%s year=%d indicator=%s reason=\"%s\"", u.code, year,
                 m->indicator, problems->n ? problems->items[0].message : err);
        goto done;
    }
    snprintf(actor, sizeof actor, "registry:%s", m->publisher);
    snprintf(evidence, sizeof evidence, "measurement %lld", (long long)m->id);
    int computed = 0;
    if (scoring_engine_store_facts(e, &u, year, doc) < 0 ||
        scoring_engine_audit(e, u.code, year, actor, "measurement", m->indicator,
                             *from ? from : NULL, to, evidence) < 0 ||
        scoring_engine_recompute(e, &u, year, &computed, err, sizeof err) < 0) {
        rc = -1;
        goto done;
    }
    in->recomputed += computed;
done:
    score_data_destroy(&check);
    json_decref(doc);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__measurement_recorded__free_unpacked(m, NULL);
    return rc;
}

int scoring_ingest_event(db_t *db, const event_t *event, void *arg)
{
    (void)db;
    if (strcmp(event->type, "MeasurementRecorded") == 0)
        return on_measurement(arg, event);
    return 0; /* nothing a score depends on */
}
