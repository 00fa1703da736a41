/* cli_score_forecast_online.c - `partrack score forecast`: the year-end forecast from the service
 *
 *   score forecast CODE --year Y [--as-of YYYY-MM-DD] [--scheme CODE] [--explain] [--json]
 * The scoring service forecasts the unit-year from its stored facts (with
 * bound outcomes) as `score compute --forecast` does from files, and this
 * prints each scheme's forecast the same way (cli_score_forecast.h): the
 * reply is turned into the object `score compute --forecast --json` gives
 * for a unit, with the scheme beside it. --json prints an array of those
 * objects, one per scheme.
 */
#include "cli_score_forecast_online.h"

#include "cli_score_forecast.h"
#include "score_period.h"
#include "scoring.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: partrack score forecast CODE --year Y [--as-of YYYY-MM-DD] [--scheme CODE]\n"
    "                               [--explain] [--json]\n"
    "\n"
    "Asks the scoring service for the unit's year-end forecast from the facts it stores\n"
    "for the year (with the outcomes of bound keys) and the year before: the score so\n"
    "far, the forecast, every area (with --explain every criterion) and every\n"
    "assumption made (README, \"Forecast\"). The schemes are the year's for the unit's\n"
    "kind, else the latest older ones (said in the assumptions).\n"
    "\n"
    "  --year Y          the year to forecast\n"
    "  --as-of DATE      the facts are those known at the end of DATE (not before 1 January\n"
    "                    of Y; default: the facts' as_of, else today in Hà Nội, kept within\n"
    "                    the year)\n"
    "  --scheme CODE     only this scheme, when the year has several\n"
    "  --explain         every criterion's forecast line\n"
    "  --json            the forecasts as JSON\n"
    "\n"
    "Exit status: 0 forecast, 1 refused (unknown unit, no facts, no scheme), 2 usage,\n"
    "3 the service is unreachable.\n";

/* The object `score compute --forecast --json` gives for a unit, and the
 * scheme; NULL when memory ran out or the service sent unreadable JSON. */
static json_t *forecast_json(const Partrack__ScoreForecastReply *r,
                             const Partrack__ScoreForecast *x)
{
    json_t *current = json_loads(x->current_json, 0, NULL);
    json_t *end = json_loads(x->forecast_json, 0, NULL);
    json_t *assumptions = json_array();
    if (!current || !end || !assumptions)
        goto fail;
    for (size_t i = 0; i < x->n_assumptions; i++) {
        const Partrack__ScoreAssumption *a = x->assumptions[i];
        if (json_array_append_new(assumptions,
                                  json_pack("{s:s, s:o, s:s}", "kind", a->kind, "node",
                                            cli_json_string(a->node), "text", a->text)) < 0)
            goto fail;
    }
    /* One unit's forecast is not ranked: its peers' are not made. */
    json_object_set_new(end, "rank", json_null());
    json_object_set_new(end, "of", json_integer(0));
    json_object_set_new(end, "on_time_share", json_real(x->on_time_share));
    json_object_set_new(end, "assumptions", assumptions);
    return json_pack("{s:{s:s, s:s, s:i, s:f, s:s}, s:{s:s, s:s, s:s, s:o}, s:i, s:s, s:s, "
                     "s:o, s:o}",
                     "scheme", "code", x->scheme, "name", x->scheme_name, "year", x->scheme_year,
                     "max", x->scheme_max, "level", x->level, "unit", "code", r->unit, "name",
                     r->name, "kind", r->kind, "parent", cli_json_string(r->parent), "year",
                     r->year, "as_of", r->as_of, "as_of_from", r->as_of_from, "current", current,
                     "forecast", end);
fail:
    json_decref(current);
    json_decref(end);
    json_decref(assumptions);
    return NULL;
}

int cli_score_forecast_online(cli_t *cli, int argc, char **argv)
{
    const char *year = NULL, *as_of = NULL, *scheme = NULL;
    bool json = false, explain = false, help = false;
    cli_option_t options[] = {
        {"year", &year, NULL, NULL, NULL},     {"as-of", &as_of, NULL, NULL, NULL},
        {"scheme", &scheme, NULL, NULL, NULL}, {"explain", NULL, &explain, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},     {NULL, NULL, NULL, NULL, NULL}};
    char **pos = NULL;
    int npos = 0;
    ProtobufCMessage *reply = NULL;
    json_t *all = NULL;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc != CLI_OK || help)
        goto out;
    rc = CLI_USAGE;
    char *end = NULL;
    long y = year ? strtol(year, &end, 10) : 0;
    int day;
    if (npos != 1) {
        fprintf(stderr, "partrack: score forecast takes one unit code\n\n%s", usage);
        goto out;
    }
    if (!year || *end || y < 1990 || y > 2100) {
        fprintf(stderr, "partrack: --year takes a year (1990-2100)\n");
        goto out;
    }
    if (as_of && !score_date_parse(as_of, &day)) {
        fprintf(stderr, "partrack: --as-of is a date YYYY-MM-DD\n");
        goto out;
    }
    Partrack__ScoreForecastRequest req = PARTRACK__SCORE_FORECAST_REQUEST__INIT;
    req.unit = pos[0];
    req.year = (int32_t)y;
    req.as_of = (char *)as_of;
    req.scheme = (char *)scheme;
    rc = cli_call(cli, cli->scoring, PARTRACK__MESSAGE_TYPE__MSG_SCORE_FORECAST, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_SCORE_FORECAST_REPLY,
                  &partrack__score_forecast_reply__descriptor, &reply);
    if (rc != CLI_OK)
        goto out;
    const Partrack__ScoreForecastReply *r = (const Partrack__ScoreForecastReply *)reply;
    rc = CLI_REFUSED;
    if (!(all = json_array())) {
        fprintf(stderr, "partrack: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < r->n_forecasts; i++) {
        json_t *one = forecast_json(r, r->forecasts[i]);
        if (!one || json_array_append_new(all, one) < 0) {
            fprintf(stderr, "partrack: the forecast could not be read (out of memory?)\n");
            goto out;
        }
    }
    if (json) {
        /* Numbers as published (0.01), not as binary doubles print. */
        char *text =
            json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        if (!text) {
            fprintf(stderr, "partrack: out of memory\n");
            goto out;
        }
        puts(text);
        free(text);
    } else {
        size_t i;
        json_t *one;
        json_array_foreach(all, i, one)
        {
            const Partrack__ScoreForecast *x = r->forecasts[i];
            if (i > 0)
                putchar('\n');
            printf("Dự báo %s năm %d (bộ tiêu chí %s, %d)\n", x->scheme_name, r->year, x->scheme,
                   x->scheme_year);
            cli_score_forecast_print_unit(one, explain);
        }
    }
    rc = CLI_OK;
out:
    json_decref(all);
    if (reply)
        protobuf_c_message_free_unpacked(reply, NULL);
    free(pos);
    return rc;
}
