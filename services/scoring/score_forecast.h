/* score_forecast.h - the year-end score from the year so far, and the assumptions it rests on
 *
 * From a unit's facts for a year in progress (score_data.h: measurements per
 * period, deliverables closed or open with a due date and status, plan tasks
 * done and not yet due, appraised points, the survey), the facts of the year
 * before and an as-of date, score_forecast_new writes the facts the year
 * would end with if things go on as they have, computes their score with the
 * same scheme (score_compute.h), and says every assumption it made, in
 * Vietnamese, one line each. The rules are few and deliberately simple:
 *
 *   measurements  a series' year value: "sum" series add their periods, the
 *                 missing ones taken from the least-squares line through the
 *                 periods known (one period: the same again); "to_date"
 *                 series (running since 1 January, starting from 0) and
 *                 "level" series take the line's value at the year's last
 *                 period. Never below 0; a rate never above 100% (a ratio's
 *                 numerator is cut to its denominator, a % measurement to
 *                 100) unless the rule says may_exceed. A measurement without
 *                 a series is kept as it is; one the year does not have yet
 *                 is last year's.
 *   deliverables  a known outcome stays. An open one: due after 31/12, or
 *                 still open when the year is over → missing; due before the
 *                 as-of date (or said overdue) → late; otherwise (on track,
 *                 due soon, not started, or not tracked yet) → on time with
 *                 the unit's on-time share so far, late otherwise (its points
 *                 are the expectation: share × on-time points + (1 - share)
 *                 × late points).
 *   plans         tasks not yet due are done on time at the same share.
 *   the share     occurrences closed this year on time ÷ closed (deliverables
 *                 with an outcome, and plan tasks due so far); none yet: the
 *                 year before's; none either: 100%.
 *   appraisal     appraised points, the survey, deductions and bonuses are
 *                 kept as known so far, else (points, survey) last year's.
 *
 * Everything is borrowed from the facts given: they (and the scheme) must
 * outlive the forecast.
 */
#ifndef PARTRACK_SCORE_FORECAST_H
#define PARTRACK_SCORE_FORECAST_H

#include "score_compute.h"
#include "score_data.h"
#include "score_scheme.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SCORE_ASSUME_SCHEME = 0,  /* the scheme is another year's */
    SCORE_ASSUME_TREND,       /* measurements projected from their periods */
    SCORE_ASSUME_KEPT,        /* measurements without periods, kept as they are */
    SCORE_ASSUME_LAST_YEAR,   /* a value taken from the year before */
    SCORE_ASSUME_NO_DATA,     /* nothing to go on: scored as without data */
    SCORE_ASSUME_ON_TIME,     /* open, not due yet: on time at the unit's share */
    SCORE_ASSUME_LATE,        /* open and overdue: late */
    SCORE_ASSUME_MISSING,     /* open past the year: missing */
    SCORE_ASSUME_PLAN,        /* plan tasks not yet due, at the unit's share */
    SCORE_ASSUME_MANUAL,      /* appraised points as known so far */
    SCORE_ASSUME_SURVEY,      /* the survey as known so far */
    SCORE_ASSUME_ADJUSTMENTS, /* deductions and bonuses as known so far */
} score_assumption_kind_t;

#define SCORE_ASSUMPTION_TEXT 640

typedef struct {
    score_assumption_kind_t kind;
    int node; /* the scheme node it is about, or -1 */
    char text[SCORE_ASSUMPTION_TEXT];
} score_assumption_t;

/* How a measurement's year value was reached. */
typedef enum {
    SCORE_TREND_EXACT = 0, /* every period known: nothing assumed */
    SCORE_TREND_LINEAR,    /* the least-squares line */
    SCORE_TREND_FLAT,      /* one period known: the same again */
} score_trend_t;

typedef struct score_forecast {
    const score_scheme_t *scheme;
    int year;
    int as_of; /* day number */
    double on_time_share;
    double share_on_time, share_closed; /* what the share comes from */
    int share_year;                     /* its year; 0: nothing closed, 100% assumed */
    score_facts_t facts;                /* the year-end facts (arrays owned, texts borrowed) */
    score_input_t *in;
    score_result_t *result;
    score_assumption_t *assumptions;
    size_t nassumptions;
} score_forecast_t;

/* Forecasts the year of `so_far` (facts known at the end of day `as_of`)
 * under scheme s; last_year (may be NULL) fills what the year does not have
 * yet. Returns the forecast (caller frees with score_forecast_destroy), or
 * NULL with the reason in err (out of memory). */
score_forecast_t *score_forecast_new(const score_scheme_t *s, const score_facts_t *so_far,
                                     const score_facts_t *last_year, int as_of, char *err,
                                     size_t errlen);

void score_forecast_destroy(score_forecast_t **f);

/* The least-squares line through (x[i], y[i]) at `at`; n == 1: y[0]. */
double score_trend_at(const double *x, const double *y, size_t n, double at);

/* A series' value for the whole year by the rules above (never below 0);
 * *how says whether anything was projected. */
double score_series_year_value(const score_series_t *s, score_trend_t *how);

/* "scheme", "trend", "kept", "last_year", "no_data", "on_time", "late",
 * "missing", "plan", "manual", "survey", "adjustments". */
const char *score_assumption_kind_name(score_assumption_kind_t kind);

#endif
