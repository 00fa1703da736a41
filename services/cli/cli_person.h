/* cli_person.h - `partrack person key ID` and `partrack follow CODE
 * --person ID`: people's feed keys and the units they follow */
#ifndef PARTRACK_CLI_PERSON_H
#define PARTRACK_CLI_PERSON_H

#include "cli_common.h"

/* argv[0] is "person". Returns a CLI_ exit code. */
int cli_person(cli_t *cli, int argc, char **argv);

/* argv[0] is "follow". Returns a CLI_ exit code. */
int cli_follow(cli_t *cli, int argc, char **argv);

#endif
