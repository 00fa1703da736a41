/* test_registry_publishers.c - publishers: add, revoke, list
 *
 * Against the sample city, through the real CLI and registry: an add makes
 * the keypair in the command line and writes a private key file (a ZeroMQ
 * certificate) whose public key is the one stored and whose server key is
 * the ingest endpoint's; a refused add (unknown or inactive scope, bad name,
 * name or key taken) stores nothing and writes no file; an existing key file
 * is refused before anything is sent; a revocation is final; the list hides
 * revoked publishers unless asked.
 */
#include "harness.h"
#include "keyfile.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static harness_service_t registry;
static char db[64], ingest[64], dir[64];

static void start(void)
{
    snprintf(db, sizeof db, "publishers_%d", (int)getpid());
    snprintf(dir, sizeof dir, "/tmp/partrack-publishers-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    snprintf(ingest, sizeof ingest, "%s", registry.ingest);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "sample import failed: %s", r.err);
    harness_run_free(&r);
}

static void stop(void)
{
    harness_service_stop(&registry, SIGTERM);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* The first column of the first row as text into out ("" if none). */
static void sql_text(const char *query, char *out, size_t len)
{
    PGconn *conn = harness_pg(db);
    PGresult *res = PQexec(conn, query);
    snprintf(out, len, "%s",
             PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0)
                                                                          : "");
    PQclear(res);
    PQfinish(conn);
}

/* A path in the test's directory (static buffer, one of four in turn). */
static const char *in_dir(const char *name)
{
    static char paths[4][128];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* `partrack publisher add NAME --scope SCOPE --key-file FILE [extra]`. */
static int add(harness_run_t *r, const char *name, const char *scope, const char *file,
               const char *extra)
{
    return harness_cli(r, registry.endpoint, "publisher", "add", name, "--scope", scope,
                       "--key-file", file, extra, NULL);
}

static void add_ok(const char *name, const char *scope)
{
    harness_run_t r;
    char file[64];
    snprintf(file, sizeof file, "%s.key", name);
    cr_assert_eq(add(&r, name, scope, in_dir(file), NULL), 0, "add %s: %s", name, r.err);
    harness_run_free(&r);
}

TestSuite(publishers, .init = start, .fini = stop, .timeout = 90);

Test(publishers, add_writes_a_private_key_file_with_the_stored_key_and_the_servers)
{
    harness_run_t r;
    const char *file = in_dir("dossier.key");
    int rc = add(&r, "dossier-system", "HN.HADONG,HN.SNV", file, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, file), "says where the key file went: %s", r.out);
    cr_assert(strstr(r.out, "only copy"), "says it is the only copy: %s", r.out);
    harness_run_free(&r);

    struct stat st;
    cr_assert_eq(stat(file, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", (unsigned)(st.st_mode & 0777));
    keyfile_t k;
    char errbuf[256], stored[128];
    cr_assert_eq(keyfile_read(file, &k, errbuf, sizeof errbuf), 0, "%s", errbuf);
    cr_assert_str_eq(k.name, "dossier-system");
    cr_assert_str_eq(k.endpoint, ingest);
    sql_text("SELECT public_key FROM registry.publisher WHERE name = 'dossier-system'", stored,
             sizeof stored);
    cr_assert_str_eq(k.public_key, stored, "the file's public key is the stored one");
    sql_text("SELECT public_key FROM registry.ingest_key", stored, sizeof stored);
    cr_assert_str_eq(k.server_key, stored, "the file's server key is the ingest endpoint's");
    cr_assert(keyfile_z85_valid(k.secret_key));

    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher WHERE name = 'dossier-system' AND "
                     "scope = ARRAY['HN.HADONG', 'HN.SNV'] AND revoked_at IS NULL"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE entity = 'publisher' AND "
                     "entity_id = 'dossier-system' AND action = 'added'"),
                 1);
    /* The secret never reached the registry. */
    char query[256];
    snprintf(query, sizeof query,
             "SELECT (SELECT count(*) FROM registry.audit WHERE strpos(after::text, '%s') > 0) + "
             "(SELECT count(*) FROM registry.publisher WHERE public_key = '%s')",
             k.secret_key, k.secret_key);
    cr_assert_eq(sql(query), 0);
}

Test(publishers, add_json_output_parses)
{
    harness_run_t r;
    const char *file = in_dir("docs.key");
    int rc = add(&r, "docs", "HN", file, "--json");
    cr_assert_eq(rc, 0, "%s", r.err);
    json_error_t error;
    json_t *out = json_loads(r.out, 0, &error);
    cr_assert_not_null(out, "%s: %s", error.text, r.out);
    json_t *p = json_object_get(out, "publisher");
    cr_assert_str_eq(json_string_value(json_object_get(p, "name")), "docs");
    cr_assert_eq(json_array_size(json_object_get(p, "scope")), 1);
    cr_assert(json_is_null(json_object_get(p, "revoked_at")));
    cr_assert_str_eq(json_string_value(json_object_get(out, "ingest_endpoint")), ingest);
    char key[128];
    sql_text("SELECT public_key FROM registry.ingest_key", key, sizeof key);
    cr_assert_str_eq(json_string_value(json_object_get(out, "server_key")), key);
    cr_assert(strstr(json_string_value(json_object_get(out, "key_file")), "docs.key"));
    json_decref(out);
    harness_run_free(&r);
}

Test(publishers, the_default_key_file_is_name_dot_key_here)
{
    cr_assert_eq(chdir(dir), 0);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "publisher", "add", "tracker", "--scope",
                         "HN.HADONG", "--scope", "HN.STP", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    cr_assert(exists(in_dir("tracker.key")));
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher WHERE scope = ARRAY['HN.HADONG', "
                     "'HN.STP']"),
                 1, "repeated --scope adds up");
}

