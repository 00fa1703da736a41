/* cli_score_service.c - `partrack score` verbs that talk to the scoring service
 *
 *   score scheme import FILE             store a scheme (replaces code+year+level)
 *   score facts import FILE              store units' facts from a data file
 *   score set CODE --year Y ...          one fact: appraised points, survey, N/A...
 *   score stage CODE --year Y STAGE      self, appraisal, explanation, reappraisal, locked
 *   score show --year Y [--unit CODE | --parent CODE] [--level KIND] [--audit] [--json]
 *   score rank --year Y (--parent CODE | --level KIND) [--json]
 *   score explain CODE --year Y [--json]
 *   score bind CODE --year Y [--key KEY (--task ID | --plan NUMBER)]   (cli_score_bind.c)
 *   score forecast CODE --year Y [--as-of DATE]    (cli_score_forecast_online.c)
 * Changes name who made them: --by NAME, else $PARTRACK_ACTOR, else $USER
 * (the service records "cli:NAME"). Texts for people are Vietnamese, as the
 * offline `score compute` prints them; --json gives the stored scores with
 * every node (score_result_to_json) for scripts.
 */
#include "cli_score_service.h"

#include "cli_score_bind.h"
#include "cli_score_forecast_online.h"
#include "score_explain.h"
#include "scoring.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: partrack score scheme import FILE [--by NAME] [--json]\n"
    "       partrack score facts import FILE [--by NAME] [--json]\n"
    "       partrack score set CODE --year Y (--node N --points P [--evidence TEXT]\n"
    "                          | --survey PCT | --not-applicable N | --applicable N\n"
    "                          | --measurement CODE --value V | --outcome KEY --is "
    "on_time|late|missing\n"
    "                          | --plan KEY --tasks N --on-time M\n"
    "                          | --adjustment N --points P [--evidence TEXT]) [--by NAME] "
    "[--json]\n"
    "       partrack score stage CODE --year Y self|appraisal|explanation|reappraisal|locked\n"
    "                          [--note TEXT] [--by NAME] [--json]\n"
    "       partrack score show --year Y [--unit CODE | --parent CODE] [--level KIND]\n"
    "                          [--scheme CODE] [--audit] [--json]\n"
    "       partrack score rank --year Y (--parent CODE | --level KIND | both) [--scheme CODE]\n"
    "                          [--json]\n"
    "       partrack score explain CODE --year Y [--scheme CODE] [--json]\n"
    "       partrack score bind CODE --year Y [--key KEY (--task TASK_ID | --plan NUMBER\n"
    "                          [--plan-unit CODE])] [--by NAME] [--json]\n"
    "       partrack score forecast CODE --year Y [--as-of YYYY-MM-DD] [--scheme CODE]\n"
    "                          [--explain] [--json]\n"
    "\n"
    "Ask the scoring service (--scoring ENDPOINT, default $PARTRACK_SCORING_ENDPOINT or\n"
    "tcp://127.0.0.1:5555). Stages go forward only; a locked score refuses every change.\n"
    "Ranks are among units of the same kind under the same parent; with --level KIND\n"
    "among the units of that kind in the whole city (the same top-level unit), and\n"
    "only those are shown.\n"
    "Every change is audited with who made it (--by, else $PARTRACK_ACTOR or $USER).\n";

bool cli_score_service_verb(const char *verb)
{
    static const char *const verbs[] = {"scheme", "facts",   "set",  "stage",   "show",
                                        "rank",   "explain", "bind", "forecast"};
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(verb, verbs[i]) == 0)
            return true;
    return false;
}

static const char *actor(const char *by)
{
    const char *a = by ? by : getenv("PARTRACK_ACTOR");
    if (!a || !*a)
        a = getenv("USER");
    return a && *a ? a : NULL;
}

static int parse_year(const char *text, int *year)
{
    char *end;
    long y = text ? strtol(text, &end, 10) : 0;
    if (!text || *end || y < 1990 || y > 2100) {
        fprintf(stderr, "partrack: --year takes a year (1990-2100)\n");
        return CLI_USAGE;
    }
    *year = (int)y;
    return CLI_OK;
}

