/* scoring_engine.h - the scoring service's state and its one-unit recompute
 *
 * The service keeps every stored scheme it has used in memory (parsed once
 * per version from scoring.scheme) and computes a unit's year alone: its
 * facts (one row of scoring.facts: a data-file year object) are read, bound
 * to each scheme of the year whose level is the unit's kind, computed with
 * scoring_lib and stored in scoring.score with every node's points and
 * explanation (score_result_to_json). Nothing else is touched, so a new
 * measurement or appraisal costs one unit's work, whatever the city's size.
 *
 * A locked score is never recomputed. A score that moves by more than the
 * publish threshold from the one last published (or first computed), and
 * every lock, appends a ScorePublished event (producer "scoring") in the
 * caller's transaction; scoring_engine_last_seq says up to which sequence
 * number events were appended, for the PUB wake-up after COMMIT.
 *
 * Every function that writes runs inside the caller's open transaction.
 */
#ifndef PARTRACK_SCORING_ENGINE_H
#define PARTRACK_SCORING_ENGINE_H

#include "db.h"
#include "problems.h"
#include "score_data.h"
#include "score_scheme.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct scoring_engine scoring_engine_t;

/* A unit as the registry's documented view registry.units has it. */
typedef struct {
    char code[128];
    char name[512];
    char kind[32];
    char parent[128]; /* "" when none */
} scoring_unit_t;

/* db is borrowed. threshold: points a score must move by (strictly more)
 * to be published. NULL when out of memory. */
scoring_engine_t *scoring_engine_new(db_t *db, double threshold);
void scoring_engine_destroy(scoring_engine_t **self_p);

db_t *scoring_engine_db(scoring_engine_t *self);

/* The highest event sequence number appended so far (0: none). */
int64_t scoring_engine_last_seq(const scoring_engine_t *self);

/* Looks the unit up in registry.units. Returns 1 found, 0 unknown, -1 on a
 * database failure. */
int scoring_engine_unit(scoring_engine_t *self, const char *code, scoring_unit_t *out);

/* The scheme stored under id at version (parsed on first use, then kept).
 * NULL with err on failure. Borrowed: valid until the engine is destroyed. */
const score_scheme_t *scoring_engine_scheme(scoring_engine_t *self, long long id, int version,
                                            const char *text, char *err, size_t errlen);

/* The unit-year's facts document (a new reference, caller json_decref's), an
 * empty object when none is stored; NULL on a database failure. */
json_t *scoring_engine_facts(scoring_engine_t *self, const scoring_unit_t *u, int year);

/* Reads a facts document as score_data does a data file holding this one
 * unit-year, and checks it against every scheme of the year for the unit's
 * kind. Returns the data (caller destroys with score_data_destroy) or NULL
 * with the problems in *problems (or a reason in err). */
score_data_t *scoring_engine_read_facts(scoring_engine_t *self, const scoring_unit_t *u, int year,
                                        json_t *doc, problems_t *problems, char *err,
                                        size_t errlen);

/* Reads a unit's facts of several years (years: {"2024": doc, "2023": doc},
 * data-file year objects) as score_data does a data file holding this one
 * unit; nothing is checked against a scheme. Returns the data (caller
 * destroys with score_data_destroy) or NULL with the problems in *problems
 * (or a reason in err). */
score_data_t *scoring_engine_parse_years(const scoring_unit_t *u, json_t *years,
                                         problems_t *problems, char *err, size_t errlen);

/* Ends the explanation of every leaf in json (score_result_to_json of a
 * result under s) whose key is bound (bound: the object
 * scoring_outcomes_overlay gives) with SCORING_OUTCOMES_MARK: its outcome
 * comes from the deadline service. */
void scoring_engine_mark_bound(json_t *json, const score_scheme_t *s, const json_t *bound);

/* Whether a score of the unit-year is locked: 1 yes, 0 no, -1 failure. */
int scoring_engine_locked(scoring_engine_t *self, const char *unit, int year);

/* Stores the document as the unit-year's facts. 0 or -1. */
int scoring_engine_store_facts(scoring_engine_t *self, const scoring_unit_t *u, int year,
                               json_t *doc);

/* One audit row. Any text may be NULL except actor and what. 0 or -1. */
int scoring_engine_audit(scoring_engine_t *self, const char *unit, int year, const char *actor,
                         const char *what, const char *node, const char *from, const char *to,
                         const char *evidence);

/* Recomputes the unit-year under every scheme of the year for its kind
 * (nothing without facts; locked scores are kept). *computed (may be NULL)
 * gets how many scores were written. 0, or -1 with err. */
int scoring_engine_recompute(scoring_engine_t *self, const scoring_unit_t *u, int year,
                             int *computed, char *err, size_t errlen);

/* Appends ScorePublished for the stored score (scheme_id, unit) with
 * `reason` ("locked", "moved") and makes it the published score. 0 or -1. */
int scoring_engine_publish(scoring_engine_t *self, long long scheme_id, const char *unit,
                           const char *reason);

#endif
