/* cli_publisher.c - `partrack publisher ...`: the other systems that publish
 * into partrack
 *
 * add makes the publisher's CURVE keypair here, sends the registry only the
 * public half with the name and scope, and on success writes the key file
 * (a ZeroMQ certificate with the name, the ingest endpoint's key and address,
 * and the keypair): the secret never travels and exists only in that file.
 * The file's path is checked before anything is sent - it must not exist and
 * its directory must be writable - so a refused add writes nothing and an
 * accepted one gets its file; a key file is never overwritten. revoke ends a
 * publisher for good (its name and key are never reused); list shows them.
 */
#include "cli_publisher.h"

#include "ingest.pb-c.h"
#include "keyfile.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char publisher_usage[] =
    "usage: partrack publisher VERB ...\n"
    "\n"
    "  add NAME --scope CODE[,CODE...] [--key-file PATH] [--json]\n"
    "  revoke NAME [--json]\n"
    "  list [--all] [--json]\n"
    "\n"
    "A publisher is another system (the one-stop-shop dossier system, the document\n"
    "system...) that publishes task updates and measurements into the registry's\n"
    "ingest endpoint over CURVE. It is known by its name and public key, and may\n"
    "touch only the units of its scope and their subtrees. `partrack publisher VERB\n"
    "--help` tells more.\n";

static const char add_usage[] =
    "usage: partrack publisher add NAME --scope CODE[,CODE...] [--key-file PATH] [--json]\n"
    "\n"
    "Registers a system that publishes into partrack. NAME is 1 to 64 of a-z, 0-9,\n"
    "'.', '_', '-' (starting with a letter or digit) and is never reused, even after\n"
    "a revocation. --scope names the units (codes; several with commas or repeated\n"
    "--scope) whose subtrees the publisher may touch.\n"
    "\n"
    "The publisher's CURVE keypair is made here; only the public key is sent. On\n"
    "success the key file is written at PATH (default NAME.key in the current\n"
    "directory) with mode 0600: a ZeroMQ certificate holding the name, the ingest\n"
    "endpoint and its server key, and the keypair. It is the only copy of the secret\n"
    "key: hand it to the system's operators over a safe channel. PATH must not exist\n"
    "(a key file is never overwritten): it is checked before anything is sent.\n";

static const char revoke_usage[] =
    "usage: partrack publisher revoke NAME [--json]\n"
    "\n"
    "Revokes a publisher: its key is refused from then on, at its next connection\n"
    "and for every message after. A revocation is final; its name and key are never\n"
    "used again (add the system again under another name, with a new key file).\n";

static const char list_usage[] =
    "usage: partrack publisher list [--all] [--json]\n"
    "\n"
    "Lists the publishers by name, with their scope and when they were added;\n"
    "revoked ones too with --all. Times are UTC+7.\n";

static json_t *publisher_json(const Partrack__Publisher *p)
{
    json_t *scope = json_array();
    for (size_t i = 0; i < p->n_scope; i++)
        json_array_append_new(scope, json_string(p->scope[i]));
    return json_pack("{s:s, s:s, s:o, s:s, s:o}", "name", p->name, "public_key", p->public_key,
                     "scope", scope, "created_at", p->created_at, "revoked_at",
                     cli_json_string(p->revoked_at));
}

/* "2024-07-02T09:56:00+07:00" as "2024-07-02 09:56". */
static void format_time(const char *rfc3339, char out[17])
{
    snprintf(out, 17, "%s", rfc3339 ? rfc3339 : "-");
    if (strlen(out) == 16 && out[10] == 'T')
        out[10] = ' ';
}

/* "A, B, C" into buf. */
static void format_scope(const Partrack__Publisher *p, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->n_scope && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", p->scope[i]);
}

/* Sends a request that answers with a PublisherReply. */
static int call(cli_t *cli, Partrack__MessageType type, const ProtobufCMessage *req, bool mutation,
                Partrack__PublisherReply **reply)
{
    int rc = cli_call(cli, cli->registry, type, req, mutation,
                      PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_REPLY,
                      &partrack__publisher_reply__descriptor, (ProtobufCMessage **)reply);
    if (rc == CLI_OK && mutation && (*reply)->n_publishers != 1) {
        fprintf(stderr, "partrack: the registry answered with %zu publishers, not one\n",
                (*reply)->n_publishers);
        partrack__publisher_reply__free_unpacked(*reply, NULL);
        *reply = NULL;
        rc = CLI_UNAVAILABLE;
    }
    return rc;
}

