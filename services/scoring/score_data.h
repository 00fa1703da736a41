/* score_data.h - what is known about units for scoring: facts, and the data file
 *
 * score_facts_t is one unit's year, as the scoring service will also build it
 * from the database: measurements (code → value: dossiers_total = 4080),
 * deliverable outcomes from the deadline monitor (task key → on time / late
 * / missing), plan completion (plan key → tasks, done on time), appraised
 * points with evidence, deductions/penalties/bonuses with reasons, the
 * survey %, the scheme nodes that do not apply to the unit, and the totals
 * the unit's documents report (checked against the computed ones). Facts
 * name scheme nodes and measurements by code; binding them to a scheme is
 * score_input_bind's job (score_compute.h).
 *
 * The data file (JSON, documented in the README under "Scoring") holds units
 * with their kind and parent and, per year, their facts. score_data_load
 * checks the file on its own (types, ranges, unknown keys, UTF-8);
 * score_data_check checks it against a scheme (node codes exist and have the
 * right rule). Problems are listed as `FILE: JSON.PATH: what`.
 */
#ifndef PARTRACK_SCORE_DATA_H
#define PARTRACK_SCORE_DATA_H

#include "problems.h"
#include "score_scheme.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SCORE_OUTCOME_NONE = 0, /* nothing recorded */
    SCORE_OUTCOME_ON_TIME,
    SCORE_OUTCOME_LATE,
    SCORE_OUTCOME_MISSING,
} score_outcome_t;

typedef struct {
    char *code;
    double value;
} score_measurement_t;

typedef struct {
    char *key;
    score_outcome_t outcome;
} score_deliverable_t;

typedef struct {
    char *key;
    double tasks;   /* tasks (occurrences) due in the year */
    double on_time; /* done on time */
} score_plan_fact_t;

typedef struct {
    char *code; /* scheme node */
    double points;
    char *evidence; /* may be NULL */
} score_manual_t;

typedef struct {
    char *code; /* scheme node (a deduction, penalty or bonus leaf) */
    double points;
    char *reason; /* may be NULL */
} score_adjustment_t;

typedef struct {
    char *code; /* scheme node: an area ("1"), or "" for the total */
    double points;
} score_reported_area_t;

/* What the unit's own documents say (for the checks). */
typedef struct {
    bool has_total, has_appraisal, has_survey;
    double total, appraisal, survey;
    int rank, of; /* 0 when not reported */
    score_reported_area_t *areas;
    size_t nareas;
    char *source; /* "Quyết định 7564/QĐ-UBND ngày 29/12/2023"; may be NULL */
} score_reported_t;

typedef struct {
    int year;
    score_measurement_t *measurements;
    size_t nmeasurements;
    score_deliverable_t *deliverables;
    size_t ndeliverables;
    score_plan_fact_t *plans;
    size_t nplans;
    score_manual_t *manual;
    size_t nmanual;
    score_adjustment_t *adjustments;
    size_t nadjustments;
    bool has_survey;
    double survey; /* % satisfied */
    char **not_applicable;
    size_t nnot_applicable;
    score_reported_t reported;
} score_facts_t;

typedef struct {
    char *code;   /* HN.HADONG.PHULAM */
    char *name;   /* Phường Phú Lãm (NFC) */
    char *kind;   /* ward */
    char *parent; /* HN.HADONG; may be NULL */
    score_facts_t *years;
    size_t nyears;
} score_unit_t;

typedef struct score_data {
    char *file;
    char *note;
    score_unit_t *units;
    size_t nunits;
} score_data_t;

/* Reads a data file. Returns the data (caller frees with score_data_destroy),
 * or NULL with every problem found in *problems (and a summary in err). */
score_data_t *score_data_load(const char *path, problems_t *problems, char *err, size_t errlen);

/* The same from text; `name` stands for the file in messages. */
score_data_t *score_data_parse(const char *text, size_t len, const char *name, problems_t *problems,
                               char *err, size_t errlen);

void score_data_destroy(score_data_t **d);

/* Checks the data against a scheme: manual points, adjustments, N/A codes
 * and reported areas name nodes that exist and have the right rule; manual
 * points within the node's max. Adds each problem; returns how many. */
size_t score_data_check(const score_data_t *d, const score_scheme_t *s, problems_t *problems);

/* A unit's facts for a year, or NULL. */
const score_facts_t *score_unit_year(const score_unit_t *u, int year);

/* The unit whose code is `code`, or whose name matches `code` ignoring case,
 * tone placement ("hoá" = "hóa") and diacritics; NULL if none or several. */
const score_unit_t *score_data_find_unit(const score_data_t *d, const char *code);

/* Lookups in facts (linear; facts are small). NULL when absent. */
const score_measurement_t *score_facts_measurement(const score_facts_t *f, const char *code);
const score_deliverable_t *score_facts_deliverable(const score_facts_t *f, const char *key);
const score_plan_fact_t *score_facts_plan(const score_facts_t *f, const char *key);
const score_manual_t *score_facts_manual(const score_facts_t *f, const char *code);

/* "on_time", "late", "missing" (or NULL for none). */
const char *score_outcome_name(score_outcome_t o);

#endif
