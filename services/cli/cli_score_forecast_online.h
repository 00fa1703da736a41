/* cli_score_forecast_online.h - `partrack score forecast`: the year-end forecast from the service
 */
#ifndef PARTRACK_CLI_SCORE_FORECAST_ONLINE_H
#define PARTRACK_CLI_SCORE_FORECAST_ONLINE_H

#include "cli_common.h"

/* argv[0] is "forecast". Needs cli->zmq. Returns a CLI_ exit code. */
int cli_score_forecast_online(cli_t *cli, int argc, char **argv);

#endif