Test(publishers, an_unknown_scope_code_is_refused_and_nothing_is_kept)
{
    harness_run_t r;
    const char *file = in_dir("bad-scope.key");
    int rc = add(&r, "bad-scope", "HN.HADONG,HN.NOPE,HN.ZZZ", file, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "scope: HN.NOPE is not a unit"), "%s", r.err);
    cr_assert(strstr(r.err, "scope: HN.ZZZ is not a unit"), "every code is told: %s", r.err);
    harness_run_free(&r);
    cr_assert_not(exists(file), "no key file for a refused add");
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE entity = 'publisher'"), 0);
}

Test(publishers, a_merged_unit_is_refused_as_scope)
{
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "merge", "HN.HADONG.BIENGIANG", "--into",
                         "HN.HADONG.PHULAM", "--on", "2024-07-01", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    const char *file = in_dir("old.key");
    rc = add(&r, "old", "HN.HADONG.BIENGIANG", file, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "HN.HADONG.BIENGIANG is no longer active"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_not(exists(file));
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher"), 0);
}

Test(publishers, a_bad_name_is_refused)
{
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    const char *names[] = {"Dossier", "-dash-first", "has space", "dấu", long_name};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        harness_run_t r;
        const char *file = in_dir("bad-name.key");
        int rc = add(&r, names[i], "HN", file, NULL);
        cr_assert_eq(rc, 1, "%s: %s", names[i], r.err);
        cr_assert(strstr(r.err, "is not a publisher name"), "%s: %s", names[i], r.err);
        harness_run_free(&r);
        cr_assert_not(exists(file), "%s", names[i]);
    }
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher"), 0);

    /* Without --key-file the name makes the path: one with a slash is no name. */
    harness_run_t r;
    cr_assert_eq(
        harness_cli(&r, registry.endpoint, "publisher", "add", "../up", "--scope", "HN", NULL), 2,
        "%s", r.err);
    harness_run_free(&r);
}

Test(publishers, a_name_taken_is_refused_even_after_revocation)
{
    add_ok("dossier", "HN.HADONG");
    harness_run_t r;
    const char *file = in_dir("dossier-2.key");
    int rc = add(&r, "dossier", "HN.SNV", file, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "publisher dossier exists; revoke it and add another name"), "%s",
              r.err);
    cr_assert(strstr(r.err, "[CONFLICT]"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_not(exists(file));
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher WHERE scope = ARRAY['HN.HADONG']"), 1,
                 "the first one is untouched");

    cr_assert_eq(harness_cli(&r, registry.endpoint, "publisher", "revoke", "dossier", NULL), 0,
                 "%s", r.err);
    harness_run_free(&r);
    rc = add(&r, "dossier", "HN.SNV", file, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "never reused"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_not(exists(file));
}

Test(publishers, an_existing_key_file_is_refused_before_anything_is_sent)
{
    const char *file = in_dir("kept.key");
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fputs("keep me\n", f);
    fclose(f);
    long requests = sql("SELECT count(*) FROM registry.request_log");
    harness_run_t r;
    int rc = add(&r, "kept", "HN", file, NULL);
    cr_assert_eq(rc, 2, "%s", r.err);
    cr_assert(strstr(r.err, "never overwritten"), "%s", r.err);
    harness_run_free(&r);
    char content[32] = "";
    f = fopen(file, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(content, sizeof content, f));
    fclose(f);
    cr_assert_str_eq(content, "keep me\n", "the file is untouched");
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.request_log"), requests, "nothing was sent");

    /* Nothing is sent at all: no registry needed to be refused. */
    rc = harness_cli(&r, "tcp://127.0.0.1:9", "--timeout", "1", "publisher", "add", "kept",
                     "--scope", "HN", "--key-file", file, NULL);
    cr_assert_eq(rc, 2, "%s", r.err);
    harness_run_free(&r);

    /* A dangling link counts as a file; a missing directory is refused too. */
    const char *link = in_dir("link.key");
    cr_assert_eq(symlink(in_dir("nowhere"), link), 0);
    cr_assert_eq(add(&r, "linked", "HN", link, NULL), 2, "%s", r.err);
    harness_run_free(&r);
    cr_assert_not(exists(in_dir("nowhere")));
    cr_assert_eq(add(&r, "lost", "HN", in_dir("no/such/dir.key"), NULL), 2, "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher"), 0);
}

