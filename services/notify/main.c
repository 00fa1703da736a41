/* main.c - partrack-notify: every unit head's feed
 *
 * Reads its configuration, applies the notify schema's migrations, then
 * runs notify_server until SIGTERM or SIGINT; a second signal exits at
 * once. Tear-down in reverse order.
 */
#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "notify_server.h"
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

extern const migration_t notify_migrations[];
extern const int notify_migrations_count;

static config_entry_t config[] = {
    {"PARTRACK_DATABASE_URL", CONFIG_STRING, "dbname=partrack", 0, 0,
     "libpq connection string or URL of the database", NULL, 0},
    {"PARTRACK_NOTIFY_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:5554", 0, 0,
     "where the notify service serves requests (ROUTER)", NULL, 0},
    {"PARTRACK_REGISTRY_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5561", 0, 0,
     "the registry's event wake-ups (PUB) to subscribe to", NULL, 0},
    {"PARTRACK_DEADLINE_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5562", 0, 0,
     "the deadline service's event wake-ups (PUB) to subscribe to", NULL, 0},
    {"PARTRACK_SCORING_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5565", 0, 0,
     "the scoring service's event wake-ups (PUB) to subscribe to", NULL, 0},
    {"PARTRACK_FEED_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:5564", 0, 0,
     "where people read their feeds (ROUTER, CURVE)", NULL, 0},
    {"PARTRACK_DEADLINE_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:5552", 0, 0,
     "the deadline service, told of acknowledged escalations", NULL, 0},
    {"PARTRACK_DIGEST_CHECK_SECONDS", CONFIG_INT, "60", 1, 3600,
     "how often due daily digests are looked for", NULL, 0},
    {"PARTRACK_NOTIFY_BATCH", CONFIG_INT, "1000", 1, 100000, "events handled per transaction", NULL,
     0},
    {"PARTRACK_NOTIFY_POLL_MS", CONFIG_INT, "200", 10, 60000,
     "longest wait between looks at new events", NULL, 0},
    {"PARTRACK_MAX_MESSAGE_BYTES", CONFIG_INT, "1048576", 1024, 1073741824,
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

int main(int argc, char **argv)
{
    int exit_code;
    if (service_start("partrack-notify",
                      "Turns the deadline service's and the registry's events into entries of\n"
                      "each person's feed: due soon, due, overdue and escalated tasks, moved\n"
                      "due dates, consultations deemed agreed, new tasks. Stops on SIGTERM or\n"
                      "SIGINT.",
                      config, NCONFIG, argc, argv, &exit_code) < 0)
        return exit_code;
    char errbuf[2048];
    int rc = 1;
    void *ctx = NULL;
    notify_server_t *server = NULL;
    db_t *db = service_open_db("partrack-notify", value("PARTRACK_DATABASE_URL"),
                               number("PARTRACK_DB_WAIT_SECONDS"), "notify", notify_migrations,
                               notify_migrations_count);
    if (!db)
        return 1;
    notify_config_t nc = {
        .endpoint = value("PARTRACK_NOTIFY_ENDPOINT"),
        .registry_events = value("PARTRACK_REGISTRY_EVENTS"),
        .deadline_events = value("PARTRACK_DEADLINE_EVENTS"),
        .scoring_events = value("PARTRACK_SCORING_EVENTS"),
        .feed_endpoint = value("PARTRACK_FEED_ENDPOINT"),
        .deadline_endpoint = value("PARTRACK_DEADLINE_ENDPOINT"),
        .digest_check_ms = number("PARTRACK_DIGEST_CHECK_SECONDS") * 1000,
        .max_msg_bytes = (size_t)number("PARTRACK_MAX_MESSAGE_BYTES"),
        .batch = number("PARTRACK_NOTIFY_BATCH"),
    };
    ctx = zmq_ctx_new();
    if (!(server = notify_server_new(ctx, db, &nc, errbuf, sizeof errbuf))) {
        log_error("cannot start", "reason=\"%s\"", errbuf);
        goto done;
    }
    log_info(
        "serving", "endpoint=%s feed=%s registry_events=%s deadline_events=%s scoring_events=%s",
        nc.endpoint, nc.feed_endpoint, nc.registry_events, nc.deadline_events, nc.scoring_events);
    int poll_ms = number("PARTRACK_NOTIFY_POLL_MS");
    while (!service_stopping())
        notify_server_step(server, poll_ms);
    log_info("stopping", "%s", "");
    rc = 0;
done:
    notify_server_destroy(&server);
    if (ctx)
        zmq_ctx_term(ctx);
    db_destroy(&db);
    return rc;
}
