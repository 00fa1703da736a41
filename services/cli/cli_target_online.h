/* cli_target_online.h - the `partrack target` verbs that talk to the registry */
#ifndef PARTRACK_CLI_TARGET_ONLINE_H
#define PARTRACK_CLI_TARGET_ONLINE_H

#include "cli_common.h"

/* argv[0] is the verb. Each returns a CLI_ exit code. */
int cli_target_import(cli_t *cli, int argc, char **argv);
int cli_target_list(cli_t *cli, int argc, char **argv);
int cli_target_cascade(cli_t *cli, int argc, char **argv);

#endif
