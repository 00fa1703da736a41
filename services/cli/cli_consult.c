/* cli_consult.c - `partrack consult ...`: consultations (lấy ý kiến)
 *
 * request asks a unit for its opinion by a date, answer records the reply,
 * show reads one back with its status. Without an answer by 24:00 of the due
 * date (moved to the next working day when that is a day off) the
 * consultation is deemed agreed: the deadline service tells both sides.
 */
#include "cli_consult.h"

#include "consult.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char consult_usage[] =
    "usage: partrack consult VERB ...\n"
    "\n"
    "  request --from CODE --to CODE --subject TEXT --due YYYY-MM-DD [--json]\n"
    "  answer ID --text TEXT [--json]\n"
    "  show ID [--json]\n"
    "\n"
    "A consultation (lấy ý kiến) asks a unit for its opinion by a date. Without an\n"
    "answer by the end of that day (the next working day if it is a day off) it is\n"
    "deemed agreed (seed 004, II.1.3): the deadline service tells both units.\n";

static const char *status_vn(const char *status)
{
    if (strcmp(status, "pending") == 0)
        return "chờ trả lời / pending";
    if (strcmp(status, "answered") == 0)
        return "đã trả lời / answered";
    if (strcmp(status, "answered_late") == 0)
        return "trả lời muộn / answered late (already deemed agreed)";
    if (strcmp(status, "deemed_agreed") == 0)
        return "coi như đồng ý / deemed agreed";
    return status;
}

/* Prints the reply and frees it; passes rc through. */
static int print_consultation(int rc, Partrack__Consultation *c, bool json)
{
    if (rc != CLI_OK)
        return rc;
    if (json) {
        cli_print_json(json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id",
                                 (json_int_t)c->id, "from", c->from_unit, "to", c->to_unit,
                                 "subject", c->subject, "due_on", c->due_on, "effective_due",
                                 c->effective_due, "status", c->status, "answer",
                                 cli_json_string(c->answer), "answered_at",
                                 cli_json_string(c->answered_at), "requested_at", c->requested_at));
    } else {
        printf("consultation %lld: %s asks %s\n", (long long)c->id, c->from_unit, c->to_unit);
        printf("  subject: %s\n", c->subject);
        printf("  due:     %s%s%s (ends 24:00)\n", c->due_on,
               strcmp(c->due_on, c->effective_due) ? ", a day off: " : "",
               strcmp(c->due_on, c->effective_due) ? c->effective_due : "");
        printf("  status:  %s\n", status_vn(c->status));
        if (c->answer)
            printf("  answer (%s): %s\n", c->answered_at ? c->answered_at : "", c->answer);
    }
    partrack__consultation__free_unpacked(c, NULL);
    return CLI_OK;
}

static int consult_id(const char *text, int64_t *id)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*end || v <= 0) {
        fprintf(stderr, "partrack: \"%s\" is not a consultation id\n", text);
        return CLI_USAGE;
    }
    *id = v;
    return CLI_OK;
}

static int call(cli_t *cli, Partrack__MessageType type, const ProtobufCMessage *req, bool mutation,
                bool json)
{
    Partrack__Consultation *c = NULL;
    int rc =
        cli_call(cli, cli->registry, type, req, mutation, PARTRACK__MESSAGE_TYPE__MSG_CONSULTATION,
                 &partrack__consultation__descriptor, (ProtobufCMessage **)&c);
    return print_consultation(rc, c, json);
}

static int verb_request(cli_t *cli, int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *subject = NULL, *due = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"from", &from, NULL, NULL, NULL},       {"to", &to, NULL, NULL, NULL},
        {"subject", &subject, NULL, NULL, NULL}, {"due", &due, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},       {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, consult_usage, &pos, &npos, &help);
    free(pos);
    if (rc == CLI_OK && !help && (npos || !from || !to || !subject || !due)) {
        fprintf(stderr, "partrack: give --from, --to, --subject and --due\n\n%s", consult_usage);
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK || help)
        return rc;
    Partrack__ConsultRequest req = PARTRACK__CONSULT_REQUEST__INIT;
    req.from_unit = (char *)from;
    req.to_unit = (char *)to;
    req.subject = (char *)subject;
    req.due_on = (char *)due;
    return call(cli, PARTRACK__MESSAGE_TYPE__MSG_CONSULT_REQUEST, &req.base, true, json);
}

static int verb_answer(cli_t *cli, int argc, char **argv)
{
    const char *text = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"text", &text, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, consult_usage, &pos, &npos, &help);
    Partrack__ConsultAnswerRequest req = PARTRACK__CONSULT_ANSWER_REQUEST__INIT;
    if (rc == CLI_OK && !help && (npos != 1 || !text)) {
        fprintf(stderr, "partrack: give the consultation ID and --text\n\n%s", consult_usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !help)
        rc = consult_id(pos[0], &req.id);
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    req.text = (char *)text;
    return call(cli, PARTRACK__MESSAGE_TYPE__MSG_CONSULT_ANSWER, &req.base, true, json);
}

static int verb_show(cli_t *cli, int argc, char **argv)
{
    bool json = false, help;
    const cli_option_t options[] = {
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, consult_usage, &pos, &npos, &help);
    Partrack__ConsultShowRequest req = PARTRACK__CONSULT_SHOW_REQUEST__INIT;
    if (rc == CLI_OK && !help && npos != 1) {
        fprintf(stderr, "partrack: give one consultation ID\n\n%s", consult_usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !help)
        rc = consult_id(pos[0], &req.id);
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    return call(cli, PARTRACK__MESSAGE_TYPE__MSG_CONSULT_SHOW, &req.base, false, json);
}

int cli_consult(cli_t *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(cli_t *, int, char **);
    } verbs[] = {{"request", verb_request}, {"answer", verb_answer}, {"show", verb_show}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(consult_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].run(cli, argc - 1, argv + 1);
    fprintf(stderr, "partrack: unknown verb consult %s\n\n%s", argv[1], consult_usage);
    return CLI_USAGE;
}
