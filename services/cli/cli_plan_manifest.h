/* cli_plan_manifest.h - `partrack plan import --manifest FILE`: many plans at once */
#ifndef PARTRACK_CLI_PLAN_MANIFEST_H
#define PARTRACK_CLI_PLAN_MANIFEST_H

#include "cli_common.h"

#include <stdbool.h>

/* Imports every plan the manifest lists. Returns a CLI_ exit code. */
int cli_plan_import_manifest(cli_t *cli, const char *path, bool dry_run, bool skip_imported,
                             bool json);

#endif
