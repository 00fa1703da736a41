/* harness.c - real parts for integration tests: databases, services, the CLI
 *
 * Children are started with fork/exec and their own environment; ports are
 * picked from the test's pid so parallel test processes do not collide, and
 * a service that fails to bind is retried on the next port pair.
 *
 * Built twice: for the Criterion tests (a failure fails the test), and with
 * HARNESS_STANDALONE for programs of their own such as the chaos run (a
 * failure goes to the program's handler, see harness_on_failure; children
 * die with the program that started them).
 *
 * Under valgrind every child is exec'd as `valgrind --log-file=... BINARY`
 * (the options common to all are in VALGRIND_OPTS, set by
 * scripts/lib/valgrind-test), each log named after the binary, its pid and
 * the time, so a reused pid cannot overwrite another process's log. The
 * timeouts scale with PARTRACK_TIMEOUT_SCALE, Criterion's included: a hook
 * run before any test multiplies every suite's and test's timeout.
 */
#include "harness.h"

#include "msg.h"

#ifndef HARNESS_STANDALONE
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>
#include <sys/wait.h>
#ifdef HARNESS_STANDALONE
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#ifndef PARTRACK_BIN_DIR
#error "PARTRACK_BIN_DIR must be defined"
#endif
#ifndef PARTRACK_SOURCE_DIR
#error "PARTRACK_SOURCE_DIR must be defined"
#endif

/* ---- what a failure does ---- */

static void (*failure_handler)(const char *message);

void harness_on_failure(void (*handler)(const char *message))
{
    failure_handler = handler;
}

/* Something the caller cannot go on without failed: the test fails (or the
 * standalone program's handler runs, then it exits). Does not return. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (failure_handler)
        failure_handler(message);
#ifdef HARNESS_STANDALONE
    fprintf(stderr, "harness: %s\n", message);
    exit(1);
#else
    cr_assert_fail("%s", message);
    abort(); /* cr_assert_fail does not return */
#endif
}

/* Paths come from a ring of buffers so several can be arguments of one call. */
static char *next_path(void)
{
    static char ring[16][512];
    static int next;
    return ring[next++ % 16];
}

const char *harness_bin(const char *name)
{
    char *path = next_path();
    snprintf(path, 512, "%s/%s", PARTRACK_BIN_DIR, name);
    return path;
}

const char *harness_source(const char *rel)
{
    char *path = next_path();
    snprintf(path, 512, "%s/%s", PARTRACK_SOURCE_DIR, rel);
    return path;
}

int harness_scale(int n)
{
    static int scale;
    if (!scale) {
        const char *v = getenv("PARTRACK_TIMEOUT_SCALE");
        long s = v ? strtol(v, NULL, 10) : 1;
        scale = s >= 1 && s <= 1000 ? (int)s : 1;
    }
    return n * scale;
}

const char *harness_seconds(int seconds)
{
    char *text = next_path();
    int s = harness_scale(seconds);
    snprintf(text, 512, "%d", s > 86400 ? 86400 : s);
    return text;
}

/* Child binaries run under valgrind (PARTRACK_VALGRIND_LOGS set). */
static bool under_valgrind(void)
{
    const char *logs = getenv("PARTRACK_VALGRIND_LOGS");
    return logs && *logs;
}

