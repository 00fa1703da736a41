/* keyfile.c - CURVE key files (see the header) */
#include "keyfile.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

/* CZMQ would otherwise take over SIGINT/SIGTERM the first time it logs;
 * the caller's own signal handling stays. */
static void quiet_czmq(void)
{
    zsys_handler_set(NULL);
}

static const char z85_chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

bool keyfile_z85_valid(const char *text)
{
    if (!text || strlen(text) != KEYFILE_Z85_LEN)
        return false;
    for (const char *p = text; *p; p++)
        if (!strchr(z85_chars, *p))
            return false;
    return true;
}

int keyfile_generate(keyfile_t *k)
{
    return zmq_curve_keypair(k->public_key, k->secret_key) == 0 ? 0 : -1;
}

int keyfile_write_new(const char *path, const keyfile_t *k, char *errbuf, size_t errlen)
{
    if (!keyfile_z85_valid(k->public_key) || !keyfile_z85_valid(k->secret_key)) {
        snprintf(errbuf, errlen, "not a CURVE keypair");
        return -1;
    }
    quiet_czmq();
    /* Claim the name first, private from the start; zcert then fills it. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(errbuf, errlen, "%s: %s%s", path, strerror(errno),
                 errno == EEXIST ? " (a key file is never overwritten: choose another name)" : "");
        return -1;
    }
    close(fd);
    uint8_t public_key[32], secret_key[32];
    zcert_t *cert =
        zmq_z85_decode(public_key, k->public_key) && zmq_z85_decode(secret_key, k->secret_key)
            ? zcert_new_from(public_key, secret_key)
            : NULL;
    int rc = -1;
    if (cert) {
        zcert_set_meta(cert, "name", "%s", k->name);
        if (*k->server_key)
            zcert_set_meta(cert, "server-key", "%s", k->server_key);
        if (*k->endpoint)
            zcert_set_meta(cert, "endpoint", "%s", k->endpoint);
        rc = zcert_save_secret(cert, path);
        zcert_destroy(&cert);
    }
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s: cannot write the key file", path);
        unlink(path);
        return -1;
    }
    return 0;
}

static void copy_meta(zcert_t *cert, const char *name, char *out, size_t len)
{
    const char *v = zcert_meta(cert, name);
    snprintf(out, len, "%s", v ? v : "");
}

int keyfile_read(const char *path, keyfile_t *k, char *errbuf, size_t errlen)
{
    memset(k, 0, sizeof *k);
    if (access(path, R_OK) != 0) {
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    quiet_czmq();
    zcert_t *cert = zcert_load(path);
    if (!cert) {
        snprintf(errbuf, errlen, "%s: not a key file (a ZeroMQ certificate)", path);
        return -1;
    }
    snprintf(k->public_key, sizeof k->public_key, "%s", zcert_public_txt(cert));
    snprintf(k->secret_key, sizeof k->secret_key, "%s", zcert_secret_txt(cert));
    copy_meta(cert, "name", k->name, sizeof k->name);
    copy_meta(cert, "server-key", k->server_key, sizeof k->server_key);
    copy_meta(cert, "endpoint", k->endpoint, sizeof k->endpoint);
    zcert_destroy(&cert);
    /* zcert gives forty zeros for a missing secret. */
    if (!keyfile_z85_valid(k->public_key) || !keyfile_z85_valid(k->secret_key) ||
        strspn(k->secret_key, "0") == KEYFILE_Z85_LEN) {
        snprintf(errbuf, errlen, "%s: holds no secret key (a public certificate?)", path);
        return -1;
    }
    if (*k->server_key && !keyfile_z85_valid(k->server_key)) {
        snprintf(errbuf, errlen, "%s: server-key is not a CURVE key", path);
        return -1;
    }
    return 0;
}
