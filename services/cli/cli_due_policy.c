/* cli_due_policy.c - `partrack due policy`: how many days before its due
 * date an occurrence of a plan is due soon (see services/deadline/
 * monitor_policy.h for what the service does with it) */
#include "cli_due_policy.h"

#include "deadline.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: partrack due policy --plan NUMBER [--unit CODE] [--soon-days N | --default]\n"
    "                           [--json]\n"
    "\n"
    "Shows or sets how many calendar days before its due date an occurrence of a\n"
    "plan becomes due soon (Sắp đến hạn; the lead unit is reminded then). Without\n"
    "--soon-days or --default it shows the setting in force.\n"
    "\n"
    "  --plan NUMBER    the plan's number, as \"104/KH-UBND\"\n"
    "  --unit CODE      the issuing unit; needed when several units have a plan of\n"
    "                   that number, or to set it before the plan is imported\n"
    "  --soon-days N    0 to 90 days (the service's default is\n"
    "                   PARTRACK_DEADLINE_DUE_SOON_DAYS, 7)\n"
    "  --default        back to the service's default\n"
    "  --json           {\"plan_number\", \"plan_unit\", \"soon_days\", \"plan_default\",\n"
    "                   \"recomputed\"}\n"
    "\n"
    "The setting holds for plans that replace this one. Open occurrences take it\n"
    "at once: one now due soon by the new count is reminded at the next sweep; one\n"
    "no longer due soon keeps its level (a reminder sent is not taken back).\n";

int cli_due_policy(cli_t *cli, int argc, char **argv)
{
    const char *plan = NULL, *unit = NULL, *days = NULL;
    bool reset = false, json = false, help;
    const cli_option_t options[] = {
        {"plan", &plan, NULL, NULL, NULL},      {"unit", &unit, NULL, NULL, NULL},
        {"soon-days", &days, NULL, NULL, NULL}, {"default", NULL, &reset, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},      {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    if (npos > 0) {
        fprintf(stderr, "partrack: due policy takes options only\n\n%s", usage);
        return CLI_USAGE;
    }
    if (!plan || !*plan) {
        fprintf(stderr, "partrack: name the plan with --plan NUMBER\n\n%s", usage);
        return CLI_USAGE;
    }
    if (days && reset) {
        fprintf(stderr, "partrack: give --soon-days or --default, not both\n\n%s", usage);
        return CLI_USAGE;
    }
    Partrack__DuePolicyRequest req = PARTRACK__DUE_POLICY_REQUEST__INIT;
    if (days) {
        char *end;
        errno = 0;
        long n = strtol(days, &end, 10);
        if (!*days || *end || errno || n < 0 || n > 90) {
            fprintf(stderr, "partrack: --soon-days takes 0 to 90 days, not \"%s\"\n", days);
            return CLI_USAGE;
        }
        req.has_soon_days = 1;
        req.soon_days = (int32_t)n;
    }
    req.plan_number = (char *)plan;
    req.plan_unit = (char *)unit;
    req.has_reset = reset;
    req.reset = reset;
    Partrack__DuePolicyReply *r = NULL;
    rc = cli_call(cli, cli->deadline, PARTRACK__MESSAGE_TYPE__MSG_DUE_POLICY, &req.base, false,
                  PARTRACK__MESSAGE_TYPE__MSG_DUE_POLICY_REPLY,
                  &partrack__due_policy_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        cli_print_json(json_pack("{s:s, s:s, s:i, s:b, s:i}", "plan_number", r->plan_number,
                                 "plan_unit", r->plan_unit, "soon_days", r->soon_days,
                                 "plan_default", r->plan_default, "recomputed",
                                 (int)r->recomputed));
    } else {
        printf("%s (%s): due soon %d day%s before the due date%s\n", r->plan_number, r->plan_unit,
               r->soon_days, r->soon_days == 1 ? "" : "s",
               r->plan_default ? " (the service's default)" : "");
        if (days || reset)
            printf("%u open occurrence%s rescheduled their next step\n", r->recomputed,
                   r->recomputed == 1 ? "" : "s");
    }
    partrack__due_policy_reply__free_unpacked(r, NULL);
    return CLI_OK;
}
