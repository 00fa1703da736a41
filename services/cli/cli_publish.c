/* cli_publish.c - `partrack publish FILE --key KEYFILE`: a JSON-lines file of
 * task updates and measurements into the registry's ingest endpoint
 *
 * A rejected file changes nothing: the whole file is read and every line
 * checked (publish_jsonl.h) before anything is sent, and a key used on two
 * lines is a problem too (the second would silently get the first's
 * result). Then the lines go through publish_client.h with its window, and
 * the results, which arrive in any order, are kept by line and printed in
 * the file's order once every line has finished. The exit status tells a
 * script what to do next: 0 all stored, 1 some refused or not confirmed
 * (sending the file again is safe: stored lines come back as duplicates),
 * 2 a bad file or usage (nothing sent), 3 nothing got through at all (no
 * connection: an unknown or revoked key, a wrong endpoint, the registry
 * down).
 */
#include "cli_publish.h"

#include "keyfile.h"
#include "publish_client.h"
#include "publish_jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILE_BYTES  (512u << 20)
#define PROGRESS_EVERY  5000
#define DEFAULT_TIMEOUT 60

static const char publish_usage[] =
    "usage: partrack publish FILE --key KEYFILE [--endpoint URL] [--window N]\n"
    "                        [--timeout SECONDS] [--json]\n"
    "\n"
    "Publishes task updates and measurements into the registry, as the publisher\n"
    "whose key file is KEYFILE (made by `partrack publisher add`). FILE holds one\n"
    "JSON object a line (JSON Lines; `-` reads standard input; blank lines are\n"
    "skipped), for example:\n"
    "\n"
    "  {\"type\":\"task_update\",\"key\":\"mc-2024-0628-1\",\"task_id\":12,\"progress\":50,\n"
    "   \"note\":\"Đã tổ chức 1 buổi đối thoại\"}\n"
    "  {\"type\":\"task_update\",\"key\":\"mc-2024-0628-2\",\"plan_number\":\"104/KH-UBND\",\n"
    "   \"plan_unit\":\"HN.HADONG.PHULAM\",\"ordinal\":\"II.3\",\"status\":\"done\",\n"
    "   \"completed_at\":\"2024-06-28T16:00:00+07:00\",\"evidence\":[\"12/BC-UBND\"]}\n"
    "  {\"type\":\"measurement\",\"key\":\"onestop-2024-l3\",\"unit\":\"HN.HADONG.PHULAM\",\n"
    "   \"indicator\":\"dossiers_online_l3\",\"period\":\"2024\",\"numerator\":762,\n"
    "   \"denominator\":4080}\n"
    "\n"
    "(each object on one line in the file). Fields:\n"
    "  type         task_update or measurement (required)\n"
    "  key          the line's idempotency key, 1-128 bytes, its own on every line\n"
    "               (required)\n"
    "  task_update: task_id, or plan_number + plan_unit + ordinal: the task;\n"
    "               then at least one of progress (0-100), status (open, done,\n"
    "               cancelled), completed_at (RFC 3339 or YYYY-MM-DD; UTC+7 when\n"
    "               no offset), evidence (array of strings), note\n"
    "  measurement: unit (code), indicator ([a-z][a-z0-9_.]*), period (2024,\n"
    "               2024-Q1, 2024-H1, 2024-06), and value, or numerator and a\n"
    "               positive denominator\n"
    "An optional field may be null. Unknown fields are refused.\n"
    "\n"
    "The whole file is checked first: if any line is bad, every problem is shown\n"
    "as FILE:LINE: field: what and nothing is sent (exit status 2). Otherwise the\n"
    "lines are sent, up to --window at a time, each resent by itself when no reply\n"
    "comes or the registry is briefly unavailable. The registry stores a key once:\n"
    "a line sent again gets its first result back as a duplicate, so sending the\n"
    "same file again is always safe.\n"
    "\n"
    "Options:\n"
    "  --key KEYFILE      the publisher's key file (required)\n"
    "  --endpoint URL     the ingest endpoint (default: the key file's)\n"
    "  --window N         lines in flight at once, 1-100000 (default 1000)\n"
    "  --timeout SECONDS  give a line up after this long without a result\n"
    "                     (default 60)\n"
    "  --json             one object per line of FILE on stdout, in the file's\n"
    "                     order: {\"line\", \"key\", \"status\": stored|duplicate|\n"
    "                     refused|failed, \"code\", \"message\", \"id\", \"task_id\"}\n"
    "\n"
    "Output, once every line has finished, in the file's order:\n"
    "  line 3: stored (update 123, task 45)\n"
    "  line 4: duplicate of an earlier send (update 120, task 45)\n"
    "  line 5: stored (measurement 77)\n"
    "  line 7: refused FORBIDDEN: publisher x may not update task 9 (...)\n"
    "  line 9: not confirmed: no reply in 60 s (send the file again: ...)\n"
    "then the counts on stderr (and progress there every few seconds).\n"
    "\n"
    "Exit status: 0 every line stored or a duplicate; 1 some line refused or not\n"
    "confirmed; 2 usage error or a bad file (nothing sent); 3 nothing could be\n"
    "sent (no connection: the key may be unknown or revoked, or the endpoint\n"
    "wrong).\n";

