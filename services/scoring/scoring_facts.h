/* scoring_facts.h - one change to a unit-year's facts document
 *
 * A unit-year's facts are a data-file year object (README "Scoring", "Data
 * file"). A change names its kind and key, as `partrack score set` does:
 *   manual KEY=node VALUE=points [EVIDENCE]   manual.KEY = {points, evidence}
 *   survey VALUE=%                            survey = VALUE
 *   not_applicable KEY=node                   KEY joins not_applicable
 *   applicable KEY=node                       KEY leaves not_applicable
 *   measurement KEY=code VALUE                measurements.KEY = VALUE
 *   outcome KEY=task OUTCOME                  deliverables.KEY = on_time|late|missing
 *   plan KEY=plan VALUE=due VALUE2=on time    plans.KEY = {tasks, on_time}
 *   adjustment KEY=node VALUE [EVIDENCE]      adjustments.KEY = [{points, reason}]
 * The document is changed in place; what the fact was and is becomes text
 * for the audit ("" when it was not set). Whether the result is valid is
 * the reader's job (scoring_engine_read_facts).
 */
#ifndef PARTRACK_SCORING_FACTS_H
#define PARTRACK_SCORING_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *kind;
    const char *key; /* NULL for survey */
    bool has_value;
    double value;
    bool has_value2;
    double value2;
    const char *outcome;  /* outcome */
    const char *evidence; /* may be NULL */
} scoring_fact_change_t;

/* Applies the change. Returns 1 changed, 0 when the fact already was so
 * (nothing to audit), -1 when the change is malformed (reason in err).
 * from/to receive the old and new value as text. */
int scoring_facts_apply(json_t *doc, const scoring_fact_change_t *c, char *from, size_t from_len,
                        char *to, size_t to_len, char *err, size_t errlen);

#endif
