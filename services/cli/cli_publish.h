/* cli_publish.h - `partrack publish FILE --key KEYFILE`: a JSON-lines file of
 * task updates and measurements into the registry's ingest endpoint */
#ifndef PARTRACK_CLI_PUBLISH_H
#define PARTRACK_CLI_PUBLISH_H

#include "cli_common.h"

/* argv[0] is "publish". Returns a CLI_ exit code. */
int cli_publish(cli_t *cli, int argc, char **argv);

#endif