static int parse_number(const char *option, const char *text, double *out)
{
    char *end;
    *out = strtod(text, &end);
    if (!*text || *end) {
        fprintf(stderr, "partrack: %s takes a number (a dot for decimals: 2.5)\n", option);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static const char *stage_name(const char *stage)
{
    static const char *const names[][2] = {{"self", "tự chấm"},
                                           {"appraisal", "thẩm định"},
                                           {"explanation", "giải trình"},
                                           {"reappraisal", "thẩm định lại"},
                                           {"locked", "đã khóa"}};
    for (size_t i = 0; i < 5; i++)
        if (strcmp(stage, names[i][0]) == 0)
            return names[i][1];
    return stage;
}

static json_t *score_json(const Partrack__UnitScore *u)
{
    json_t *o =
        json_pack("{s:s, s:s, s:o, s:s, s:s, s:i, s:f, s:f, s:f, s:f, s:s, s:s, s:o, "
                  "s:i, s:s}",
                  "unit", u->unit, "name", u->name, "parent", cli_json_string(u->parent), "scheme",
                  u->scheme, "scheme_name", u->scheme_name, "year", u->year, "points", u->points,
                  "max", u->max, "index", u->index, "score", u->score, "grade", u->grade, "stage",
                  u->stage, "rank", u->rank ? json_integer(u->rank) : json_null(), "of", (int)u->of,
                  "computed_at", u->computed_at);
    if (o && u->peers)
        json_object_set_new(o, "peers",
                            json_pack("{s:s, s:o, s:o}", "by", u->peers, "kind",
                                      cli_json_string(u->kind), "within",
                                      cli_json_string(u->peer_scope)));
    json_t *result = json_loads(u->result_json, 0, NULL);
    if (o && result)
        json_object_set_new(o, "result", result);
    if (o && u->has_previous_score)
        json_object_set_new(
            o, "previous",
            json_pack("{s:i, s:f, s:o, s:o, s:b}", "year", u->year - 1, "score", u->previous_score,
                      "rank", u->previous_rank ? json_integer(u->previous_rank) : json_null(), "of",
                      u->previous_of ? json_integer(u->previous_of) : json_null(), "reported",
                      u->has_previous_reported && u->previous_reported));
    if (o && u->n_audit) {
        json_t *audit = json_array();
        for (size_t i = 0; i < u->n_audit; i++) {
            const Partrack__ScoreAuditEntry *a = u->audit[i];
            json_array_append_new(audit, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "at",
                                                   a->at, "actor", a->actor, "what", a->what,
                                                   "node", cli_json_string(a->node), "from",
                                                   cli_json_string(a->from_value), "to",
                                                   cli_json_string(a->to_value), "evidence",
                                                   cli_json_string(a->evidence)));
        }
        json_object_set_new(o, "audit", audit);
    }
    return o;
}

static void print_json(const Partrack__ScoreShowReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_scores; i++)
        json_array_append_new(a, score_json(r->scores[i]));
    /* Numbers as published (0.01), not as binary doubles print. */
    char *text = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    if (text)
        puts(text);
    free(text);
    json_decref(a);
}

/* The change on the year before: «tăng 6 bậc, +7,54 điểm» ("" if unknown). */
static void change_text(const Partrack__UnitScore *u, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!u->has_previous_score)
        return;
    char places[64] = "", diff[24];
    if (u->rank && u->previous_rank && u->of == u->previous_of)
        score_explain_rank_change((int)u->previous_rank, (int)u->rank, places, sizeof places);
    double d = u->score - u->previous_score;
    score_format_number(d < 0 ? -d : d, diff, sizeof diff);
    snprintf(buf, len, "%s%s%s%s điểm", places, *places ? ", " : "", d < 0 ? "-" : "+", diff);
}

static void rank_text(const Partrack__UnitScore *u, char *buf, size_t len)
{
    if (u->rank)
        snprintf(buf, len, "%u/%u", u->rank, u->of);
    else
        snprintf(buf, len, "-");
}

