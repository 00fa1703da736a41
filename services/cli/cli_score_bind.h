/* cli_score_bind.h - `partrack score bind`: a scheme's key bound to a real task or plan */
#ifndef PARTRACK_CLI_SCORE_BIND_H
#define PARTRACK_CLI_SCORE_BIND_H

#include "cli_common.h"

/* argv[0] is "bind". Needs cli->zmq. Returns a CLI_ exit code. */
int cli_score_bind(cli_t *cli, int argc, char **argv);

#endif