#ifndef HARNESS_STANDALONE
/* Before any test starts (in Criterion's runner): every timeout scaled. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    if (harness_scale(1) == 1)
        return;
    FOREACH_SET(struct criterion_suite_set * suite, set->suites)
    {
        if (suite->suite.data)
            suite->suite.data->timeout *= harness_scale(1);
        FOREACH_SET(struct criterion_test * test, suite->tests)
        {
            if (test->data)
                test->data->timeout *= harness_scale(1);
        }
    }
}
#endif

void harness_exec(const char *name, char *const argv[])
{
    const char *path = harness_bin(name);
    if (!under_valgrind()) {
        execv(path, argv);
        return;
    }
    char log[600];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(log, sizeof log, "--log-file=%s/%s.%d.%lld%03ld.log", getenv("PARTRACK_VALGRIND_LOGS"),
             name, (int)getpid(), (long long)now.tv_sec, now.tv_nsec / 1000000);
    char *vargv[64] = {(char *)"valgrind", log, (char *)path};
    int n = 3;
    for (int i = 1; argv[0] && argv[i] && n < 63; i++)
        vargv[n++] = argv[i];
    vargv[n] = NULL;
    execvp("valgrind", vargv);
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

const char *harness_db_url(const char *name)
{
    static char url[512];
    snprintf(url, sizeof url, "host=%s port=%s user=partrack dbname=%s",
             env_or("PARTRACK_TEST_PGHOST", "127.0.0.1"), env_or("PARTRACK_TEST_PGPORT", "5432"),
             name);
    return url;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *harness_pg(const char *name)
{
    PGconn *conn = PQconnectdb(harness_db_url(name));
    if (PQstatus(conn) != CONNECTION_OK)
        fail("cannot connect to test database %s: %s (did scripts/test start PostgreSQL?)", name,
             PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, quiet, NULL);
    return conn;
}

const char *harness_db_create(const char *name)
{
    PGconn *conn = PQconnectdb(harness_db_url("postgres"));
    if (PQstatus(conn) != CONNECTION_OK)
        fail("cannot reach PostgreSQL: %s", PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, quiet, NULL);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    PQclear(PQexec(conn, sql));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail("CREATE DATABASE %s: %s", name, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return harness_db_url(name);
}

uint8_t *harness_sql_bytes(const char *name, const char *sql, size_t *len)
{
    PGconn *conn = PQconnectdb(harness_db_url(name));
    uint8_t *value = NULL;
    if (PQstatus(conn) == CONNECTION_OK) {
        PGresult *res = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 1);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 &&
            !PQgetisnull(res, 0, 0)) {
            *len = (size_t)PQgetlength(res, 0, 0);
            value = malloc(*len ? *len : 1);
            if (value)
                memcpy(value, PQgetvalue(res, 0, 0), *len);
        }
        PQclear(res);
    }
    PQfinish(conn);
    return value;
}

long harness_sql_long(const char *name, const char *sql)
{
    PGconn *conn = PQconnectdb(harness_db_url(name));
    long value = -1;
    if (PQstatus(conn) == CONNECTION_OK) {
        PGresult *res = PQexec(conn, sql);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
            value = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
    }
    PQfinish(conn);
    return value;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

void harness_pause(int ms)
{
    sleep_ms(harness_scale(ms));
}

bool harness_wait(bool (*cond)(void *), void *arg, int ms)
{
    ms = harness_scale(ms);
    for (int waited = 0; waited <= ms; waited += 20) {
        if (cond(arg))
            return true;
        sleep_ms(20);
    }
    return false;
}

static pid_t spawn_service(harness_service_t *s)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
#ifdef HARNESS_STANDALONE
    /* A program without a test runner to clean up after it: its services
     * go with it, however it ends. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
#else
    (void)parent;
#endif
    int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
    setenv("PARTRACK_DATABASE_URL", harness_db_url(s->db), 1);
    char upper[16], var[64], bin[32];
    size_t k = 0;
    for (; s->name[k] && k + 1 < sizeof upper; k++)
        upper[k] = (char)(s->name[k] - 'a' + 'A');
    upper[k] = '\0';
    snprintf(var, sizeof var, "PARTRACK_%s_ENDPOINT", upper);
    setenv(var, s->endpoint, 1);
    snprintf(var, sizeof var, "PARTRACK_%s_EVENTS", upper);
    setenv(var, s->events, 1);
    if (strcmp(s->name, "registry") == 0)
        setenv("PARTRACK_INGEST_ENDPOINT", s->ingest, 1);
    if (strcmp(s->name, "notify") == 0)
        setenv("PARTRACK_FEED_ENDPOINT", s->feed, 1);
    setenv("PARTRACK_LOG_LEVEL", "debug", 1);
    for (int i = 0; i < s->nenv; i++)
        putenv(s->env[i]);
    snprintf(bin, sizeof bin, "partrack-%s", s->name);
    char *argv[] = {bin, NULL};
    harness_exec(bin, argv);
    _exit(127);
}

/* True if the log, past `from`, says the service is serving: proof that
 * the process answering on the endpoint is our child, not another one that
 * holds the port. */
