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
 *
 * For a year in progress (the forecast, score_forecast.h) the facts may also
 * say the date they were collected up to (`as_of`), measurements per period
 * (`series`: months or quarters, and how periods make the year's value),
 * open deliverables with their due date and status, and plan tasks not yet
 * due (`open`). A measurement with a series and no value of its own takes
 * the series' value so far (the sum, or the latest period's value).
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
    SCORE_OUTCOME_EXPECTED, /* a forecast: on time with probability on_time_share, else late */
} score_outcome_t;

/* How an open occurrence stands (the deadline monitor's view). */
typedef enum {
    SCORE_OPEN_UNKNOWN = 0,
    SCORE_OPEN_NOT_STARTED,
    SCORE_OPEN_ON_TRACK,
    SCORE_OPEN_DUE_SOON,
    SCORE_OPEN_OVERDUE,
} score_open_status_t;

typedef struct {
    char *code;
    double value;
} score_measurement_t;

typedef struct {
    char *key;
    score_outcome_t outcome; /* NONE while open */
    bool open;               /* written as {"due", "status"}: not delivered yet */
    score_open_status_t status;
    bool has_due;
    int due;              /* day number (score_period.h) */
    double on_time_share; /* SCORE_OUTCOME_EXPECTED: 0..1 */
} score_deliverable_t;

typedef struct {
    char *key;
    double tasks;   /* tasks (occurrences) due in the year */
    double on_time; /* done on time */
    double open;    /* a year in progress: tasks not yet due (not in `tasks`) */
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

/* How a series' periods make the year's value. */
typedef enum {
    SCORE_COMBINE_SUM = 0, /* counts of each period: the year is their sum (dossiers) */
    SCORE_COMBINE_TO_DATE, /* running since 1 January: the year is the value at its end */
    SCORE_COMBINE_LEVEL,   /* a state at each period's end (staff): the value at year end */
} score_combine_t;

typedef struct {
    int index; /* 1..per_year */
    double value;
} score_series_point_t;

typedef struct {
    char *code; /* the measurement */
    score_combine_t combine;
    int per_year;                 /* 12 (months) or 4 (quarters) */
    score_series_point_t *points; /* by index, ascending, each index once */
    size_t npoints;
} score_series_t;

typedef struct {
    int year;
    bool has_as_of;
    int as_of; /* day number: the facts are those known at the end of this day */
    score_series_t *series;
    size_t nseries;
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

/* The same for the facts of `year` (a forecast scores a year in progress
 * with the scheme of another). */
size_t score_data_check_year(const score_data_t *d, const score_scheme_t *s, int year,
                             problems_t *problems);

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
const score_series_t *score_facts_series(const score_facts_t *f, const char *code);

/* "on_time", "late", "missing", "expected" (or NULL for none). */
const char *score_outcome_name(score_outcome_t o);

/* "not_started", "on_track", "due_soon", "overdue" (NULL for unknown). */
const char *score_open_status_name(score_open_status_t s);

#endif
