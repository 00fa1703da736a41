/* service.c - what every service's main() does before and around its loop */
#include "service.h"

#include "log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef PARTRACK_VERSION
#define PARTRACK_VERSION "0.0.0"
#endif

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig)
{
    if (stopping)
        _exit(128 + sig); /* second signal: exit at once */
    stopping = 1;
}

bool service_stopping(void)
{
    return stopping != 0;
}

int service_start(const char *name, const char *about, config_entry_t *config, size_t count,
                  int argc, char **argv, int *exit_code)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: %s\n\n%s\n\n", name, about);
        config_print_help(config, count);
        *exit_code = 0;
        return -1;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("%s %s\n", name, PARTRACK_VERSION);
        *exit_code = 0;
        return -1;
    }
    if (argc > 1) {
        fprintf(stderr,
                "%s: unexpected argument %s (configuration comes from the "
                "environment; see --help)\n",
                name, argv[1]);
        *exit_code = 2;
        return -1;
    }
    char errbuf[2048];
    if (config_load(config, count, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "%s: bad configuration:\n%s\n", name, errbuf);
        *exit_code = 2;
        return -1;
    }
    log_level_t level = LOG_INFO;
    for (size_t i = 0; i < count; i++)
        if (strcmp(config[i].name, "PARTRACK_LOG_LEVEL") == 0)
            level = (log_level_t)config[i].number;
    log_init(name, level);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

db_t *service_open_db(const char *app, const char *url, int wait_seconds, const char *schema,
                      const migration_t *migrations, int count)
{
    char errbuf[2048];
    int applied;
    db_t *db = db_new(url, app);
    if (!db) {
        log_error("out of memory", "%s", "");
        return NULL;
    }
    if (db_ensure(db, wait_seconds * 1000) != DB_OK) {
        log_error("database unreachable", "reason=\"%s\"", db_error(db));
        db_destroy(&db);
        return NULL;
    }
    if (migrate_apply(db, schema, migrations, count, &applied, errbuf, sizeof errbuf) < 0) {
        log_error("migration failed", "reason=\"%s\"", errbuf);
        db_destroy(&db);
        return NULL;
    }
    log_info("migrations", "schema=%s applied=%d", schema, applied);
    return db;
}