/* One unit: its areas (or with `explain` every node), the total, rank, stage. */
static void print_unit(const Partrack__UnitScore *u, bool explain, bool level)
{
    json_t *result = json_loads(u->result_json, 0, NULL);
    printf("%s (%s), %d: %s (%s), giai đoạn: %s\n", u->name, u->unit, u->year, u->scheme_name,
           u->scheme, stage_name(u->stage));
    size_t i;
    json_t *node;
    json_array_foreach(json_object_get(result, "nodes"), i, node)
    {
        int depth = (int)json_integer_value(json_object_get(node, "depth"));
        const char *line = json_string_value(json_object_get(node, "explain"));
        if (depth < 1 || (!explain && depth > 1) || !line)
            continue;
        printf("%*s%s\n", 2 * depth, "", line);
    }
    const char *total = json_string_value(json_object_get(result, "explain"));
    if (total)
        printf("%s\n", total);
    char rank[32], group[256] = "";
    rank_text(u, rank, sizeof rank);
    if (level)
        snprintf(group, sizeof group, " (toàn thành phố: các đơn vị loại %s của %s)",
                 u->kind ? u->kind : "?", u->peer_scope ? u->peer_scope : "?");
    if (u->rank)
        printf("Hạng: %s%s\n", rank, group);
    else
        printf("Hạng: không xếp hạng (một đơn vị trong nhóm)%s\n", group);
    if (u->has_previous_score) {
        char prev[24], change[128], prank[32] = "";
        score_format_number(u->previous_score, prev, sizeof prev);
        if (u->previous_rank)
            snprintf(prank, sizeof prank, ", hạng %u/%u", u->previous_rank, u->previous_of);
        change_text(u, change, sizeof change);
        printf("Năm %d: %s điểm%s%s → %s\n", u->year - 1, prev, prank,
               u->previous_reported ? " (báo cáo)" : "", change);
    }
    json_t *checks = json_object_get(result, "checks");
    if (json_array_size(checks)) {
        printf("Kiểm tra (%zu):\n", json_array_size(checks));
        json_array_foreach(checks, i, node)
        {
            printf("  ! %s\n", json_string_value(json_object_get(node, "message")));
        }
    }
    for (size_t k = 0; k < u->n_audit; k++) {
        const Partrack__ScoreAuditEntry *a = u->audit[k];
        if (k == 0)
            printf("Lịch sử:\n");
        printf("  %s %s %s%s%s: %s → %s%s%s\n", a->at, a->actor, a->what, a->node ? " " : "",
               a->node ? a->node : "", a->from_value ? a->from_value : "-",
               a->to_value ? a->to_value : "-", a->evidence ? " — " : "",
               a->evidence ? a->evidence : "");
    }
    json_decref(result);
}

