/* cli_publisher.h - `partrack publisher ...`: the other systems that publish
 * into partrack (add, revoke, list) */
#ifndef PARTRACK_CLI_PUBLISHER_H
#define PARTRACK_CLI_PUBLISHER_H

#include "cli_common.h"

/* argv[0] is "publisher". Returns a CLI_ exit code. */
int cli_publisher(cli_t *cli, int argc, char **argv);

#endif
