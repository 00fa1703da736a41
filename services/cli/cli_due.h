/* cli_due.h - `partrack due`, `status`, `clock`: the deadline service's commands */
#ifndef PARTRACK_CLI_DUE_H
#define PARTRACK_CLI_DUE_H

#include "cli_common.h"

/* argv[0] is "due": list open occurrences, or `due ack ID --level L`. Talks to
 * cli->deadline. Returns a CLI_ exit code. */
int cli_due(cli_t *cli, int argc, char **argv);

/* argv[0] is "status": the done/open counts by unit and by area. Talks to
 * cli->deadline. Returns a CLI_ exit code. */
int cli_status(cli_t *cli, int argc, char **argv);

/* argv[0] is "clock": show the deadline service's clock, or `clock set WHEN`
 * (manual clock only). Talks to cli->deadline. Returns a CLI_ exit code. */
int cli_clock(cli_t *cli, int argc, char **argv);

#endif
