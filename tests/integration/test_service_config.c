/* test_service_config.c - a service with bad configuration refuses to start
 *
 * partrack-registry is run with bad environment values; it must exit with
 * status 2 before touching anything and name every bad variable, and
 * `--help` must print the configuration table.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs the registry with extra environment (NULL-terminated pairs) and
 * returns its exit status; stderr goes to *err (caller frees). */
static int run_registry(char **err, const char *arg, const char *const *env)
{
    char path[] = "/tmp/partrack-config-XXXXXX";
    int fd = mkstemp(path);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        for (int i = 0; env && env[i]; i += 2)
            setenv(env[i], env[i + 1], 1);
        char *argv[] = {(char *)"partrack-registry", (char *)arg, NULL};
        harness_exec("partrack-registry", argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    FILE *f = fopen(path, "r");
    *err = calloc(1, 65536);
    size_t n = fread(*err, 1, 65535, f);
    (*err)[n] = '\0';
    fclose(f);
    close(fd);
    unlink(path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Test(config, every_bad_value_is_named_and_start_refused, .timeout = 30)
{
    const char *const env[] = {"PARTRACK_REGISTRY_ENDPOINT",
                               "http://nowhere",
                               "PARTRACK_MAX_MESSAGE_BYTES",
                               "lots",
                               "PARTRACK_LOG_LEVEL",
                               "loud",
                               "PARTRACK_DATABASE_URL",
                               "host=/nonexistent dbname=x",
                               NULL};
    char *err;
    int status = run_registry(&err, NULL, env);
    cr_assert_eq(status, 2, "exit %d: %s", status, err);
    cr_assert(strstr(err, "PARTRACK_REGISTRY_ENDPOINT=http://nowhere: not a ZeroMQ endpoint"), "%s",
              err);
    cr_assert(strstr(err, "PARTRACK_MAX_MESSAGE_BYTES=lots: not an integer"), "%s", err);
    cr_assert(strstr(err, "PARTRACK_LOG_LEVEL=loud"), "%s", err);
    free(err);
}

Test(config, out_of_range_number, .timeout = 30)
{
    const char *const env[] = {"PARTRACK_MAX_MESSAGE_BYTES", "10", NULL};
    char *err;
    cr_assert_eq(run_registry(&err, NULL, env), 2);
    cr_assert(strstr(err, "must be between 1024 and"), "%s", err);
    free(err);
}

Test(config, unreachable_database_is_a_clear_failure, .timeout = 30)
{
    const char *const env[] = {"PARTRACK_DATABASE_URL", "host=/nonexistent dbname=x",
                               "PARTRACK_DB_WAIT_SECONDS", "0", NULL};
    char *err;
    int status = run_registry(&err, NULL, env);
    cr_assert_eq(status, 1, "exit %d: %s", status, err);
    cr_assert(strstr(err, "database unreachable"), "%s", err);
    free(err);
}

Test(config, help_prints_the_table, .timeout = 30)
{
    char *out;
    cr_assert_eq(run_registry(&out, "--help", NULL), 0);
    cr_assert(strstr(out, "PARTRACK_DATABASE_URL") && strstr(out, "PARTRACK_LOG_LEVEL"), "%s", out);
    free(out);
}
