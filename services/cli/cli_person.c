/* cli_person.c - `partrack person key ID` and `partrack follow CODE --person
 * ID`: people's feed keys and the units they follow
 *
 * person key works like `publisher add`: the person's CURVE keypair is made
 * here, the notify service gets only the public half, and on success the key
 * file (a ZeroMQ certificate with the person's name, the feed endpoint and
 * its server key, and the keypair) is written where asked. Its path is
 * checked before anything is sent, so a refused request writes nothing; a
 * key file is never overwritten. A person has one key: the new one replaces
 * any earlier one, which the feed refuses from then on, so a lost or leaked
 * key file is mended by running the command again.
 *
 * follow adds a unit to the units whose news reach a person's feed (or
 * removes it, --stop) and prints what the person follows now. Both go to the
 * notify service's request endpoint (cli->notify).
 */
#include "cli_person.h"

#include "keyfile.h"
#include "notify.pb-c.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char person_usage[] =
    "usage: partrack person VERB ...\n"
    "\n"
    "  key ID [--key-file PATH] [--json]\n"
    "  digest ID [--at HH:MM | --off | --on] [--json]\n"
    "\n"
    "People (unit heads, officers; IDs from the unit directory, e.g. P00124) read\n"
    "their notification feed with a key file of their own: `partrack person key`\n"
    "makes it, `partrack feed --key FILE` reads the feed. `partrack person key\n"
    "--help` tells more; `partrack follow --help` tells how a person follows a unit.\n";

static const char key_usage[] =
    "usage: partrack person key ID [--key-file PATH] [--json]\n"
    "\n"
    "Makes the feed key of person ID (from the unit directory, e.g. P00124). The\n"
    "CURVE keypair is made here; only the public key is sent to the notify service.\n"
    "On success the key file is written at PATH (default ID.key in the current\n"
    "directory) with mode 0600: a ZeroMQ certificate holding the person's name, the\n"
    "feed endpoint and its server key, and the keypair. It is the only copy of the\n"
    "secret key: hand it to the person over a safe channel.\n"
    "\n"
    "A person has one key: a new one replaces the old, which the feed refuses from\n"
    "then on. Run the command again when a key file is lost or may have leaked.\n"
    "PATH must not exist (a key file is never overwritten): it is checked before\n"
    "anything is sent.\n"
    "\n"
    "Exit status: 0 done, 1 refused (unknown person...), 2 usage, 3 notify unavailable.\n";

static const char follow_usage[] =
    "usage: partrack follow CODE --person ID [--stop] [--json]\n"
    "\n"
    "Person ID follows unit CODE: the unit's news (new tasks, due soon, due,\n"
    "overdue, escalated...) reach the person's feed as they reach its head's. With\n"
    "--stop the person stops following it. Prints every unit the person follows\n"
    "now. A unit's heads and people get their own units' news without following.\n"
    "\n"
    "Exit status: 0 done, 1 refused (unknown person or unit...), 2 usage, 3 notify\n"
    "unavailable.\n";

/* s into out (size len) cut at a character boundary of UTF-8. */
static void copy_utf8(char *out, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (n >= len) {
        n = len - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

static void print_key(const Partrack__PersonKeyReply *r, const char *path, bool json)
{
    char shown[PATH_MAX];
    if (!realpath(path, shown))
        snprintf(shown, sizeof shown, "%s", path);
    if (json) {
        cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:s}", "person_id", r->person_id, "name",
                                 r->name, "key_file", shown, "server_key", r->server_key,
                                 "feed_endpoint", r->feed_endpoint));
        return;
    }
    printf("feed key of %s (%s) made\n", r->person_id, r->name);
    printf("  key file:   %s (mode 0600)\n", shown);
    printf("  endpoint:   %s\n", *r->feed_endpoint ? r->feed_endpoint : "(not configured)");
    printf("  server key: %s\n", r->server_key);
    printf("The key file holds the only copy of the secret key; the notify service keeps only\n"
           "the public key. Any earlier key of %s no longer works. Hand the file to %s\n"
           "over a safe channel; it reads the feed with `partrack feed --key FILE`.\n",
           r->person_id, r->name);
}