enum { ST_STORED, ST_DUPLICATE, ST_REFUSED, ST_FAILED, ST_COUNT };
static const char *const status_names[] = {"stored", "duplicate", "refused", "failed"};

/* A message of the file, then what became of it. */
typedef struct {
    unsigned line;
    bool measurement;
    char *key;
    publish_line_t msg; /* cleared once sent */
    bool done;
    int status;
    Partrack__ErrorCode code;
    bool answered;
    int64_t id, task_id;
    char *message;
} entry_t;

typedef struct {
    entry_t *items;
    size_t n, cap;
} entries_t;

static int64_t clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void entries_free(entries_t *e)
{
    for (size_t i = 0; i < e->n; i++) {
        publish_line_clear(&e->items[i].msg);
        free(e->items[i].key);
        free(e->items[i].message);
    }
    free(e->items);
}

/* Standard input, whole, up to max bytes. Prints why not. */
static char *read_stdin(size_t max, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap >= max) {
                fprintf(stderr, "partrack: standard input is over the limit of %zu bytes\n", max);
                free(buf);
                return NULL;
            }
            cap *= 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown)
                break;
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0) {
            if (ferror(stdin)) {
                fprintf(stderr, "partrack: cannot read standard input: %s\n", strerror(errno));
                free(buf);
                return NULL;
            }
            buf[n] = '\0';
            *len = n;
            return buf;
        }
    }
    free(buf);
    fprintf(stderr, "partrack: out of memory reading standard input\n");
    return NULL;
}