static void print_table(const Partrack__ScoreShowReply *r, bool level)
{
    /* With a level, say which peer groups (cities) the ranks are in. */
    for (size_t i = 0; level && i < r->n_scores; i++) {
        const Partrack__UnitScore *u = r->scores[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen =
                strcmp(r->scores[k]->peer_scope ? r->scores[k]->peer_scope : "",
                       u->peer_scope ? u->peer_scope : "") == 0 &&
                strcmp(r->scores[k]->kind ? r->scores[k]->kind : "", u->kind ? u->kind : "") == 0;
        if (!seen)
            printf("Xếp hạng toàn thành phố: các đơn vị loại %s của %s\n", u->kind ? u->kind : "?",
                   u->peer_scope ? u->peer_scope : "?");
    }
    printf("hạng   đơn vị                       điểm    chỉ số   loại  giai đoạn     so với năm "
           "trước\n");
    for (size_t i = 0; i < r->n_scores; i++) {
        const Partrack__UnitScore *u = r->scores[i];
        char rank[32], score[24], index[32];
        rank_text(u, rank, sizeof rank);
        score_format_number(u->score, score, sizeof score);
        score_format_number(u->index, index, sizeof index - 1);
        strcat(index, "%");
        cli_print_padded(rank, 7);
        cli_print_padded(u->name, 29);
        cli_print_padded(score, 8);
        cli_print_padded(index, 9);
        cli_print_padded(u->grade, 6);
        char change[128];
        change_text(u, change, sizeof change);
        cli_print_padded(stage_name(u->stage), 14);
        printf("%s\n", change);
    }
}

/* Calls the service with a request whose reply is a ScoreShowReply, and
 * prints it: a table, one unit, or JSON. */
static int call_scores(cli_t *cli, Partrack__MessageType type, const ProtobufCMessage *request,
                       bool mutation, bool json, bool explain, bool table, bool level)
{
    ProtobufCMessage *reply = NULL;
    int rc = cli_call(cli, cli->scoring, type, request, mutation,
                      PARTRACK__MESSAGE_TYPE__MSG_SCORE_SHOW_REPLY,
                      &partrack__score_show_reply__descriptor, &reply);
    if (rc != CLI_OK)
        return rc;
    Partrack__ScoreShowReply *r = (Partrack__ScoreShowReply *)reply;
    if (json)
        print_json(r);
    else if (r->n_scores == 0)
        printf("không có điểm (no scores)\n");
    else if (table)
        print_table(r, level);
    else
        for (size_t i = 0; i < r->n_scores; i++)
            print_unit(r->scores[i], explain, level);
    protobuf_c_message_free_unpacked(reply, NULL);
    return CLI_OK;
}

static int verb_import(cli_t *cli, int argc, char **argv, bool scheme)
{
    const char *by = NULL;
    bool json = false, help = false;
    cli_option_t options[] = {{"by", &by, NULL, NULL, NULL},
                              {"json", NULL, &json, NULL, NULL},
                              {NULL, NULL, NULL, NULL, NULL}};
    char **pos = NULL;
    int npos = 0;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    if (npos != 2 || strcmp(pos[0], "import") != 0) {
        fprintf(stderr, "partrack: score %s import FILE\n\n%s", argv[0], usage);
        free(pos);
        return CLI_USAGE;
    }
    size_t len;
    char *text = cli_read_file(pos[1], 64 << 20, &len);
    if (!text) {
        free(pos);
        return CLI_REFUSED;
    }
    ProtobufCMessage *reply = NULL;
    if (scheme) {
        Partrack__ScoreSchemeImportRequest req = PARTRACK__SCORE_SCHEME_IMPORT_REQUEST__INIT;
        req.name = pos[1];
        req.text = text;
        req.actor = (char *)actor(by);
        rc = cli_call(cli, cli->scoring, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SCHEME_IMPORT, &req.base,
                      true, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SCHEME_IMPORT_REPLY,
                      &partrack__score_scheme_import_reply__descriptor, &reply);
        if (rc == CLI_OK) {
            Partrack__ScoreSchemeImportReply *r = (Partrack__ScoreSchemeImportReply *)reply;
            if (json)
                cli_print_json(json_pack("{s:s, s:i, s:s, s:b, s:i, s:i}", "code", r->code, "year",
                                         r->year, "level", r->level, "replaced", r->replaced,
                                         "units", (int)r->units, "computed", (int)r->computed));
            else
                printf("scheme %s %d (%s) %s: %u units of its level, %u with facts computed\n",
                       r->code, r->year, r->level, r->replaced ? "replaced" : "stored", r->units,
                       r->computed);
        }
    } else {
        Partrack__ScoreFactsImportRequest req = PARTRACK__SCORE_FACTS_IMPORT_REQUEST__INIT;
        req.name = pos[1];
        req.text = text;
        req.actor = (char *)actor(by);
        rc = cli_call(cli, cli->scoring, PARTRACK__MESSAGE_TYPE__MSG_SCORE_FACTS_IMPORT, &req.base,
                      true, PARTRACK__MESSAGE_TYPE__MSG_SCORE_FACTS_IMPORT_REPLY,
                      &partrack__score_facts_import_reply__descriptor, &reply);
        if (rc == CLI_OK) {
            Partrack__ScoreFactsImportReply *r = (Partrack__ScoreFactsImportReply *)reply;
            if (json)
                cli_print_json(json_pack("{s:i, s:i}", "unit_years", (int)r->unit_years, "computed",
                                         (int)r->computed));
            else
                printf("facts of %u unit-years stored, %u scores computed\n", r->unit_years,
                       r->computed);
        }
    }
    if (reply)
        protobuf_c_message_free_unpacked(reply, NULL);
    free(text);
    free(pos);
    return rc;
}

/* The one fact `score set` names, into req; CLI_USAGE when not exactly one. */
static int fact_of(const char *const *o, Partrack__ScoreSetRequest *req)
{
    /* o: node points evidence survey na applicable measurement value outcome is plan tasks
     * on_time adjustment */
    enum {
        NODE,
        POINTS,
        EVIDENCE,
        SURVEY,
        NA,
        APPLICABLE,
        MEAS,
        VALUE,
        OUTCOME,
        IS,
        PLAN,
        TASKS,
        ONTIME,
        ADJ
    };
    int kinds = (o[NODE] != NULL) + (o[SURVEY] != NULL) + (o[NA] != NULL) +
                (o[APPLICABLE] != NULL) + (o[MEAS] != NULL) + (o[OUTCOME] != NULL) +
                (o[PLAN] != NULL) + (o[ADJ] != NULL);
    if (kinds != 1) {
        fprintf(stderr, "partrack: score set takes exactly one fact\n\n%s", usage);
        return CLI_USAGE;
    }
    req->evidence = (char *)o[EVIDENCE];
    int rc = CLI_OK;
    if (o[NODE] || o[ADJ]) {
        req->kind = o[NODE] ? "manual" : "adjustment";
        req->key = (char *)(o[NODE] ? o[NODE] : o[ADJ]);
        if (!o[POINTS]) {
            fprintf(stderr, "partrack: --node and --adjustment need --points\n");
            return CLI_USAGE;
        }
        req->has_value = 1;
        rc = parse_number("--points", o[POINTS], &req->value);
    } else if (o[SURVEY]) {
        req->kind = "survey";
        req->has_value = 1;
        rc = parse_number("--survey", o[SURVEY], &req->value);
    } else if (o[NA] || o[APPLICABLE]) {
        req->kind = o[NA] ? "not_applicable" : "applicable";
        req->key = (char *)(o[NA] ? o[NA] : o[APPLICABLE]);
    } else if (o[MEAS]) {
        req->kind = "measurement";
        req->key = (char *)o[MEAS];
        if (!o[VALUE]) {
            fprintf(stderr, "partrack: --measurement needs --value\n");
            return CLI_USAGE;
        }
        req->has_value = 1;
        rc = parse_number("--value", o[VALUE], &req->value);
    } else if (o[OUTCOME]) {
        req->kind = "outcome";
        req->key = (char *)o[OUTCOME];
        req->outcome = (char *)o[IS];
        if (!o[IS]) {
            fprintf(stderr, "partrack: --outcome needs --is on_time|late|missing\n");
            return CLI_USAGE;
        }
    } else {
        req->kind = "plan";
        req->key = (char *)o[PLAN];
        if (!o[TASKS] || !o[ONTIME]) {
            fprintf(stderr, "partrack: --plan needs --tasks and --on-time\n");
            return CLI_USAGE;
        }
        req->has_value = req->has_value2 = 1;
        rc = parse_number("--tasks", o[TASKS], &req->value);
        if (rc == CLI_OK)
            rc = parse_number("--on-time", o[ONTIME], &req->value2);
    }
    return rc;
}

static int verb_set(cli_t *cli, int argc, char **argv)
{
    const char *o[14] = {0}, *year = NULL, *by = NULL;
    bool json = false, help = false;
    static const char *const names[] = {
        "node",  "points",  "evidence", "survey", "not-applicable", "applicable", "measurement",
        "value", "outcome", "is",       "plan",   "tasks",          "on-time",    "adjustment"};
    cli_option_t options[18];
    for (int i = 0; i < 14; i++)
        options[i] = (cli_option_t){names[i], &o[i], NULL, NULL, NULL};
    options[14] = (cli_option_t){"year", &year, NULL, NULL, NULL};
    options[15] = (cli_option_t){"by", &by, NULL, NULL, NULL};
    options[16] = (cli_option_t){"json", NULL, &json, NULL, NULL};
    options[17] = (cli_option_t){NULL, NULL, NULL, NULL, NULL};
    char **pos = NULL;
    int npos = 0;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    Partrack__ScoreSetRequest req = PARTRACK__SCORE_SET_REQUEST__INIT;
    if (npos != 1) {
        fprintf(stderr, "partrack: score set takes one unit code\n\n%s", usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = parse_year(year, &req.year);
    if (rc == CLI_OK)
        rc = fact_of(o, &req);
    if (rc == CLI_OK) {
        req.unit = pos[0];
        req.actor = (char *)actor(by);
        rc = call_scores(cli, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SET, &req.base, true, json, false,
                         false, false);
    }
    free(pos);
    return rc;
}

static int verb_stage(cli_t *cli, int argc, char **argv)
{
    const char *year = NULL, *by = NULL, *note = NULL;
    bool json = false, help = false;
    cli_option_t options[] = {{"year", &year, NULL, NULL, NULL},
                              {"note", &note, NULL, NULL, NULL},
                              {"by", &by, NULL, NULL, NULL},
                              {"json", NULL, &json, NULL, NULL},
                              {NULL, NULL, NULL, NULL, NULL}};
    char **pos = NULL;
    int npos = 0;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    Partrack__ScoreStageRequest req = PARTRACK__SCORE_STAGE_REQUEST__INIT;
    if (npos != 2) {
        fprintf(stderr, "partrack: score stage takes a unit code and a stage\n\n%s", usage);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = parse_year(year, &req.year);
    if (rc == CLI_OK) {
        req.unit = pos[0];
        req.stage = pos[1];
        req.note = (char *)note;
        req.actor = (char *)actor(by);
        rc = call_scores(cli, PARTRACK__MESSAGE_TYPE__MSG_SCORE_STAGE, &req.base, true, json, false,
                         false, false);
    }
    free(pos);
    return rc;
}

/* show, rank and explain: reads. */
static int verb_read(cli_t *cli, int argc, char **argv)
{
    const char *verb = argv[0];
    const char *year = NULL, *unit = NULL, *parent = NULL, *scheme = NULL, *level = NULL;
    bool json = false, help = false, audit = false;
    cli_option_t options[] = {
        {"year", &year, NULL, NULL, NULL},     {"unit", &unit, NULL, NULL, NULL},
        {"parent", &parent, NULL, NULL, NULL}, {"scheme", &scheme, NULL, NULL, NULL},
        {"level", &level, NULL, NULL, NULL},   {"audit", NULL, &audit, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},     {NULL, NULL, NULL, NULL, NULL}};
    char **pos = NULL;
    int npos = 0;
    int rc = cli_parse(argc, argv, options, usage, &pos, &npos, &help);
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    bool explain = strcmp(verb, "explain") == 0, rank = strcmp(verb, "rank") == 0;
    if (explain && npos == 1 && !unit)
        unit = pos[0];
    else if (npos != 0)
        rc = CLI_USAGE;
    if ((explain && !unit) || (rank && !parent && !level) || (unit && parent))
        rc = CLI_USAGE;
    if (rc != CLI_OK)
        fprintf(stderr, "partrack: score %s: see the usage\n\n%s", verb, usage);
    Partrack__ScoreShowRequest req = PARTRACK__SCORE_SHOW_REQUEST__INIT;
    if (rc == CLI_OK)
        rc = parse_year(year, &req.year);
    if (rc == CLI_OK) {
        req.unit = (char *)unit;
        req.parent = (char *)parent;
        req.scheme = (char *)scheme;
        req.level = (char *)level;
        req.has_audit = audit;
        req.audit = audit;
        rc = call_scores(cli, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SHOW, &req.base, false, json,
                         explain, !unit, level != NULL);
    }
    free(pos);
    return rc;
}

int cli_score_service(cli_t *cli, int argc, char **argv)
{
    const char *verb = argv[0];
    if (strcmp(verb, "scheme") == 0 || strcmp(verb, "facts") == 0)
        return verb_import(cli, argc, argv, strcmp(verb, "scheme") == 0);
    if (strcmp(verb, "set") == 0)
        return verb_set(cli, argc, argv);
    if (strcmp(verb, "stage") == 0)
        return verb_stage(cli, argc, argv);
    if (strcmp(verb, "bind") == 0)
        return cli_score_bind(cli, argc, argv);
    if (strcmp(verb, "forecast") == 0)
        return cli_score_forecast_online(cli, argc, argv);
    return verb_read(cli, argc, argv);
}
