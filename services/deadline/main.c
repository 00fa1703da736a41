/* main.c - partrack-deadline: watches every task's due dates
 *
 * Reads its configuration, applies the deadline schema's migrations, loads
 * the working-day calendar, then runs monitor_server until SIGTERM or
 * SIGINT; a second signal exits at once. Tear-down in reverse order.
 */
#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "monitor_server.h"
#include "service.h"
#include "workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

extern const migration_t deadline_migrations[];
extern const int deadline_migrations_count;

static config_entry_t config[] = {
    {"PARTRACK_DATABASE_URL", CONFIG_STRING, "dbname=partrack", 0, 0,
     "libpq connection string or URL of the database", NULL, 0},
    {"PARTRACK_DEADLINE_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:5552", 0, 0,
     "where the deadline service serves requests (ROUTER)", NULL, 0},
    {"PARTRACK_DEADLINE_EVENTS", CONFIG_ENDPOINT, "tcp://127.0.0.1:5562", 0, 0,
     "where it publishes wake-ups of its events (PUB)", NULL, 0},
    {"PARTRACK_DEADLINE_CLOCK", CONFIG_STRING, "real", 0, 0,
     "real, or manual: time moves only by `partrack clock set` (tests, drills)", NULL, 0},
    {"PARTRACK_DUE_SOON_DAYS", CONFIG_INT, "7", 0, 365,
     "days before a due date when it becomes due soon (Sắp đến hạn)", NULL, 0},
    {"PARTRACK_ESCALATE_WORKDAYS", CONFIG_INT, "3", 1, 100,
     "working days overdue before the parent unit's head is told", NULL, 0},
    {"PARTRACK_STALE_MONTHS", CONFIG_INT, "3", 1, 24,
     "months without an update before a continuous task is stale", NULL, 0},
    {"PARTRACK_DEADLINE_BATCH", CONFIG_INT, "1000", 1, 100000,
     "events and occurrences handled per transaction", NULL, 0},
    {"PARTRACK_DEADLINE_POLL_MS", CONFIG_INT, "200", 10, 60000,
     "longest wait between looks at new events and due instants", NULL, 0},
    {"PARTRACK_MAX_MESSAGE_BYTES", CONFIG_INT, "1048576", 1024, 1073741824,
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

static int number(const char *name)
{
    return (int)config_get(config, NCONFIG, name)->number;
}

int main(int argc, char **argv)
{
    int exit_code;
    if (service_start("partrack-deadline",
                      "Watches every task's due dates on the working-day calendar: moves each\n"
                      "occurrence to due soon, due, overdue and escalated exactly once, and\n"
                      "answers `partrack due` and `partrack status`. Stops on SIGTERM or SIGINT.",
                      config, NCONFIG, argc, argv, &exit_code) < 0)
        return exit_code;
    const char *clock = value("PARTRACK_DEADLINE_CLOCK");
    if (strcmp(clock, "real") != 0 && strcmp(clock, "manual") != 0) {
        fprintf(stderr,
                "partrack-deadline: PARTRACK_DEADLINE_CLOCK must be real or manual, not "
                "\"%s\"\n",
                clock);
        return 2;
    }
    char errbuf[2048];
    int rc = 1;
    void *ctx = NULL;
    monitor_server_t *server = NULL;
    workcal_t *cal = NULL;
    db_t *db = service_open_db("partrack-deadline", value("PARTRACK_DATABASE_URL"),
                               number("PARTRACK_DB_WAIT_SECONDS"), "deadline", deadline_migrations,
                               deadline_migrations_count);
    if (!db)
        return 1;
    if (!(cal = workcal_load_default(errbuf, sizeof errbuf))) {
        log_error("calendar unreadable", "reason=\"%s\"", errbuf);
        goto done;
    }
    monitor_config_t mc = {
        .endpoint = value("PARTRACK_DEADLINE_ENDPOINT"),
        .events_endpoint = value("PARTRACK_DEADLINE_EVENTS"),
        .max_msg_bytes = (size_t)number("PARTRACK_MAX_MESSAGE_BYTES"),
        .batch = number("PARTRACK_DEADLINE_BATCH"),
        .policy = {.due_soon_days = number("PARTRACK_DUE_SOON_DAYS"),
                   .escalate_workdays = number("PARTRACK_ESCALATE_WORKDAYS"),
                   .stale_months = number("PARTRACK_STALE_MONTHS")},
        .clock = {.manual = strcmp(clock, "manual") == 0},
    };
    ctx = zmq_ctx_new();
    if (!(server = monitor_server_new(ctx, db, &cal, &mc, errbuf, sizeof errbuf))) {
        log_error("cannot start", "reason=\"%s\"", errbuf);
        goto done;
    }
    log_info("serving", "endpoint=%s events=%s clock=%s", mc.endpoint, mc.events_endpoint, clock);
    int poll_ms = number("PARTRACK_DEADLINE_POLL_MS");
    while (!service_stopping())
        monitor_server_step(server, poll_ms);
    log_info("stopping", "%s", "");
    rc = 0;
done:
    monitor_server_destroy(&server);
    workcal_destroy(&cal);
    if (ctx)
        zmq_ctx_term(ctx);
    db_destroy(&db);
    return rc;
}