static int by_key(const void *a, const void *b)
{
    const entry_t *x = *(entry_t *const *)a, *y = *(entry_t *const *)b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A key on two lines: the later line would only get the earlier's result. */
static void check_keys(entries_t *e, const char *name, problems_t *problems)
{
    entry_t **sorted = malloc((e->n ? e->n : 1) * sizeof *sorted);
    if (!sorted) {
        problems_add(problems, name, 0, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < e->n; i++)
        sorted[i] = &e->items[i];
    qsort(sorted, e->n, sizeof *sorted, by_key);
    for (size_t i = 1; i < e->n; i++)
        if (strcmp(sorted[i]->key, sorted[i - 1]->key) == 0) {
            size_t first = i - 1;
            while (first > 0 && strcmp(sorted[first - 1]->key, sorted[i]->key) == 0)
                first--;
            problems_add(problems, name, sorted[i]->line, "key",
                         "\"%s\" is the key of line %u too: each message needs its own key",
                         sorted[i]->key, sorted[first]->line);
        }
    free(sorted);
}

/* Problems by line, in the order found within a line (they sit in one
 * array, so their addresses keep that order). */
static int by_line(const void *a, const void *b)
{
    const problem_t *x = *(const problem_t *const *)a, *y = *(const problem_t *const *)b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x > y) - (x < y);
}

/* Reads and checks every line of the file. Returns 0 with the messages in
 * *e, or -1 with the problems printed. */
static int read_file(const char *path, entries_t *e)
{
    const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
    size_t len = 0;
    char *text = strcmp(path, "-") == 0 ? read_stdin(MAX_FILE_BYTES, &len)
                                        : cli_read_file(path, MAX_FILE_BYTES, &len);
    if (!text)
        return -1;
    problems_t *problems = calloc(1, sizeof *problems);
    if (!problems) {
        free(text);
        return -1;
    }
    unsigned line = 0;
    for (size_t at = 0; at < len;) {
        const char *start = text + at;
        const char *nl = memchr(start, '\n', len - at);
        size_t n = nl ? (size_t)(nl - start) : len - at;
        at += n + 1;
        line++;
        publish_line_t msg;
        if (publish_jsonl_read(name, line, start, n, &msg, problems) != 1)
            continue;
        if (e->n == e->cap) {
            size_t cap = e->cap ? e->cap * 2 : 256;
            entry_t *grown = realloc(e->items, cap * sizeof *grown);
            if (!grown) {
                publish_line_clear(&msg);
                problems_add(problems, name, line, NULL, "out of memory");
                break;
            }
            e->items = grown;
            e->cap = cap;
        }
        entry_t *it = &e->items[e->n++];
        memset(it, 0, sizeof *it);
        it->line = line;
        it->measurement = msg.type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT;
        it->key = strdup(msg.key);
        it->msg = msg;
        if (!it->key) {
            problems_add(problems, name, line, NULL, "out of memory");
            break;
        }
    }
    free(text);
    check_keys(e, name, problems);
    int rc = 0;
    if (problems->n > 0) {
        /* By line; the repeated keys were found last. */
        const problem_t *order[PROBLEMS_MAX];
        for (size_t i = 0; i < problems->n; i++)
            order[i] = &problems->items[i];
        qsort(order, problems->n, sizeof *order, by_line);
        char buf[1024];
        for (size_t i = 0; i < problems->n; i++) {
            publish_problem_format(order[i], buf, sizeof buf);
            fprintf(stderr, "%s\n", buf);
        }
        if (problems->dropped)
            fprintf(stderr, "... and %zu more problems\n", problems->dropped);
        fprintf(stderr, "partrack: %s: %zu problem%s; nothing was sent\n", name,
                problems->n + problems->dropped, problems->n + problems->dropped == 1 ? "" : "s");
        rc = -1;
    }
    problems_clear(problems);
    free(problems);
    return rc;
}

static void record(entries_t *e, const publish_result_t *r)
{
    if (r->tag >= e->n)
        return;
    entry_t *it = &e->items[r->tag];
    it->done = true;
    it->code = r->code;
    it->answered = r->answered;
    it->id = r->id;
    it->task_id = r->task_id;
    free(it->message);
    it->message = r->message[0] ? strdup(r->message) : NULL;
    if (r->code == PARTRACK__ERROR_CODE__ERR_NONE)
        it->status = r->duplicate ? ST_DUPLICATE : ST_STORED;
    else if (r->answered && !msg_code_retryable(r->code))
        it->status = ST_REFUSED;
    else
        it->status = ST_FAILED;
}

static void progress(const entries_t *e, size_t sent, int64_t *last)
{
    int64_t now = clock_ms();
    if (now - *last < PROGRESS_EVERY)
        return;
    *last = now;
    size_t acknowledged = 0, other = 0;
    for (size_t i = 0; i < sent; i++) {
        const entry_t *it = &e->items[i];
        acknowledged += it->done && (it->status == ST_STORED || it->status == ST_DUPLICATE);
        other += it->done && (it->status == ST_REFUSED || it->status == ST_FAILED);
    }
    fprintf(stderr, "partrack: %zu of %zu sent, %zu acknowledged, %zu refused or failed\n", sent,
            e->n, acknowledged, other);
}

/* Sends every entry and waits for every result. Returns 0, or -1 when the
 * client failed (the entries without a result are marked failed). */
static int send_all(publish_client_t *c, entries_t *e)
{
    int64_t last = clock_ms();
    size_t sent = 0;
    publish_result_t r;
    int rc = 0;
    for (; sent < e->n; sent++) {
        entry_t *it = &e->items[sent];
        if (publish_client_send(c, it->msg.type, publish_line_payload(&it->msg), it->key,
                                (uint64_t)sent) < 0) {
            rc = -1;
            break;
        }
        publish_line_clear(&it->msg);
        while (publish_client_pending_results(c) > 0 && publish_client_result(c, &r, 0) == 1)
            record(e, &r);
        progress(e, sent + 1, &last);
    }
    while (rc == 0 && (publish_client_in_flight(c) > 0 || publish_client_pending_results(c) > 0)) {
        int got = publish_client_result(c, &r, 1000);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 1)
            record(e, &r);
        progress(e, sent, &last);
    }
    for (size_t i = 0; i < e->n; i++)
        if (!e->items[i].done) {
            e->items[i].done = true;
            e->items[i].status = ST_FAILED;
            e->items[i].code = PARTRACK__ERROR_CODE__ERR_INTERNAL;
            e->items[i].message = strdup(i < sent ? "the client stopped before its result came"
                                                  : "not sent: the client stopped");
        }
    return rc;
}