/* Splits every --scope value at commas into codes (copies in *store, which
 * the caller frees with the array). Returns the count, 0 if none. */
static size_t split_scope(const char **values, size_t nvalues, char ***codes, char **store)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < nvalues; i++)
        total += strlen(values[i]) + 1;
    *store = malloc(total + 1);
    *codes = calloc(total + 1, sizeof **codes);
    if (!*store || !*codes)
        return 0;
    char *at = *store;
    for (size_t i = 0; i < nvalues; i++) {
        strcpy(at, values[i]);
        char *save = NULL;
        for (char *code = strtok_r(at, ", \t", &save); code; code = strtok_r(NULL, ", \t", &save))
            (*codes)[n++] = code;
        at += strlen(values[i]) + 1;
    }
    return n;
}

static void print_added(const Partrack__PublisherReply *r, const char *path, bool json)
{
    const Partrack__Publisher *p = r->publishers[0];
    char shown[PATH_MAX], scope[1024];
    if (!realpath(path, shown))
        snprintf(shown, sizeof shown, "%s", path);
    if (json) {
        cli_print_json(json_pack("{s:o, s:s, s:s, s:s}", "publisher", publisher_json(p), "key_file",
                                 shown, "server_key", r->server_key, "ingest_endpoint",
                                 r->ingest_endpoint));
        return;
    }
    format_scope(p, scope, sizeof scope);
    printf("publisher %s added\n", p->name);
    printf("  scope:      %s (and the units below)\n", scope);
    printf("  key file:   %s (mode 0600)\n", shown);
    printf("  endpoint:   %s\n", *r->ingest_endpoint ? r->ingest_endpoint : "(not configured)");
    printf("  server key: %s\n", r->server_key);
    printf("The key file holds the only copy of %s's secret key; the registry keeps only the\n"
           "public key. Hand the file to the system's operators over a safe channel. If it is\n"
           "lost, revoke the publisher and add the system again under another name.\n",
           p->name);
}