Test(publishers, revoke_sets_revoked_at_and_a_second_revoke_is_refused)
{
    add_ok("dms", "HN.SNV");
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "publisher", "revoke", "dms", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_not_null(out, "%s", r.out);
    json_t *p = json_object_get(out, "publisher");
    cr_assert_str_eq(json_string_value(json_object_get(p, "name")), "dms");
    cr_assert(json_is_string(json_object_get(p, "revoked_at")));
    json_decref(out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.publisher WHERE name = 'dms' AND revoked_at "
                     "IS NOT NULL"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE entity = 'publisher' AND "
                     "entity_id = 'dms' AND action = 'revoked'"),
                 1);
    char first[64], again[64];
    sql_text("SELECT revoked_at::text FROM registry.publisher WHERE name = 'dms'", first,
             sizeof first);

    rc = harness_cli(&r, registry.endpoint, "publisher", "revoke", "dms", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "publisher dms was already revoked at"), "%s", r.err);
    harness_run_free(&r);
    sql_text("SELECT revoked_at::text FROM registry.publisher WHERE name = 'dms'", again,
             sizeof again);
    cr_assert_str_eq(first, again, "the first revocation stands");
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE action = 'revoked'"), 1);

    rc = harness_cli(&r, registry.endpoint, "publisher", "revoke", "nobody", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "no such publisher") && strstr(r.err, "[NOT_FOUND]"), "%s", r.err);
    harness_run_free(&r);
}

Test(publishers, list_hides_revoked_ones_unless_all)
{
    add_ok("zeta", "HN.STP");
    add_ok("alpha", "HN.HADONG,HN.SNV");
    add_ok("gone", "HN");
    harness_run_t r;
    cr_assert_eq(harness_cli(&r, registry.endpoint, "publisher", "revoke", "gone", NULL), 0, "%s",
                 r.err);
    harness_run_free(&r);

    int rc = harness_cli(&r, registry.endpoint, "publisher", "list", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "alpha") && strstr(r.out, "zeta"), "%s", r.out);
    cr_assert(strstr(r.out, "HN.HADONG, HN.SNV"), "%s", r.out);
    cr_assert_null(strstr(r.out, "gone"), "%s", r.out);
    cr_assert(strstr(r.out, "alpha") < strstr(r.out, "zeta"), "by name: %s", r.out);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "publisher", "list", "--all", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "gone"), "%s", r.out);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "publisher", "list", "--all", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_not_null(out, "%s", r.out);
    json_t *list = json_object_get(out, "publishers");
    cr_assert_eq(json_array_size(list), 3);
    const char *order[] = {"alpha", "gone", "zeta"};
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(list, i);
        cr_assert_str_eq(json_string_value(json_object_get(p, "name")), order[i]);
        cr_assert_eq(json_is_null(json_object_get(p, "revoked_at")), i != 1);
        cr_assert_eq(strlen(json_string_value(json_object_get(p, "public_key"))), 40);
    }
    cr_assert_str_eq(json_string_value(json_object_get(out, "ingest_endpoint")), ingest);
    json_decref(out);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "publisher", "list", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    out = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_array_size(json_object_get(out, "publishers")), 2);
    json_decref(out);
    harness_run_free(&r);
}

Test(publishers, usage_errors_and_help)
{
    harness_run_t r;
    cr_assert_eq(harness_cli(&r, registry.endpoint, "publisher", "add", "noscope", "--key-file",
                             in_dir("noscope.key"), NULL),
                 2);
    harness_run_free(&r);
    cr_assert_not(exists(in_dir("noscope.key")));
    const char *verbs[] = {"add", "revoke", "list"};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(harness_cli(&r, registry.endpoint, "publisher", verbs[i], "--help", NULL), 0);
        cr_assert(strstr(r.out, "usage: partrack publisher"), "%s", r.out);
        harness_run_free(&r);
    }
    cr_assert_eq(harness_cli(&r, registry.endpoint, "publisher", "frobnicate", NULL), 2);
    harness_run_free(&r);
}
