/* keyfile.h - CURVE key files: who a publisher (or a person) is
 *
 * A key file holds one CURVE keypair with what its holder needs to connect:
 * the name it was issued to, the server's public key and the endpoint. It is
 * a ZeroMQ certificate (CZMQ's zcert, the ZPL text format), so other ZeroMQ
 * tools read it too:
 *
 *   metadata
 *       name = "dossier-system"
 *       server-key = "..."
 *       endpoint = "tcp://127.0.0.1:5553"
 *   curve
 *       public-key = "..."
 *       secret-key = "..."
 *
 * A new key file is created with mode 0600 and never overwrites a file: the
 * secret is written once, where the person who asked for it said.
 */
#ifndef PARTRACK_KEYFILE_H
#define PARTRACK_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>

#define KEYFILE_Z85_LEN 40 /* a CURVE key in Z85 */

typedef struct {
    char name[65];
    char public_key[KEYFILE_Z85_LEN + 1];
    char secret_key[KEYFILE_Z85_LEN + 1];
    char server_key[KEYFILE_Z85_LEN + 1]; /* "" if none */
    char endpoint[256];                   /* "" if none */
} keyfile_t;

/* A new CURVE keypair into k (name, server key and endpoint left as they
 * are). Returns 0, or -1 if libzmq has no CURVE. */
int keyfile_generate(keyfile_t *k);

/* Whether text is a CURVE key in Z85 (40 characters of the Z85 alphabet). */
bool keyfile_z85_valid(const char *text);

/* Writes k to a new file at path (mode 0600). Returns 0, or -1 with the
 * reason in errbuf (the file exists, the directory cannot be written...);
 * an existing file is never touched. */
int keyfile_write_new(const char *path, const keyfile_t *k, char *errbuf, size_t errlen);

/* Reads a key file; it must hold a secret key. Returns 0, or -1 with the
 * reason in errbuf. */
int keyfile_read(const char *path, keyfile_t *k, char *errbuf, size_t errlen);

#endif