static int verb_add(cli_t *cli, int argc, char **argv)
{
    const char *key_path = NULL, **scope_values = NULL;
    size_t nscope_values = 0;
    bool json = false, help;
    const cli_option_t options[] = {
        {"scope", NULL, NULL, &scope_values, &nscope_values},
        {"key-file", &key_path, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos = NULL, **codes = NULL, *store = NULL;
    char default_path[128];
    int npos;
    keyfile_t key = {0};
    Partrack__PublisherReply *r = NULL;
    int rc = cli_parse(argc, argv, options, add_usage, &pos, &npos, &help);
    if (rc != CLI_OK || help)
        goto done;
    size_t ncodes = split_scope(scope_values, nscope_values, &codes, &store);
    if (npos != 1 || ncodes == 0) {
        fprintf(stderr, "partrack: give the publisher's NAME and --scope CODE[,CODE...]\n\n%s",
                add_usage);
        rc = CLI_USAGE;
        goto done;
    }
    const char *name = pos[0];
    if (!key_path) {
        if (strlen(name) > 64 || strchr(name, '/')) {
            fprintf(stderr,
                    "partrack: \"%s\" is not a publisher name: 1 to 64 of a-z, 0-9, '.', '_', "
                    "'-'\n",
                    name);
            rc = CLI_USAGE;
            goto done;
        }
        snprintf(default_path, sizeof default_path, "%s.key", name);
        key_path = default_path;
    }
    if ((rc = cli_new_keypair(key_path, &key)) != CLI_OK)
        goto done;
    Partrack__PublisherAddRequest req = PARTRACK__PUBLISHER_ADD_REQUEST__INIT;
    req.name = (char *)name;
    req.public_key = key.public_key;
    req.scope = codes;
    req.n_scope = ncodes;
    rc = call(cli, PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_ADD, &req.base, true, &r);
    if (rc == CLI_UNAVAILABLE)
        fprintf(stderr,
                "partrack: no key file was written; if `partrack publisher list` shows %s, it "
                "was added without one: revoke it and add another name\n",
                name);
    if (rc != CLI_OK)
        goto done;
    const Partrack__Publisher *p = r->publishers[0];
    char errbuf[PATH_MAX + 128];
    snprintf(key.name, sizeof key.name, "%s", p->name);
    snprintf(key.server_key, sizeof key.server_key, "%s", r->server_key);
    snprintf(key.endpoint, sizeof key.endpoint, "%s", r->ingest_endpoint);
    if (keyfile_write_new(key_path, &key, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr,
                "partrack: publisher %s was added but its key file was not written: %s\n"
                "  nobody holds its secret key: revoke it (partrack publisher revoke %s) and "
                "add another name\n",
                p->name, errbuf, p->name);
        rc = CLI_REFUSED;
        goto done;
    }
    print_added(r, key_path, json);
done:
    explicit_bzero(&key, sizeof key);
    if (r)
        partrack__publisher_reply__free_unpacked(r, NULL);
    free(codes);
    free(store);
    free(scope_values);
    free(pos);
    return rc;
}

static int verb_revoke(cli_t *cli, int argc, char **argv)
{
    bool json = false, help;
    const cli_option_t options[] = {
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, revoke_usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && npos != 1) {
        fprintf(stderr, "partrack: name one publisher\n\n%s", revoke_usage);
        rc = CLI_USAGE;
    }
    Partrack__PublisherRevokeRequest req = PARTRACK__PUBLISHER_REVOKE_REQUEST__INIT;
    req.name = rc == CLI_OK && !help ? pos[0] : NULL;
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    Partrack__PublisherReply *r = NULL;
    rc = call(cli, PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_REVOKE, &req.base, true, &r);
    if (rc != CLI_OK)
        return rc;
    const Partrack__Publisher *p = r->publishers[0];
    if (json) {
        cli_print_json(json_pack("{s:o}", "publisher", publisher_json(p)));
    } else {
        char at[17];
        format_time(p->revoked_at, at);
        printf("publisher %s revoked at %s; its key is refused from now on\n", p->name, at);
    }
    partrack__publisher_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

static int verb_list(cli_t *cli, int argc, char **argv)
{
    bool json = false, all = false, help;
    const cli_option_t options[] = {
        {"all", NULL, &all, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, list_usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && npos > 0) {
        fprintf(stderr, "partrack: unexpected argument %s\n\n%s", pos[0], list_usage);
        rc = CLI_USAGE;
    }
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    Partrack__PublisherListRequest req = PARTRACK__PUBLISHER_LIST_REQUEST__INIT;
    req.has_include_revoked = 1;
    req.include_revoked = all;
    Partrack__PublisherReply *r = NULL;
    rc = call(cli, PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_LIST, &req.base, false, &r);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        json_t *list = json_array();
        for (size_t i = 0; i < r->n_publishers; i++)
            json_array_append_new(list, publisher_json(r->publishers[i]));
        cli_print_json(json_pack("{s:o, s:s, s:s}", "publishers", list, "server_key", r->server_key,
                                 "ingest_endpoint", r->ingest_endpoint));
    } else {
        int width = 4, scope_width = 5;
        char scope[1024], created[17], revoked[17];
        for (size_t i = 0; i < r->n_publishers; i++) {
            int len = (int)strlen(r->publishers[i]->name);
            width = len > width ? len : width;
            format_scope(r->publishers[i], scope, sizeof scope);
            len = (int)strlen(scope);
            scope_width = len > scope_width ? len : scope_width;
        }
        if (r->n_publishers) {
            printf("%-*s  %-*s  %-16s  %s\n", width, "name", scope_width, "scope", "created",
                   "revoked");
        }
        for (size_t i = 0; i < r->n_publishers; i++) {
            const Partrack__Publisher *p = r->publishers[i];
            format_scope(p, scope, sizeof scope);
            format_time(p->created_at, created);
            format_time(p->revoked_at, revoked);
            printf("%-*s  %-*s  %-16s  %s\n", width, p->name, scope_width, scope, created, revoked);
        }
        fprintf(stderr, "%zu publisher%s\n", r->n_publishers, r->n_publishers == 1 ? "" : "s");
    }
    partrack__publisher_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_publisher(cli_t *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(cli_t *, int, char **);
    } verbs[] = {{"add", verb_add}, {"revoke", verb_revoke}, {"list", verb_list}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(publisher_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].run(cli, argc - 1, argv + 1);
    fprintf(stderr, "partrack: unknown verb publisher %s\n\n%s", argv[1], publisher_usage);
    return CLI_USAGE;
}
