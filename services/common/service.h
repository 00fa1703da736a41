/* service.h - what every service's main() does before and around its loop
 *
 * service_start answers --help (usage plus the configuration table) and
 * --version, loads and checks the configuration table, starts logging at
 * the level of its PARTRACK_LOG_LEVEL entry, and installs the signal rules
 * of DESIGN.md: the first SIGTERM or SIGINT asks the loop to stop
 * (service_stopping), a second exits at once; SIGPIPE is ignored.
 */
#ifndef PARTRACK_SERVICE_H
#define PARTRACK_SERVICE_H

#include "config.h"
#include "db.h"
#include "migrate.h"

#include <stdbool.h>

/* Returns 0 to go on, or -1 with *exit_code set (0 after --help or
 * --version, 2 for bad configuration, reasons printed). `name` is the
 * binary's name; `about` one paragraph for --help. */
int service_start(const char *name, const char *about, config_entry_t *config, size_t count,
                  int argc, char **argv, int *exit_code);

/* True once a stop signal arrived. */
bool service_stopping(void);

/* Connects to the database at `url` as `app`, waiting up to wait_seconds for
 * it, and applies the service's migrations to `schema`. Returns the
 * connection (caller destroys with db_destroy), or NULL after logging why. */
db_t *service_open_db(const char *app, const char *url, int wait_seconds, const char *schema,
                      const migration_t *migrations, int count);

#endif
