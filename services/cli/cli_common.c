/* cli_common.c - what every partrack command shares: options, calls, output */
#include "cli_common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

static int print_error_reply(const msg_envelope_t *env)
{
    Partrack__ErrorReply *err =
        env->has_payload ? partrack__error_reply__unpack(NULL, env->payload.len, env->payload.data)
                         : NULL;
    if (!err) {
        fprintf(stderr, "partrack: the service answered with an unreadable error\n");
        return CLI_UNAVAILABLE;
    }
    fprintf(stderr, "partrack: %s [%s]\n", err->message, msg_code_name(err->code));
    for (size_t i = 0; i < err->n_problems; i++) {
        const Partrack__Problem *p = err->problems[i];
        fputs("  ", stderr);
        if (p->file && *p->file) {
            fputs(p->file, stderr);
            if (p->has_line && p->line)
                fprintf(stderr, ":%u", p->line);
            fputs(": ", stderr);
        }
        if (p->field && *p->field)
            fprintf(stderr, "%s: ", p->field);
        fprintf(stderr, "%s\n", p->message);
    }
    int rc = msg_code_retryable(err->code) ? CLI_UNAVAILABLE : CLI_REFUSED;
    partrack__error_reply__free_unpacked(err, NULL);
    return rc;
}

int cli_call(cli_t *cli, const char *endpoint, Partrack__MessageType type,
             const ProtobufCMessage *request, bool mutation, Partrack__MessageType reply_type,
             const ProtobufCMessageDescriptor *reply_descriptor, ProtobufCMessage **reply)
{
    char key[33], errbuf[512];
    *reply = NULL;
    if (mutation)
        msg_new_id(key);
    msg_envelope_t *env = rpc_call(cli->zmq, endpoint, type, request, mutation ? key : NULL,
                                   cli->timeout_ms, errbuf, sizeof errbuf);
    if (!env) {
        fprintf(stderr, "partrack: %s\n  is the service running? (scripts/run starts it)\n",
                errbuf);
        return CLI_UNAVAILABLE;
    }
    int rc = CLI_OK;
    if (env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR) {
        rc = print_error_reply(env);
    } else if (env->type != reply_type) {
        fprintf(stderr, "partrack: unexpected reply type %d\n", (int)env->type);
        rc = CLI_UNAVAILABLE;
    } else {
        char reason[256];
        *reply = msg_decode(env, reply_descriptor, reason, sizeof reason);
        if (!*reply) {
            fprintf(stderr, "partrack: unreadable reply: %s\n", reason);
            rc = CLI_UNAVAILABLE;
        }
    }
    msg_close(&env);
    return rc;
}

void cli_print_json(json_t *value)
{
    char *text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        puts(text);
        free(text);
    }
    json_decref(value);
}

void cli_print_padded(const char *s, int width)
{
    int chars = 0;
    for (const char *c = s; *c; c++)
        chars += ((unsigned char)*c & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; chars < width; chars++)
        putchar(' ');
}

json_t *cli_json_string(const char *s)
{
    return s ? json_string(s) : json_null();
}

char *cli_read_file(const char *path, size_t max_len, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "partrack: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "partrack: %s: not a regular file\n", path);
        fclose(f);
        return NULL;
    }
    if ((size_t)st.st_size > max_len) {
        fprintf(stderr, "partrack: %s: %lld bytes, over the limit of %zu bytes\n", path,
                (long long)st.st_size, max_len);
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    if (!buf || n != (size_t)st.st_size || ferror(f)) {
        fprintf(stderr, "partrack: %s: cannot read\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

int cli_parse(int argc, char **argv, const cli_option_t *options, const char *usage, char ***pos,
              int *npos, bool *help)
{
    *help = false;
    *npos = 0;
    *pos = calloc((size_t)argc + 1, sizeof **pos);
    if (!*pos)
        return CLI_USAGE;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            fputs(usage, stdout);
            *help = true;
            return CLI_OK;
        }
        if (options_done || strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            (*pos)[(*npos)++] = argv[i];
            continue;
        }
        const char *name = a + 2;
        size_t len = strcspn(name, "=");
        const cli_option_t *o = options;
        while (o->name && (strlen(o->name) != len || strncmp(o->name, name, len) != 0))
            o++;
        if (!o->name || (o->flag && name[len] == '=')) {
            fprintf(stderr, "partrack: unknown option %s\n\n%s", a, usage);
            return CLI_USAGE;
        }
        if (o->flag) {
            *o->flag = true;
            continue;
        }
        const char *value = name[len] == '=' ? name + len + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            fprintf(stderr, "partrack: --%s needs a value\n\n%s", o->name, usage);
            return CLI_USAGE;
        }
        if (o->value) {
            *o->value = value;
        } else {
            const char **grown = realloc(*o->list, (*o->nlist + 1) * sizeof *grown);
            if (!grown)
                return CLI_USAGE;
            grown[(*o->nlist)++] = value;
            *o->list = grown;
        }
    }
    return CLI_OK;
}

int cli_run_online(cli_t *cli, int (*run)(cli_t *, int, char **), int argc, char **argv)
{
    if (cli->zmq)
        return run(cli, argc, argv);
    if (!(cli->zmq = zmq_ctx_new())) {
        fprintf(stderr, "partrack: cannot start ZeroMQ\n");
        return CLI_UNAVAILABLE;
    }
    int rc = run(cli, argc, argv);
    zmq_ctx_term(cli->zmq);
    cli->zmq = NULL;
    return rc;
}

static bool key_file_free(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        fprintf(stderr,
                "partrack: %s exists; a key file is never overwritten: give another "
                "--key-file\n",
                path);
        return false;
    }
    if (errno != ENOENT) {
        fprintf(stderr, "partrack: %s: %s\n", path, strerror(errno));
        return false;
    }
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    errno = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "partrack: cannot make a key file in %s: %s\n", dir,
                errno ? strerror(errno) : "not a directory");
        return false;
    }
    return true;
}

int cli_new_keypair(const char *path, keyfile_t *key)
{
    if (!key_file_free(path))
        return CLI_USAGE;
    if (keyfile_generate(key) < 0) {
        fprintf(stderr, "partrack: cannot make a CURVE keypair (libzmq built without CURVE?)\n");
        return CLI_UNAVAILABLE;
    }
    return CLI_OK;
}
