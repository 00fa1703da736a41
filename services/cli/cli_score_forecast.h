/* cli_score_forecast.h - `partrack score compute --forecast`: the year-end forecast, printed
 *
 * cli_score.c reads the scheme and the data and computes every unit's year
 * so far; this file forecasts each one's year end (score_forecast.h) and
 * prints the forecast next to the score so far, with the assumptions, for
 * people or (--json) for scripts.
 */
#ifndef PARTRACK_CLI_SCORE_FORECAST_H
#define PARTRACK_CLI_SCORE_FORECAST_H

#include "score_compute.h"
#include "score_data.h"
#include "score_rank.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const score_unit_t *unit;
    const score_facts_t *facts;   /* the year so far */
    const score_input_t *in;      /* bound to facts */
    const score_result_t *result; /* the score so far */
} cli_forecast_row_t;

typedef struct {
    const char *scheme_path, *data_path;
    const score_unit_t *only; /* show this unit alone; may be NULL */
    bool has_as_of;           /* --as-of given */
    int as_of;                /* day number */
    bool json, explain;
    score_peers_t peers;
} cli_forecast_opts_t;

/* The year a forecast is for: that of --as-of, else the latest year any
 * unit of the data has facts for. */
int cli_score_forecast_year(const score_data_t *d, const cli_forecast_opts_t *o);

/* Prints one unit's forecast for people from the object --json gives for
 * it ("unit", "as_of", "current", "forecast" with "assumptions" and, when
 * ranked, "rank" and "of"): every area so far and forecast (with `explain`
 * every criterion's forecast line), both totals, the forecast rank, the
 * assumptions. The scoring service's forecast (`score forecast`) prints
 * with it too. */
void cli_score_forecast_print_unit(const json_t *unit, bool explain);

/* Forecasts and prints every row. Returns a CLI_ exit code. */
int cli_score_forecast(const score_scheme_t *s, int year, const cli_forecast_row_t *rows,
                       size_t nrows, const cli_forecast_opts_t *o);

#endif
