/* cli_target.h - `partrack target ...`: plans' targets (chỉ tiêu) */
#ifndef PARTRACK_CLI_TARGET_H
#define PARTRACK_CLI_TARGET_H

#include "cli_common.h"

/* argv[0] is "target"; `parse` needs no service. Returns a CLI_ exit code. */
int cli_target(cli_t *cli, int argc, char **argv);

#endif
