/* test_keyfile.c - unit tests for services/common/keyfile.c
 *
 * Real files in a temporary directory: a new keypair written and read back
 * with its metadata, mode 0600, never overwritten, a public-only
 * certificate and garbage refused, Z85 checks.
 */
#include "keyfile.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/partrack-keyfile-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *in_dir(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

TestSuite(keyfile, .init = setup, .fini = teardown);

Test(keyfile, written_once_and_read_back)
{
    keyfile_t k = {0}, back, server;
    cr_assert_eq(keyfile_generate(&k), 0);
    cr_assert_eq(keyfile_generate(&server), 0);
    snprintf(k.name, sizeof k.name, "dossier-system");
    snprintf(k.server_key, sizeof k.server_key, "%s", server.public_key);
    snprintf(k.endpoint, sizeof k.endpoint, "tcp://127.0.0.1:5553");
    char err[256];
    const char *path = in_dir("dossier.key");
    cr_assert_eq(keyfile_write_new(path, &k, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
    cr_assert_eq(keyfile_read(path, &back, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(back.name, "dossier-system");
    cr_assert_str_eq(back.public_key, k.public_key);
    cr_assert_str_eq(back.secret_key, k.secret_key);
    cr_assert_str_eq(back.server_key, server.public_key);
    cr_assert_str_eq(back.endpoint, "tcp://127.0.0.1:5553");
    /* Never overwritten: the first secret stays. */
    keyfile_t other = k;
    cr_assert_eq(keyfile_generate(&other), 0);
    cr_assert_eq(keyfile_write_new(path, &other, err, sizeof err), -1);
    cr_assert(strstr(err, "never overwritten"), "%s", err);
    cr_assert_eq(keyfile_read(path, &back, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(back.secret_key, k.secret_key);
}

Test(keyfile, files_without_a_secret_are_refused)
{
    char err[256];
    keyfile_t k;
    cr_assert_eq(keyfile_read(in_dir("missing.key"), &k, err, sizeof err), -1);
    cr_assert(strstr(err, "No such file"), "%s", err);
    FILE *f = fopen(in_dir("public.key"), "w");
    cr_assert_not_null(f);
    fprintf(f, "metadata\n    name = \"x\"\ncurve\n    public-key = \"%s\"\n",
            "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    fclose(f);
    cr_assert_eq(keyfile_read(in_dir("public.key"), &k, err, sizeof err), -1);
    cr_assert(strstr(err, "no secret key"), "%s", err);
    f = fopen(in_dir("garbage.key"), "w");
    cr_assert_not_null(f);
    fputs("\x01\x02 not a certificate\n\t\tat all\n", f);
    fclose(f);
    cr_assert_eq(keyfile_read(in_dir("garbage.key"), &k, err, sizeof err), -1);
}

Test(keyfile, z85_keys)
{
    cr_assert(keyfile_z85_valid("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"));
    cr_assert_not(keyfile_z85_valid("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"));
    cr_assert_not(keyfile_z85_valid("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\""));
    cr_assert_not(keyfile_z85_valid(NULL));
}
