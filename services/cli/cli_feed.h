/* cli_feed.h - `partrack feed --key KEYFILE`: a person's feed, read over
 * CURVE with the person's key file; `partrack feed ack`: what was read */
#ifndef PARTRACK_CLI_FEED_H
#define PARTRACK_CLI_FEED_H

#include "cli_common.h"

#include <stddef.h>

/* argv[0] is "feed". Returns a CLI_ exit code. */
int cli_feed(cli_t *cli, int argc, char **argv);

/* An RFC 3339 time ("2024-07-05T02:00:00.123Z", "2024-07-05 09:00:00+07")
 * as "dd/mm/yyyy HH:MM" in UTC+7 (Vietnam), into out (at least 17 bytes).
 * Returns 0, or -1 when it is not such a time (out then holds it as is,
 * cut to fit). */
int cli_feed_format_time(const char *rfc3339, char *out, size_t len);

#endif
