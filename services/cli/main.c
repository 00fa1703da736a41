/* main.c - partrack: the command line for people and scripts
 *
 * Global options come before the command; each command parses its own.
 * Commands that need a service talk to it over ZeroMQ; the endpoints come from
 * --registry or PARTRACK_REGISTRY_ENDPOINT (the registry), --deadline or
 * PARTRACK_DEADLINE_ENDPOINT (the deadline service: due, status, clock) and
 * --notify or PARTRACK_NOTIFY_ENDPOINT (the notify service: person key,
 * follow), --scoring or PARTRACK_SCORING_ENDPOINT (the scoring service:
 * score verbs but compute). `feed` reads a person's feed on the endpoint its key file names.
 */
#include "cli_calendar.h"
#include "cli_common.h"
#include "cli_deadline.h"
#include "cli_consult.h"
#include "cli_due.h"
#include "cli_feed.h"
#include "cli_person.h"
#include "cli_plan.h"
#include "cli_publish.h"
#include "cli_publisher.h"
#include "cli_score.h"
#include "cli_task.h"
#include "cli_target.h"
#include "cli_unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static const char usage[] =
    "usage: partrack [--registry ENDPOINT] [--deadline ENDPOINT] [--notify ENDPOINT]\n"
    "                [--scoring ENDPOINT] [--timeout SECONDS] COMMAND ...\n"
    "\n"
    "partrack tracks a city's administrative-reform (CCHC) plans, their tasks and\n"
    "deadlines, and the units that carry them out.\n"
    "\n"
    "Commands:\n"
    "  unit      the unit directory: import, list, show, resolve, merge, rename, move\n"
    "  task      tasks of plans: list, show, update\n"
    "  ping      check that the registry answers\n"
    "  deadline  read Vietnamese deadline phrases: explain (no service needed)\n"
    "  calendar  the working-day calendar: holidays, is-workday, add-workdays, lunar\n"
    "  plan      plans and their task tables: parse (offline), import, show\n"
    "  target    plans' targets (chỉ tiêu): parse (offline), import, list, cascade\n"
    "  score     PAR Index scores: compute (offline); scheme, facts, set, stage, show, rank,\n"
    "            explain, bind (the scoring service)\n"
    "  due       tasks' due dates: open occurrences by level, ack an alert\n"
    "  consult   consultations (lấy ý kiến): request, answer, show\n"
    "  status    done on time, late, open, overdue, waiting: by unit, by area\n"
    "  clock     the deadline service's clock: show, set (manual clock only)\n"
    "  publisher systems that publish into partrack: add (makes a key file), revoke, list\n"
    "  publish   send a JSON-lines file of task updates and measurements as a publisher\n"
    "  person    people's feed keys: key (makes a key file)\n"
    "  follow    follow a unit's news in a person's feed, or stop\n"
    "  feed      read a person's feed with their key file; ack what was read\n"
    "\n"
    "Options:\n"
    "  --registry ENDPOINT  registry address (default $PARTRACK_REGISTRY_ENDPOINT or\n"
    "                       tcp://127.0.0.1:5551)\n"
    "  --deadline ENDPOINT  deadline service address, for due, status and clock\n"
    "                       (default $PARTRACK_DEADLINE_ENDPOINT or tcp://127.0.0.1:5552)\n"
    "  --notify ENDPOINT    notify service address, for person and follow\n"
    "                       (default $PARTRACK_NOTIFY_ENDPOINT or tcp://127.0.0.1:5554)\n"
    "  --scoring ENDPOINT   scoring service address, for score (but compute)\n"
    "                       (default $PARTRACK_SCORING_ENDPOINT or tcp://127.0.0.1:5555)\n"
    "  --timeout SECONDS    how long to keep trying a service (default 30)\n"
    "  --version            print the version\n"
    "\n"
    "`partrack COMMAND --help` tells more. Read commands take --json.\n"
    "Exit status: 0 done, 1 refused, 2 usage error, 3 service unavailable.\n";

int main(int argc, char **argv)
{
    cli_t cli = {0};
    cli.registry = getenv("PARTRACK_REGISTRY_ENDPOINT");
    if (!cli.registry || !*cli.registry)
        cli.registry = "tcp://127.0.0.1:5551";
    cli.deadline = getenv("PARTRACK_DEADLINE_ENDPOINT");
    if (!cli.deadline || !*cli.deadline)
        cli.deadline = "tcp://127.0.0.1:5552";
    cli.notify = getenv("PARTRACK_NOTIFY_ENDPOINT");
    if (!cli.notify || !*cli.notify)
        cli.notify = "tcp://127.0.0.1:5554";
    cli.scoring = getenv("PARTRACK_SCORING_ENDPOINT");
    if (!cli.scoring || !*cli.scoring)
        cli.scoring = "tcp://127.0.0.1:5555";
    cli.timeout_ms = 30000;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("partrack %s\n", PARTRACK_VERSION);
            return CLI_OK;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--registry") == 0 && i + 1 < argc) {
            cli.registry = argv[++i];
        } else if (strcmp(argv[i], "--deadline") == 0 && i + 1 < argc) {
            cli.deadline = argv[++i];
        } else if (strcmp(argv[i], "--notify") == 0 && i + 1 < argc) {
            cli.notify = argv[++i];
        } else if (strcmp(argv[i], "--scoring") == 0 && i + 1 < argc) {
            cli.scoring = argv[++i];
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            char *end;
            long seconds = strtol(argv[++i], &end, 10);
            if (*end || seconds < 1 || seconds > 86400) {
                fprintf(stderr, "partrack: --timeout takes seconds between 1 and 86400\n");
                return CLI_USAGE;
            }
            cli.timeout_ms = (int)seconds * 1000;
        } else if ((strcmp(argv[i], "--registry") == 0 || strcmp(argv[i], "--deadline") == 0 ||
                    strcmp(argv[i], "--notify") == 0 || strcmp(argv[i], "--scoring") == 0 ||
                    strcmp(argv[i], "--timeout") == 0) &&
                   i + 1 >= argc) {
            fprintf(stderr, "partrack: %s needs a value\n\n%s", argv[i], usage);
            return CLI_USAGE;
        } else {
            fprintf(stderr, "partrack: unknown option %s\n\n%s", argv[i], usage);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    static const struct {
        const char *name;
        int (*run)(cli_t *, int, char **);
        bool offline; /* needs no service */
    } commands[] = {
        {"unit", cli_unit, false},
        {"ping", cli_ping, false},
        {"task", cli_task, false},
        {"deadline", cli_deadline, true},
        {"calendar", cli_calendar, true},
        {"plan", cli_plan, true}, /* cli_plan makes a context for its online verbs */
        {"target", cli_target, true},
        {"score", cli_score, true},
        {"due", cli_due, false},
        {"consult", cli_consult, false},
        {"status", cli_status, false},
        {"clock", cli_clock, false},
        {"publisher", cli_publisher, false},
        {"publish", cli_publish, false},
        {"person", cli_person, false},
        {"follow", cli_follow, false},
        {"feed", cli_feed, false},
    };
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(argv[i], commands[c].name) == 0) {
            cli.zmq = commands[c].offline ? NULL : zmq_ctx_new();
            int rc = commands[c].run(&cli, argc - i, argv + i);
            if (cli.zmq)
                zmq_ctx_term(cli.zmq);
            return rc;
        }
    }
    fprintf(stderr, "partrack: unknown command %s\n\n%s", argv[i], usage);
    return CLI_USAGE;
}