static void print_text(const entry_t *it)
{
    const char *what = it->measurement ? "measurement" : "update";
    char ids[96] = "";
    if (it->measurement || it->task_id <= 0)
        snprintf(ids, sizeof ids, "%s %lld", what, (long long)it->id);
    else
        snprintf(ids, sizeof ids, "%s %lld, task %lld", what, (long long)it->id,
                 (long long)it->task_id);
    const char *message = it->message ? it->message : "";
    switch (it->status) {
    case ST_STORED: printf("line %u: stored (%s)\n", it->line, ids); break;
    case ST_DUPLICATE: printf("line %u: duplicate of an earlier send (%s)\n", it->line, ids); break;
    case ST_REFUSED:
        printf("line %u: refused %s: %s\n", it->line, msg_code_name(it->code), message);
        break;
    default:
        if (!it->answered && it->code == PARTRACK__ERROR_CODE__ERR_FORBIDDEN)
            printf("line %u: not sent: %s\n", it->line, message);
        else if (!it->answered)
            printf("line %u: not confirmed: %s (send the file again: stored lines come back as "
                   "duplicates)\n",
                   it->line, message);
        else
            printf("line %u: not stored: %s %s (send the file again later: stored lines come "
                   "back as duplicates)\n",
                   it->line, msg_code_name(it->code), message);
    }
}

static void print_json(const entry_t *it)
{
    bool ok = it->status == ST_STORED || it->status == ST_DUPLICATE;
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "line", (json_int_t)it->line,
                          "key", it->key, "status", status_names[it->status], "code",
                          ok ? json_null() : json_string(msg_code_name(it->code)), "message",
                          ok ? json_null() : cli_json_string(it->message ? it->message : ""), "id",
                          ok ? json_integer(it->id) : json_null(), "task_id",
                          ok && it->task_id > 0 ? json_integer(it->task_id) : json_null());
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (text)
        puts(text);
    free(text);
    json_decref(o);
}

/* Why nothing got through, for exit status 3. */
static void explain_no_connection(publish_client_t *c, const keyfile_t *key, int timeout)
{
    const char *detail = NULL;
    publish_link_t link = publish_client_link(c, &detail);
    if (link == PUBLISH_LINK_REFUSED) {
        fprintf(stderr,
                "partrack: nothing was sent: %s\n"
                "  (`partrack publisher list --all` on the registry's side shows it)\n",
                detail);
        return;
    }
    fprintf(stderr,
            "partrack: nothing was sent: no reply from %s in %d s%s\n"
            "  the key of publisher %s may be unknown or revoked, the endpoint wrong, or\n"
            "  the registry not running\n",
            publish_client_endpoint(c), timeout,
            link == PUBLISH_LINK_UP ? " (connected, the key was accepted)" : "",
            key->name[0] ? key->name : "(unnamed)");
    if (detail)
        fprintf(stderr, "  last problem: %s\n", detail);
}

static bool parse_int(const char *text, long low, long high, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < low || v > high)
        return false;
    *out = v;
    return true;
}

