/* cli_due_policy.h - `partrack due policy`: a plan's due-soon days */
#ifndef PARTRACK_CLI_DUE_POLICY_H
#define PARTRACK_CLI_DUE_POLICY_H

#include "cli_common.h"

/* argv[0] is "policy" (after "due"). Talks to cli->deadline. Returns a CLI_
 * exit code. */
int cli_due_policy(cli_t *cli, int argc, char **argv);

#endif
