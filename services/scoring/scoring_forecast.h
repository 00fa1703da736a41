/* scoring_forecast.h - MSG_SCORE_FORECAST: a unit-year's year-end forecast from its stored facts
 *
 * `partrack score forecast CODE --year Y [--as-of DATE]` asks the service to
 * forecast the year of a unit as score_forecast.h does offline
 * (`score compute --forecast`), from what the service stores: the
 * unit-year's facts (scoring.facts) and the year before's, each with the
 * bound outcomes laid over them as a compute does (scoring_outcomes.h).
 *
 * The schemes are those of the year for the unit's kind (or the one code
 * asked for); a year without any (the year's own scheme is often published
 * late) uses those of the latest year before it that has some, checks the
 * facts against them, and the forecast says so in its first assumption, as
 * the offline forecast does with another year's scheme file.
 *
 * The facts are those known at the end of the as-of date: the one asked for
 * (not before 1 January of the year), else the facts' own `as_of`, else
 * today in Hà Nội (UTC+7) kept within the year. The deadline service's
 * clock is not used: scoring does not read it, and a forecast is about the
 * facts as they were collected.
 *
 * A read: nothing is stored, audited or published. The forecast is not
 * ranked (the peers' forecasts are not made).
 */
#ifndef PARTRACK_SCORING_FORECAST_H
#define PARTRACK_SCORING_FORECAST_H

#include "rpc.h"
#include "scoring_engine.h"

/* Serves a MSG_SCORE_FORECAST request: replies MSG_SCORE_FORECAST_REPLY, or
 * an error (ERR_BAD_MESSAGE, ERR_INVALID for a bad year or date or facts
 * that do not fit an older scheme, ERR_NOT_FOUND for an unknown unit, no
 * facts or no scheme, or a database failure). */
void scoring_forecast_handle(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req);

#endif