static bool log_says_serving(const char *path, long from)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    fseek(f, from, SEEK_SET);
    char line[1024];
    bool serving = false;
    while (!serving && fgets(line, sizeof line, f))
        serving = strstr(line, "msg=\"serving\"") != NULL;
    fclose(f);
    return serving;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static int start_and_wait(harness_service_t *s)
{
    long from = file_size(s->log);
    s->pid = spawn_service(s);
    for (int tries = 0; tries < harness_scale(1000); tries++) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0; /* it could not start (port taken?) */
            return -1;
        }
        if (log_says_serving(s->log, from)) {
            harness_run_t r;
            int rc = harness_cli(&r, s->endpoint, "--timeout", harness_seconds(5), "ping", NULL);
            harness_run_free(&r);
            return rc == 0 ? 0 : -1;
        }
        sleep_ms(20);
    }
    return -1;
}

static int service_start(harness_service_t *s, const char *name, const char *db, va_list ap)
{
    static int counter;
    memset(s, 0, sizeof *s);
    for (const char *e; (e = va_arg(ap, const char *)) && s->nenv < 8;)
        snprintf(s->env[s->nenv++], sizeof s->env[0], "%s", e);
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->db, sizeof s->db, "%s", db);
    snprintf(s->log, sizeof s->log, "/tmp/partrack-test-%s-%s-%d.log", db, name, (int)getpid());
    for (int attempt = 0; attempt < 10; attempt++) {
        /* Three ports a service: requests, events, ingest. */
        int port = 20000 + (int)((getpid() * 37 + counter * 3 + attempt * 3) % 20000);
        counter++;
        snprintf(s->endpoint, sizeof s->endpoint, "tcp://127.0.0.1:%d", port);
        snprintf(s->events, sizeof s->events, "tcp://127.0.0.1:%d", port + 1);
        snprintf(s->ingest, sizeof s->ingest, "tcp://127.0.0.1:%d", port + 2);
        snprintf(s->feed, sizeof s->feed, "tcp://127.0.0.1:%d", port + 2);
        if (start_and_wait(s) == 0)
            return 0;
        if (s->pid)
            harness_service_stop(s, SIGKILL);
    }
    return -1;
}

int harness_registry_start(harness_service_t *s, const char *db, ...)
{
    va_list ap;
    va_start(ap, db);
    int rc = service_start(s, "registry", db, ap);
    va_end(ap);
    return rc;
}

int harness_notify_start(harness_service_t *s, const char *db, ...)
{
    va_list ap;
    va_start(ap, db);
    int rc = service_start(s, "notify", db, ap);
    va_end(ap);
    return rc;
}

int harness_scoring_start(harness_service_t *s, const char *db, ...)
{
    va_list ap;
    va_start(ap, db);
    int rc = service_start(s, "scoring", db, ap);
    va_end(ap);
    return rc;
}

int harness_deadline_start(harness_service_t *s, const char *db, ...)
{
    va_list ap;
    va_start(ap, db);
    int rc = service_start(s, "deadline", db, ap);
    va_end(ap);
    return rc;
}

int harness_service_restart(harness_service_t *s)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        if (start_and_wait(s) == 0)
            return 0;
        /* Serving but not answering the ping: not left behind to hold the
         * ports against the next attempt. */
        if (s->pid)
            harness_service_stop(s, SIGKILL);
        sleep_ms(200); /* the old socket may still hold the port */
    }
    return -1;
}

void harness_service_stop(harness_service_t *s, int sig)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, sig);
    int status;
    for (int i = 0; i < harness_scale(500); i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return;
        }
        sleep_ms(10);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
}

