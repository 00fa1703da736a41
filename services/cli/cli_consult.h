/* cli_consult.h - `partrack consult ...`: consultations (lấy ý kiến) */
#ifndef PARTRACK_CLI_CONSULT_H
#define PARTRACK_CLI_CONSULT_H

#include "cli_common.h"

/* argv[0] is "consult". Returns a CLI_ exit code. */
int cli_consult(cli_t *cli, int argc, char **argv);

#endif