int cli_publish(cli_t *cli, int argc, char **argv)
{
    const char *key_path = NULL, *endpoint = NULL, *window_text = NULL, *timeout_text = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"key", &key_path, NULL, NULL, NULL},       {"endpoint", &endpoint, NULL, NULL, NULL},
        {"window", &window_text, NULL, NULL, NULL}, {"timeout", &timeout_text, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},          {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos = NULL;
    int npos;
    entries_t entries = {0};
    publish_client_t *client = NULL;
    keyfile_t key = {0};
    long window = 1000, timeout = DEFAULT_TIMEOUT;
    int rc = cli_parse(argc, argv, options, publish_usage, &pos, &npos, &help);
    if (rc != CLI_OK || help)
        goto done;
    rc = CLI_USAGE;
    if (npos != 1 || !key_path) {
        fprintf(stderr, "partrack: give one FILE and --key KEYFILE\n\n%s", publish_usage);
        goto done;
    }
    if (window_text && !parse_int(window_text, 1, PUBLISH_WINDOW_MAX, &window)) {
        fprintf(stderr, "partrack: --window takes 1 to %d messages\n", PUBLISH_WINDOW_MAX);
        goto done;
    }
    if (timeout_text && !parse_int(timeout_text, 1, 86400, &timeout)) {
        fprintf(stderr, "partrack: --timeout takes seconds between 1 and 86400\n");
        goto done;
    }
    char errbuf[512];
    bool key_ok = keyfile_read(key_path, &key, errbuf, sizeof errbuf) == 0;
    if (!key_ok)
        fprintf(stderr, "partrack: %s\n", errbuf);
    bool file_ok = read_file(pos[0], &entries) == 0;
    if (!key_ok || !file_ok)
        goto done;
    if (entries.n == 0) {
        fprintf(stderr, "partrack: %s has no messages; nothing to send\n",
                strcmp(pos[0], "-") == 0 ? "stdin" : pos[0]);
        rc = CLI_OK;
        goto done;
    }
    publish_options_t opt = {0};
    opt.window = (int)window;
    opt.deadline_ms = (int)timeout * 1000;
    opt.attempt_timeout_ms = opt.deadline_ms / 3 < 1000   ? 1000
                             : opt.deadline_ms / 3 > 5000 ? 5000
                                                          : opt.deadline_ms / 3;
    client = publish_client_new(cli->zmq, &key, endpoint, &opt, errbuf, sizeof errbuf);
    if (!client) {
        fprintf(stderr, "partrack: %s: %s%s\n", key_path, errbuf,
                endpoint ? "" : " (give --endpoint)");
        goto done;
    }
    int sent_rc = send_all(client, &entries);
    size_t counts[ST_COUNT] = {0};
    for (size_t i = 0; i < entries.n; i++) {
        counts[entries.items[i].status]++;
        if (json)
            print_json(&entries.items[i]);
        else
            print_text(&entries.items[i]);
    }
    fflush(stdout);
    fprintf(stderr, "partrack: %zu line%s: %zu stored, %zu duplicate, %zu refused, %zu failed\n",
            entries.n, entries.n == 1 ? "" : "s", counts[ST_STORED], counts[ST_DUPLICATE],
            counts[ST_REFUSED], counts[ST_FAILED]);
    if (sent_rc < 0)
        fprintf(stderr, "partrack: the client stopped early (interrupted, or a socket failure)\n");
    if (!publish_client_answered(client) && counts[ST_FAILED] == entries.n) {
        explain_no_connection(client, &key, (int)timeout);
        rc = CLI_UNAVAILABLE;
    } else if (counts[ST_REFUSED] + counts[ST_FAILED] > 0) {
        if (counts[ST_FAILED] > 0)
            fprintf(stderr, "partrack: send the file again for the failed lines: lines already "
                            "stored come back as duplicates\n");
        rc = CLI_REFUSED;
    } else {
        rc = CLI_OK;
    }
done:
    publish_client_destroy(&client);
    explicit_bzero(&key, sizeof key);
    entries_free(&entries);
    free(pos);
    return rc;
}
