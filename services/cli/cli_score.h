/* cli_score.h - `partrack score ...`: PAR Index scores */
#ifndef PARTRACK_CLI_SCORE_H
#define PARTRACK_CLI_SCORE_H

#include "cli_common.h"

/* argv[0] is "score"; `compute` needs no service. Returns a CLI_ exit code. */
int cli_score(cli_t *cli, int argc, char **argv);

#endif
