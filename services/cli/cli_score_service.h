/* cli_score_service.h - `partrack score` verbs that talk to the scoring service */
#ifndef PARTRACK_CLI_SCORE_SERVICE_H
#define PARTRACK_CLI_SCORE_SERVICE_H

#include "cli_common.h"

#include <stdbool.h>

/* Whether `verb` is one of them: scheme, facts, set, stage, show, rank,
 * explain, bind. */
bool cli_score_service_verb(const char *verb);

/* argv[0] is the verb. Needs cli->zmq. Returns a CLI_ exit code. */
int cli_score_service(cli_t *cli, int argc, char **argv);

#endif
