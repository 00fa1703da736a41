/* scoring_requests.h - the scoring service's requests
 *
 *   MSG_SCORE_SCHEME_IMPORT  a scheme file, checked by scheme_file; it
 *                            replaces the scheme of the same code, year and
 *                            level (refused while one of its scores is
 *                            locked) and every unit of that level with facts
 *                            is recomputed
 *   MSG_SCORE_FACTS_IMPORT   a data file: each unit-year in it replaces that
 *                            unit-year's facts (units must be in the
 *                            registry; locked unit-years are refused)
 *   MSG_SCORE_SET            one fact (scoring_facts.h), checked against the
 *                            schemes, audited, the unit recomputed
 *   MSG_SCORE_STAGE          the next stage: self → appraisal → explanation
 *                            → reappraisal → locked (forward only; stages may
 *                            be skipped; locking publishes the score)
 *   MSG_SCORE_SHOW           scoring_show.h
 *   MSG_SCORE_BIND           scoring_bind.h (set refuses an outcome or plan fact of a bound key)
 *   MSG_SCORE_FORECAST       scoring_forecast.h (a read: the year-end forecast)
 * A change is committed with its audit rows, its recomputed scores and its
 * ScorePublished events in one transaction before the reply; a locked
 * unit-year refuses every change (ERR_CONFLICT, naming the unit and year).
 */
#ifndef PARTRACK_SCORING_REQUESTS_H
#define PARTRACK_SCORING_REQUESTS_H

#include "rpc.h"
#include "scoring_engine.h"

#include <stdbool.h>

/* Serves req if it is one of the above; false if it is not. */
bool scoring_requests_handle(scoring_engine_t *engine, rpc_server_t *rpc, rpc_request_t *req);

#endif
