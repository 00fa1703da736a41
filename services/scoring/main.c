/* main.c - partrack-scoring: PAR Index scores kept up to date
 *
 * Reads its configuration, applies the scoring schema's migrations, then
 * runs scoring_server until SIGTERM or SIGINT; a second signal exits at
 * once. Tear-down in reverse order.
 */
#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "scoring_server.h"
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

extern const migration_t scoring_migrations[];
extern const int scoring_migrations_count;

static config_entry_t config[] = {
    {"PARTRACK_DATABASE_URL", CONFIG_STRING, "dbname=partrack", 0, 0,
     "libpq connection string or URL of the database", NULL, 0},
    {"PARTRACK_SCORING_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:5555", 0, 0,
     "where the scoring service serves requests (ROUTER)", NULL, 0},
    {"PARTRACK_SCORING_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5565", 0, 0,
     "where the scoring service publishes event wake-ups (ScorePublished)", NULL, 0},
    {"PARTRACK_REGISTRY_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5561", 0, 0,
     "the registry's event wake-ups (PUB) to subscribe to", NULL, 0},
    {"PARTRACK_DEADLINE_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5562", 0, 0,
     "the deadline service's event wake-ups (PUB: task outcomes) to subscribe to", NULL, 0},
    {"PARTRACK_SCORING_PUBLISH_THRESHOLD", CONFIG_STRING, "1", 0, 0,
     "points (0-1000, decimals allowed) a score must move by before it is published", NULL, 0},
    {"PARTRACK_SCORING_BATCH", CONFIG_INT, "1000", 1, 100000, "events handled per transaction",
     NULL, 0},
    {"PARTRACK_SCORING_POLL_MS", CONFIG_INT, "200", 10, 60000,
     "longest wait between looks at new events", NULL, 0},
    {"PARTRACK_MAX_MESSAGE_BYTES", CONFIG_INT, "16777216", 1024, 1073741824,
     "largest request accepted, in bytes", NULL, 0},
    {"PARTRACK_DB_WAIT_SECONDS", CONFIG_INT, "30", 0, 3600,
     "how long to wait for the database at start", NULL, 0},
    {"PARTRACK_LOG_LEVEL", CONFIG_LEVEL, "info", 0, 0, "debug, info, warn or error", NULL, 0},
};
#define NCONFIG (sizeof config / sizeof config[0])

static const char *value(const char *name)
{
    return config_get(config, NCONFIG, name)->value;
}

static int number(const char *name)
{
    return (int)config_get(config, NCONFIG, name)->number;
}

/* The publish threshold in points, or -1 if the text is not one. */
static double threshold(const char *text)
{
    char *end;
    double t = strtod(text, &end);
    return *text && !*end && t >= 0 && t <= 1000 ? t : -1;
}

int main(int argc, char **argv)
{
    int exit_code;
    if (service_start("partrack-scoring",
                      "Keeps every unit's PAR Index score under the stored scoring schemes:\n"
                      "schemes, facts (appraisals, survey, outcomes, and the registry's\n"
                      "measurements), task outcomes from the deadline service, stages with an\n"
                      "audit trail, and a ScorePublished event\n"
                      "when a score is locked or moves past the threshold. Stops on SIGTERM or\n"
                      "SIGINT.",
                      config, NCONFIG, argc, argv, &exit_code) < 0)
        return exit_code;
    double publish_threshold = threshold(value("PARTRACK_SCORING_PUBLISH_THRESHOLD"));
    if (publish_threshold < 0) {
        fprintf(stderr, "PARTRACK_SCORING_PUBLISH_THRESHOLD=%s: not a number of points 0-1000\n",
                value("PARTRACK_SCORING_PUBLISH_THRESHOLD"));
        return 2;
    }
    char errbuf[2048];
    int rc = 1;
    void *ctx = NULL;
    scoring_server_t *server = NULL;
    db_t *db = service_open_db("partrack-scoring", value("PARTRACK_DATABASE_URL"),
                               number("PARTRACK_DB_WAIT_SECONDS"), "scoring", scoring_migrations,
                               scoring_migrations_count);
    if (!db)
        return 1;
    scoring_config_t sc = {
        .endpoint = value("PARTRACK_SCORING_ENDPOINT"),
        .events = value("PARTRACK_SCORING_EVENTS"),
        .registry_events = value("PARTRACK_REGISTRY_EVENTS"),
        .deadline_events = value("PARTRACK_DEADLINE_EVENTS"),
        .publish_threshold = publish_threshold,
        .max_msg_bytes = (size_t)number("PARTRACK_MAX_MESSAGE_BYTES"),
        .batch = number("PARTRACK_SCORING_BATCH"),
    };
    ctx = zmq_ctx_new();
    if (!(server = scoring_server_new(ctx, db, &sc, errbuf, sizeof errbuf))) {
        log_error("cannot start", "reason=\"%s\"", errbuf);
        goto done;
    }
    log_info("serving",
             "endpoint=%s events=%s registry_events=%s deadline_events=%s publish_threshold=%g",
             sc.endpoint, sc.events, sc.registry_events, sc.deadline_events, publish_threshold);
    int poll_ms = number("PARTRACK_SCORING_POLL_MS");
    while (!service_stopping())
        scoring_server_step(server, poll_ms);
    log_info("stopping", "%s", "");
    rc = 0;
done:
    scoring_server_destroy(&server);
    if (ctx)
        zmq_ctx_term(ctx);
    db_destroy(&db);
    return rc;
}