static char *slurp(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 1024 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

static int collect_args(const char *endpoint, va_list ap, char **argv, int max)
{
    int argc = 0;
    argv[argc++] = (char *)"partrack";
    if (harness_scale(1) > 1) {
        argv[argc++] = (char *)"--timeout";
        argv[argc++] = (char *)harness_seconds(30);
    }
    argv[argc++] = (char *)"--registry";
    argv[argc++] = (char *)endpoint;
    for (const char *a; argc < max - 1 && (a = va_arg(ap, const char *));)
        argv[argc++] = (char *)a;
    argv[argc] = NULL;
    return argc;
}

int harness_cli(harness_run_t *r, const char *endpoint, ...)
{
    char *argv[64];
    va_list ap;
    va_start(ap, endpoint);
    collect_args(endpoint, ap, argv, 64);
    va_end(ap);
    char out_path[] = "/tmp/partrack-cli-out-XXXXXX", err_path[] = "/tmp/partrack-cli-err-XXXXXX";
    int out = mkstemp(out_path), err = mkstemp(err_path);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        harness_exec("partrack", argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    lseek(out, 0, SEEK_SET);
    lseek(err, 0, SEEK_SET);
    r->out = slurp(out);
    r->err = slurp(err);
    close(out);
    close(err);
    unlink(out_path);
    unlink(err_path);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r->status;
}

pid_t harness_cli_spawn(const char *endpoint, const char *out_path, const char *err_path, ...)
{
    char *argv[64];
    va_list ap;
    va_start(ap, err_path);
    collect_args(endpoint, ap, argv, 64);
    va_end(ap);
    pid_t pid = fork();
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        harness_exec("partrack", argv);
        _exit(127);
    }
    return pid;
}

void harness_run_free(harness_run_t *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

const char *harness_write_temp(const char *name, const char *content, size_t len)
{
    char *path = next_path();
    snprintf(path, 512, "/tmp/partrack-test-%d-%s", (int)getpid(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        fail("cannot write %s", path);
    fwrite(content, 1, len, f);
    fclose(f);
    return path;
}

static void *curve_ctx;

void *harness_curve_dealer(const char *endpoint, const char *server_key, const char *public_key,
                           const char *secret_key)
{
    if (!curve_ctx)
        curve_ctx = zmq_ctx_new();
    void *s = zmq_socket(curve_ctx, ZMQ_DEALER);
    if (!s)
        fail("cannot make a DEALER: %s", zmq_strerror(zmq_errno()));
    int linger = 0, timeout = harness_scale(2000);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_key, 40) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, public_key, 40) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, secret_key, 40) != 0 ||
        zmq_connect(s, endpoint) != 0)
        fail("CURVE DEALER to %s: %s", endpoint, zmq_strerror(zmq_errno()));
    return s;
}

bool harness_send_envelope(void *socket, int type, const ProtobufCMessage *payload, const char *key,
                           int64_t sent_at_ms)
{
    Partrack__Envelope env = PARTRACK__ENVELOPE__INIT;
    size_t plen = protobuf_c_message_get_packed_size(payload);
    uint8_t *bytes = malloc(plen + 1);
    if (!bytes)
        fail("out of memory");
    protobuf_c_message_pack(payload, bytes);
    env.type = (Partrack__MessageType)type;
    env.correlation_id = (char *)key;
    env.idempotency_key = (char *)key;
    env.has_sent_at_ms = 1;
    env.sent_at_ms = sent_at_ms ? sent_at_ms : msg_now_ms();
    env.has_payload = 1;
    env.payload.data = bytes;
    env.payload.len = plen;
    size_t len = partrack__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(len);
    if (!buf)
        fail("out of memory");
    partrack__envelope__pack(&env, buf);
    bool sent = zmq_send(socket, buf, len, 0) == (int)len;
    free(buf);
    free(bytes);
    return sent;
}

Partrack__Envelope *harness_recv_envelope(void *socket, int ms)
{
    zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, harness_scale(ms)) <= 0)
        return NULL;
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, socket, 0) < 0)
        fail("receive: %s", zmq_strerror(zmq_errno()));
    size_t size = zmq_msg_size(&m);
    Partrack__Envelope *env = partrack__envelope__unpack(NULL, size, zmq_msg_data(&m));
    zmq_msg_close(&m);
    if (!env)
        fail("a reply that is not an envelope (%zu bytes)", size);
    return env;
}

int harness_pg_ctl(const char *action)
{
    const char *prefix = getenv("PARTRACK_TEST_PGCTL");
    if (!prefix || !*prefix)
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s", prefix, action);
    int status = system(cmd);
    return status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

bool harness_pg_reachable(void)
{
    return PQping(harness_db_url("postgres")) == PQPING_OK;
}

bool harness_pg_restore(void)
{
    if (harness_pg_reachable())
        return true;
    harness_pg_ctl("start");
    for (int i = 0; i < 100 && !harness_pg_reachable(); i++)
        usleep(100 * 1000);
    return harness_pg_reachable();
}

const char *harness_path(const char *dir, const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}
