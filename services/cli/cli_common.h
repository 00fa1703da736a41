/* cli_common.h - what every partrack command shares: options, calls, output
 *
 * A command builds its request, calls cli_call, and prints the reply as text
 * for people or as JSON (--json) for scripts. Errors from the services are
 * printed the same way everywhere: one sentence, then each problem as
 * `file:line: field: what`. Exit codes: 0 done, 1 refused (invalid, not
 * found, conflict), 2 usage error, 3 service unavailable or no answer.
 */
#ifndef PARTRACK_CLI_COMMON_H
#define PARTRACK_CLI_COMMON_H

#include "keyfile.h"
#include "msg.h"
#include "rpc.h"

#include <jansson.h>
#include <stdbool.h>

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2, CLI_UNAVAILABLE = 3 };

typedef struct {
    const char *registry; /* endpoint */
    const char *deadline; /* endpoint of the deadline service */
    const char *notify;   /* endpoint of the notify service (requests, not feeds) */
    const char *scoring;  /* endpoint of the scoring service */
    int timeout_ms;
    void *zmq;
} cli_t;

/* Sends a request and decodes the expected reply into *reply (caller frees
 * with protobuf_c_message_free_unpacked). Prints errors to stderr. Returns a
 * CLI_ exit code. `mutation` adds a fresh idempotency key, so the retries
 * rpc_call makes never apply a change twice. */
int cli_call(cli_t *cli, const char *endpoint, Partrack__MessageType type,
             const ProtobufCMessage *request, bool mutation, Partrack__MessageType reply_type,
             const ProtobufCMessageDescriptor *reply_descriptor, ProtobufCMessage **reply);

/* Runs an online verb of a command that is otherwise offline: makes the
 * ZeroMQ context cli->zmq for the call if there is none, and ends it after. */
int cli_run_online(cli_t *cli, int (*run)(cli_t *, int, char **), int argc, char **argv);

/* Prints a JSON value to stdout (pretty, UTF-8 kept) and releases it. */
void cli_print_json(json_t *value);

/* Prints s padded with spaces to `width` characters (not bytes). */
void cli_print_padded(const char *s, int width);

/* "x" or JSON null. */
json_t *cli_json_string(const char *s);

/* Reads a whole file. Returns a malloc'd buffer and its length, or NULL with a
 * message printed. Caller frees. */
char *cli_read_file(const char *path, size_t max_len, size_t *len);

/* A fresh CURVE keypair for a new key file at path, once it is known that
 * the file can be made there: it does not exist (not even as a dangling
 * link) and its directory is writable. Run before asking a service for
 * anything, so a refusal writes nothing. Returns CLI_OK, CLI_USAGE (the
 * path is taken or not writable) or CLI_UNAVAILABLE (no CURVE), with the
 * reason printed. */
int cli_new_keypair(const char *path, keyfile_t *key);

/* Options of a verb, for cli_parse. Exactly one of value, flag or list is
 * set: `--name VALUE` (or --name=VALUE) stores into *value, `--name` sets
 * *flag, a repeatable `--name VALUE` appends to *list (caller frees the
 * array, not the strings). */
typedef struct {
    const char *name;
    const char **value;
    bool *flag;
    const char ***list;
    size_t *nlist;
} cli_option_t;

/* Parses argv[1..] against options (NULL-name terminated). Arguments that
 * are not options go to *pos (malloc'd, caller frees) in order; "--" ends
 * options; "-h"/"--help" prints usage and sets *help. Texts from plans
 * often start with "- ", so only "--name" is an option. Returns CLI_OK or
 * CLI_USAGE (message printed). */
int cli_parse(int argc, char **argv, const cli_option_t *options, const char *usage, char ***pos,
              int *npos, bool *help);

#endif