static int verb_key(cli_t *cli, int argc, char **argv)
{
    const char *key_path = NULL;
    bool json = false, help;
    const cli_option_t options[] = {
        {"key-file", &key_path, NULL, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos = NULL, default_path[128];
    int npos;
    keyfile_t key = {0};
    Partrack__PersonKeyReply *r = NULL;
    int rc = cli_parse(argc, argv, options, key_usage, &pos, &npos, &help);
    if (rc != CLI_OK || help)
        goto done;
    if (npos != 1) {
        fprintf(stderr, "partrack: name one person (ID)\n\n%s", key_usage);
        rc = CLI_USAGE;
        goto done;
    }
    const char *id = pos[0];
    if (!*id || strlen(id) > 64 || strchr(id, '/')) {
        fprintf(stderr, "partrack: \"%s\" is not a person ID (e.g. P00124)\n", id);
        rc = CLI_USAGE;
        goto done;
    }
    if (!key_path) {
        snprintf(default_path, sizeof default_path, "%s.key", id);
        key_path = default_path;
    }
    if ((rc = cli_new_keypair(key_path, &key)) != CLI_OK)
        goto done;
    Partrack__PersonKeyRequest req = PARTRACK__PERSON_KEY_REQUEST__INIT;
    req.person_id = (char *)id;
    req.public_key = key.public_key;
    rc = cli_call(cli, cli->notify, PARTRACK__MESSAGE_TYPE__MSG_PERSON_KEY, &req.base, true,
                  PARTRACK__MESSAGE_TYPE__MSG_PERSON_KEY_REPLY,
                  &partrack__person_key_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc == CLI_UNAVAILABLE)
        fprintf(stderr,
                "partrack: no key file was written; if the key reached the notify service, %s's "
                "earlier key may no longer work: run the command again\n",
                id);
    if (rc != CLI_OK)
        goto done;
    if (!keyfile_z85_valid(r->server_key)) {
        fprintf(stderr,
                "partrack: the notify service gave no valid server key (is its feed endpoint "
                "configured?); no key file was written\n");
        rc = CLI_UNAVAILABLE;
        goto done;
    }
    char errbuf[PATH_MAX + 128];
    copy_utf8(key.name, sizeof key.name, r->name);
    snprintf(key.server_key, sizeof key.server_key, "%s", r->server_key);
    copy_utf8(key.endpoint, sizeof key.endpoint, r->feed_endpoint);
    if (keyfile_write_new(key_path, &key, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr,
                "partrack: the key of %s was registered but its key file was not written: %s\n"
                "  nobody holds its secret key, and any earlier key no longer works: run "
                "`partrack person key %s` again with another --key-file\n",
                r->person_id, errbuf, r->person_id);
        rc = CLI_REFUSED;
        goto done;
    }
    print_key(r, key_path, json);
done:
    explicit_bzero(&key, sizeof key);
    if (r)
        partrack__person_key_reply__free_unpacked(r, NULL);
    free(pos);
    return rc;
}

static const char digest_usage[] =
    "usage: partrack person digest ID [--at HH:MM | --off | --on] [--json]\n"
    "\n"
    "Shows or sets when person ID gets the daily digest in their feed: how many of\n"
    "their unit's tasks are overdue, due today and due within 7 days, the overdue\n"
    "ones named. Everyone who holds a feed key gets it, by default at 07:30\n"
    "(UTC+7, the deadline service's clock), once a day, when something is open.\n"
    "\n"
    "  --at HH:MM   the time of day (00:00 to 23:59)\n"
    "  --off        no digest; --on: the digest again\n";

static int verb_digest(cli_t *cli, int argc, char **argv)
{
    const char *at = NULL;
    bool off = false, on = false, json = false, help;
    const cli_option_t options[] = {
        {"at", &at, NULL, NULL, NULL},  {"off", NULL, &off, NULL, NULL},
        {"on", NULL, &on, NULL, NULL},  {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, digest_usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && (npos != 1 || (off && on))) {
        fprintf(stderr, "partrack: name one person, and not both --off and --on\n\n%s",
                digest_usage);
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK || help) {
        free(pos);
        return rc;
    }
    Partrack__DigestRequest req = PARTRACK__DIGEST_REQUEST__INIT;
    req.person_id = pos[0];
    req.at = (char *)at;
    req.has_off = off || on;
    req.off = off;
    Partrack__DigestReply *r = NULL;
    rc = cli_call(cli, cli->notify, PARTRACK__MESSAGE_TYPE__MSG_DIGEST, &req.base, at || off || on,
                  PARTRACK__MESSAGE_TYPE__MSG_DIGEST_REPLY, &partrack__digest_reply__descriptor,
                  (ProtobufCMessage **)&r);
    free(pos);
    if (rc != CLI_OK)
        return rc;
    if (json)
        cli_print_json(json_pack("{s:s, s:s, s:b, s:o}", "person_id", r->person_id, "at", r->at,
                                 "off", r->off, "last_day", cli_json_string(r->last_day)));
    else if (r->off)
        printf("%s: no daily digest\n", r->person_id);
    else
        printf("%s: daily digest at %s%s%s\n", r->person_id, r->at,
               r->last_day ? ", last written for " : "", r->last_day ? r->last_day : "");
    partrack__digest_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_person(cli_t *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(person_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "key") == 0)
        return verb_key(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "digest") == 0)
        return verb_digest(cli, argc - 1, argv + 1);
    fprintf(stderr, "partrack: unknown verb person %s\n\n%s", argv[1], person_usage);
    return CLI_USAGE;
}

int cli_follow(cli_t *cli, int argc, char **argv)
{
    const char *person = NULL;
    bool json = false, stop = false, help;
    const cli_option_t options[] = {
        {"person", &person, NULL, NULL, NULL},
        {"stop", NULL, &stop, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos;
    int npos;
    int rc = cli_parse(argc, argv, options, follow_usage, &pos, &npos, &help);
    if (rc == CLI_OK && !help && (npos != 1 || !person || !*person)) {
        fprintf(stderr, "partrack: give one unit CODE and --person ID\n\n%s", follow_usage);
        rc = CLI_USAGE;
    }
    Partrack__FollowRequest req = PARTRACK__FOLLOW_REQUEST__INIT;
    req.person_id = (char *)person;
    req.unit_code = rc == CLI_OK && !help ? pos[0] : NULL;
    req.has_stop = 1;
    req.stop = stop;
    free(pos);
    if (rc != CLI_OK || help)
        return rc;
    Partrack__FollowReply *r = NULL;
    rc = cli_call(cli, cli->notify, PARTRACK__MESSAGE_TYPE__MSG_FOLLOW, &req.base, true,
                  PARTRACK__MESSAGE_TYPE__MSG_FOLLOW_REPLY, &partrack__follow_reply__descriptor,
                  (ProtobufCMessage **)&r);
    if (rc != CLI_OK)
        return rc;
    if (json) {
        json_t *units = json_array();
        for (size_t i = 0; i < r->n_units; i++)
            json_array_append_new(units, json_string(r->units[i]));
        cli_print_json(json_pack("{s:s, s:o}", "person_id", r->person_id, "units", units));
    } else {
        printf("%s %s %s\n", r->person_id, stop ? "no longer follows" : "follows", req.unit_code);
        if (r->n_units == 0)
            printf("%s follows no unit now\n", r->person_id);
        else
            printf("%s follows %zu unit%s now:\n", r->person_id, r->n_units,
                   r->n_units == 1 ? "" : "s");
        for (size_t i = 0; i < r->n_units; i++)
            printf("  %s\n", r->units[i]);
    }
    partrack__follow_reply__free_unpacked(r, NULL);
    return CLI_OK;
}
