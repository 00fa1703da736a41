/* main.c - partrack-registry: the unit directory service
 *
 * Reads its configuration, applies the registry's migrations, then serves
 * requests until SIGTERM or SIGINT; a second signal exits at once. Tear-down
 * runs in reverse order of set-up.
 */
#include "config.h"
#include "db.h"
#include "ingest_server.h"
#include "log.h"
#include "migrate.h"
#include "registry_server.h"
#include "service.h"
#include "workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

extern const migration_t registry_migrations[];
extern const int registry_migrations_count;

static config_entry_t config[] = {
    {"PARTRACK_DATABASE_URL", CONFIG_STRING, "dbname=partrack", 0, 0,
     "libpq connection string or URL of the database", NULL, 0},
    {"PARTRACK_REGISTRY_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:5551", 0, 0,
     "where the registry serves requests (ROUTER)", NULL, 0},
    {"PARTRACK_REGISTRY_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5561", 0, 0,
     "where the registry publishes event wake-ups (PUB)", NULL, 0},
    {"PARTRACK_INGEST_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:5553", 0, 0,
     "where other systems publish task updates and measurements (ROUTER, CURVE)", NULL, 0},
    {"PARTRACK_INGEST_BATCH", CONFIG_INT, "500", 1, 100000,
     "most ingest messages committed in one transaction", NULL, 0},
    {"PARTRACK_INGEST_MAX_SKEW_SECONDS", CONFIG_INT, "300", 0, 86400,
     "how far ahead of the registry's clock a publisher's timestamps may be", NULL, 0},
    {"PARTRACK_MAX_MESSAGE_BYTES", CONFIG_INT, "16777216", 1024, 1073741824,
     "largest request accepted, in bytes", NULL, 0},
    {"PARTRACK_DB_WAIT_SECONDS", CONFIG_INT, "30", 0, 3600,
     "how long to wait for the database at start", NULL, 0},
    {"PARTRACK_CALENDAR_FILE", CONFIG_STRING, "(next to the binary)", 0, 0,
     "the working-day calendar data (JSON); default share/partrack/calendar-vn.json", NULL, 0},
    {"PARTRACK_LOG_LEVEL", CONFIG_LEVEL, "info", 0, 0, "debug, info, warn or error", NULL, 0},
};
#define NCONFIG (sizeof config / sizeof config[0])

static const char *value(const char *name)
{
    return config_get(config, NCONFIG, name)->value;
}

static long number(const char *name)
{
    return config_get(config, NCONFIG, name)->number;
}

/* Requests, and the ingest thread's commits (whose events wake consumers). */
static void serve(registry_server_t *server, ingest_server_t *ingest)
{
    zmq_pollitem_t items[] = {{registry_server_socket(server), 0, ZMQ_POLLIN, 0},
                              {ingest_server_wake_socket(ingest), 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 2, 250) <= 0)
        return;
    if (items[1].revents & ZMQ_POLLIN) {
        int64_t seq, last = 0;
        while (zmq_recv(items[1].socket, &seq, sizeof seq, ZMQ_DONTWAIT) == (int)sizeof seq)
            last = seq > last ? seq : last;
        if (last > 0)
            registry_server_wake(server, last);
    }
    if (items[0].revents & ZMQ_POLLIN)
        registry_server_step(server, 0);
}

int main(int argc, char **argv)
{
    int exit_code;
    if (service_start("partrack-registry",
                      "Serves the unit directory (units, aliases, people, reorganizations),\n"
                      "plans and tasks over ZeroMQ, and takes other systems' task updates and\n"
                      "measurements on the ingest endpoint (CURVE). Stops on SIGTERM or SIGINT.",
                      config, NCONFIG, argc, argv, &exit_code) < 0)
        return exit_code;
    char errbuf[2048];

    int rc = 1;
    void *ctx = NULL;
    registry_server_t *server = NULL;
    ingest_server_t *ingest = NULL;
    workcal_t *cal = NULL;
    db_t *db = service_open_db("partrack-registry", value("PARTRACK_DATABASE_URL"),
                               (int)number("PARTRACK_DB_WAIT_SECONDS"), "registry",
                               registry_migrations, registry_migrations_count);
    if (!db)
        return 1;

    cal = workcal_load_default(errbuf, sizeof errbuf);
    if (!cal) {
        log_error("calendar unreadable", "reason=\"%s\"", errbuf);
        goto done;
    }
    ctx = zmq_ctx_new();
    server =
        registry_server_new(ctx, db, cal, value("PARTRACK_REGISTRY_ENDPOINT"),
                            value("PARTRACK_REGISTRY_EVENTS"), value("PARTRACK_INGEST_ENDPOINT"),
                            (size_t)number("PARTRACK_MAX_MESSAGE_BYTES"), errbuf, sizeof errbuf);
    if (!server) {
        log_error("cannot start", "reason=\"%s\"", errbuf);
        goto done;
    }
    ingest_config_t ingest_config = {
        .endpoint = value("PARTRACK_INGEST_ENDPOINT"),
        .database_url = value("PARTRACK_DATABASE_URL"),
        .batch = (int)number("PARTRACK_INGEST_BATCH"),
        .max_skew_ms = number("PARTRACK_INGEST_MAX_SKEW_SECONDS") * 1000,
        .max_msg_bytes = (size_t)number("PARTRACK_MAX_MESSAGE_BYTES"),
    };
    ingest = ingest_server_start(ctx, &ingest_config, errbuf, sizeof errbuf);
    if (!ingest) {
        log_error("cannot start the ingest endpoint", "reason=\"%s\"", errbuf);
        goto done;
    }
    log_info("serving", "endpoint=%s events=%s ingest=%s ingest_key=%s",
             value("PARTRACK_REGISTRY_ENDPOINT"), value("PARTRACK_REGISTRY_EVENTS"),
             value("PARTRACK_INGEST_ENDPOINT"), ingest_server_public_key(ingest));
    while (!service_stopping())
        serve(server, ingest);
    log_info("stopping", "%s", "");
    rc = 0;
done:
    ingest_server_stop(&ingest);
    registry_server_destroy(&server);
    workcal_destroy(&cal);
    if (ctx)
        zmq_ctx_term(ctx);
    db_destroy(&db);
    return rc;
}
