/* db.c - one PostgreSQL connection with reconnect, prepared statements and
 * transactions
 *
 * The connection is opened lazily and re-opened after any failure that leaves
 * it in CONNECTION_BAD. Prepared statements live in a small registry (name,
 * sql, nparams, prepared-on-this-connection flag); the flags reset on every
 * reconnect. Errors are classified by SQLSTATE class: 08 (connection), 57P
 * (operator intervention, e.g. shutdown), 40001/40P01 (serialization and
 * deadlock) and 53 (insufficient resources) are retryable.
 */
#include "db.h"

#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DB_MAX_STATEMENTS 128

typedef struct {
    char *name;
    char *sql;
    size_t sql_len;
    int nparams;
    bool prepared;
} db_statement_t;

struct db {
    char *conninfo;
    char *application_name;
    PGconn *conn;
    db_statement_t statements[DB_MAX_STATEMENTS];
    int nstatements;
    char error[512];
    char sqlstate[6];
    bool in_transaction;       /* between BEGIN and COMMIT/ROLLBACK */
    bool commit_sent;          /* a COMMIT awaits db_commit_finish */
    db_status_t commit_status; /* db_commit_send's outcome when not sent */
};

static void db_set_error(db_t *self, const char *what, const char *detail)
{
    size_t len;
    snprintf(self->error, sizeof self->error, "%s: %s", what, detail ? detail : "unknown error");
    /* libpq's messages span lines; ours are one line, for one-line logs. */
    for (char *c = self->error; *c; c++)
        if (*c == '\n' || *c == '\t' || *c == '\r')
            *c = ' ';
    len = strlen(self->error);
    while (len > 0 && self->error[len - 1] == ' ')
        self->error[--len] = '\0';
}

db_t *db_new(const char *conninfo, const char *application_name)
{
    db_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->conninfo = strdup(conninfo);
    self->application_name = strdup(application_name ? application_name : "partrack");
    if (!self->conninfo || !self->application_name) {
        db_destroy(&self);
        return NULL;
    }
    return self;
}

void db_destroy(db_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    db_t *self = *self_p;
    if (self->conn)
        PQfinish(self->conn);
    for (int i = 0; i < self->nstatements; i++) {
        free(self->statements[i].name);
        free(self->statements[i].sql);
    }
    free(self->conninfo);
    free(self->application_name);
    free(self);
    *self_p = NULL;
}

static void db_disconnect(db_t *self)
{
    if (self->conn)
        PQfinish(self->conn);
    self->conn = NULL;
    for (int i = 0; i < self->nstatements; i++)
        self->statements[i].prepared = false;
}

/* Server notices ("schema already exists, skipping") are debug logs, not
 * stray lines on stderr. */
static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    log_debug("database notice", "text=\"%.*s\"", (int)strcspn(message, "\n"), message);
}

static db_status_t db_connect_once(db_t *self)
{
    const char *keys[] = {"dbname", "application_name", "connect_timeout", NULL};
    const char *values[] = {self->conninfo, self->application_name, "5", NULL};
    db_disconnect(self);
    self->conn = PQconnectdbParams(keys, values, 1);
    if (!self->conn) {
        db_set_error(self, "cannot connect to the database", "out of memory");
        return DB_RETRY;
    }
    if (PQstatus(self->conn) != CONNECTION_OK) {
        db_set_error(self, "cannot connect to the database", PQerrorMessage(self->conn));
        strcpy(self->sqlstate, "08006");
        db_disconnect(self);
        return DB_RETRY;
    }
    PQsetNoticeProcessor(self->conn, notice_to_log, NULL);
    PGresult *res = PQexec(self->conn, "SET TIME ZONE 'Asia/Ho_Chi_Minh'");
    PQclear(res);
    return DB_OK;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

db_status_t db_ensure(db_t *self, int wait_ms)
{
    if (self->conn && PQstatus(self->conn) == CONNECTION_OK)
        return DB_OK;
    /* A connection lost inside a transaction took the transaction with it:
     * reconnecting here would run the rest of it in autocommit. The caller
     * must roll back (db_rollback) first. */
    if (self->in_transaction) {
        db_set_error(self, "transaction", "the connection was lost inside it; roll back");
        strcpy(self->sqlstate, "08006");
        return DB_RETRY;
    }
    int delay = 100, waited = 0;
    for (;;) {
        if (db_connect_once(self) == DB_OK)
            return DB_OK;
        if (waited >= wait_ms)
            return DB_RETRY;
        int step = delay < wait_ms - waited ? delay : wait_ms - waited;
        sleep_ms(step);
        waited += step;
        delay = delay * 2 > 2000 ? 2000 : delay * 2;
    }
}

int db_register(db_t *self, const char *name, const char *sql, int nparams)
{
    for (int i = 0; i < self->nstatements; i++)
        if (strcmp(self->statements[i].name, name) == 0)
            return -1;
    if (self->nstatements == DB_MAX_STATEMENTS)
        return -1;
    db_statement_t *st = &self->statements[self->nstatements];
    st->name = strdup(name);
    st->sql = strdup(sql);
    if (!st->name || !st->sql) {
        free(st->name);
        free(st->sql);
        return -1;
    }
    st->sql_len = strlen(sql);
    st->nparams = nparams;
    st->prepared = false;
    self->nstatements++;
    return 0;
}

/* The registered statement with this exact text, registering it under an
 * automatic name if there is room; NULL when the registry is full. */
static const char *statement_for_sql(db_t *self, const char *sql, int nparams)
{
    size_t len = strlen(sql);
    for (int i = 0; i < self->nstatements; i++) {
        const db_statement_t *st = &self->statements[i];
        if (st->sql_len == len && st->nparams == nparams && memcmp(st->sql, sql, len) == 0)
            return st->name;
    }
    char name[32];
    snprintf(name, sizeof name, "auto_%d", self->nstatements);
    if (db_register(self, name, sql, nparams) < 0)
        return NULL;
    return self->statements[self->nstatements - 1].name;
}

static bool sqlstate_retryable(const char *state)
{
    return strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
           strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
           strncmp(state, "53", 2) == 0;
}

/* Turns a result into DB_OK or a classified failure; clears it on failure. */
static PGresult *db_check(db_t *self, PGresult *res, const char *what, db_status_t *status)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) {
        self->sqlstate[0] = '\0';
        if (status)
            *status = DB_OK;
        return res;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *message = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!message)
        message = PQerrorMessage(self->conn);
    snprintf(self->sqlstate, sizeof self->sqlstate, "%s", state ? state : "08006");
    db_set_error(self, what, message);
    /* A failure without a SQLSTATE, or of class 08 or 57P, means the server
     * is gone even when libpq still calls the connection OK: drop it, so the
     * next use reconnects instead of failing on it again. */
    bool lost = PQstatus(self->conn) != CONNECTION_OK || !state ||
                strncmp(self->sqlstate, "08", 2) == 0 || strncmp(self->sqlstate, "57P", 3) == 0;
    if (lost)
        db_disconnect(self);
    if (status)
        *status = (lost || sqlstate_retryable(self->sqlstate)) ? DB_RETRY : DB_FAIL;
    PQclear(res);
    return NULL;
}

PGresult *db_exec_prepared(db_t *self, const char *name, int nparams, const char *const *params,
                           db_status_t *status)
{
    return db_exec_prepared_formats(self, name, nparams, params, NULL, NULL, status);
}

PGresult *db_exec_prepared_formats(db_t *self, const char *name, int nparams,
                                   const char *const *params, const int *lengths,
                                   const int *formats, db_status_t *status)
{
    db_statement_t *st = NULL;
    for (int i = 0; i < self->nstatements; i++)
        if (strcmp(self->statements[i].name, name) == 0)
            st = &self->statements[i];
    if (!st || st->nparams != nparams) {
        db_set_error(self, "statement", "not registered or wrong parameter count");
        self->sqlstate[0] = '\0';
        *status = DB_FAIL;
        return NULL;
    }
    if (db_ensure(self, 0) != DB_OK) {
        *status = DB_RETRY;
        return NULL;
    }
    if (!st->prepared) {
        PGresult *res = db_check(self, PQprepare(self->conn, st->name, st->sql, nparams, NULL),
                                 st->name, status);
        if (!res)
            return NULL;
        PQclear(res);
        st->prepared = true;
    }
    return db_check(self,
                    PQexecPrepared(self->conn, st->name, nparams, params, lengths, formats, 0),
                    st->name, status);
}

PGresult *db_exec_formats(db_t *self, const char *sql, int nparams, const char *const *params,
                          const int *lengths, const int *formats, db_status_t *status)
{
    const char *name = statement_for_sql(self, sql, nparams);
    if (name)
        return db_exec_prepared_formats(self, name, nparams, params, lengths, formats, status);
    if (db_ensure(self, 0) != DB_OK) {
        *status = DB_RETRY;
        return NULL;
    }
    return db_check(self, PQexecParams(self->conn, sql, nparams, NULL, params, lengths, formats, 0),
                    "query", status);
}

PGresult *db_exec(db_t *self, const char *sql, int nparams, const char *const *params,
                  db_status_t *status)
{
    /* A statement with parameters is prepared once per connection and reused. */
    const char *name = nparams > 0 ? statement_for_sql(self, sql, nparams) : NULL;
    if (name)
        return db_exec_prepared(self, name, nparams, params, status);
    if (db_ensure(self, 0) != DB_OK) {
        *status = DB_RETRY;
        return NULL;
    }
    /* Without parameters, PQexec: it also runs several statements at once. */
    PGresult *res = nparams == 0
                        ? PQexec(self->conn, sql)
                        : PQexecParams(self->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    return db_check(self, res, "query", status);
}

db_status_t db_run(db_t *self, const char *sql)
{
    db_status_t status;
    PGresult *res = db_exec(self, sql, 0, NULL, &status);
    PQclear(res);
    return status;
}

db_status_t db_begin(db_t *self)
{
    db_status_t status = db_run(self, "BEGIN");
    self->in_transaction = status == DB_OK;
    return status;
}

db_status_t db_commit_send(db_t *self)
{
    self->commit_status = DB_OK;
    self->commit_sent = false;
    if (db_ensure(self, 0) != DB_OK) {
        self->commit_status = DB_RETRY;
        return DB_RETRY;
    }
    if (!PQsendQuery(self->conn, "COMMIT")) {
        /* Not sent: classified like a failed PQexec (no result: lost). */
        db_check(self, NULL, "query", &self->commit_status);
        return self->commit_status;
    }
    self->commit_sent = true;
    return DB_OK;
}

db_status_t db_commit_finish(db_t *self)
{
    db_status_t status = self->commit_status;
    bool sent = self->commit_sent;
    self->commit_sent = false;
    self->in_transaction = false;
    if (!sent)
        return status;
    /* One result for the one statement, then NULL; the last one counts, as
     * with PQexec. */
    PGresult *res = NULL, *next;
    while ((next = PQgetResult(self->conn)) != NULL) {
        PQclear(res);
        res = next;
    }
    res = db_check(self, res, "query", &status);
    if (!res)
        return status;
    /* COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK. */
    bool rolled_back = strcmp(PQcmdStatus(res), "ROLLBACK") == 0;
    PQclear(res);
    if (rolled_back) {
        db_set_error(self, "commit", "the transaction had failed and was rolled back");
        strcpy(self->sqlstate, "25P02");
        return DB_FAIL;
    }
    return DB_OK;
}

db_status_t db_commit(db_t *self)
{
    db_commit_send(self);
    return db_commit_finish(self);
}

void db_rollback(db_t *self)
{
    self->in_transaction = false;
    if (self->conn && PQstatus(self->conn) == CONNECTION_OK) {
        PGresult *res = PQexec(self->conn, "ROLLBACK");
        PQclear(res);
    }
}

void db_fail(db_t *self, const char *what, const char *detail)
{
    db_set_error(self, what, detail);
    self->sqlstate[0] = '\0';
}

bool db_failure_retryable(const db_t *self)
{
    return self->sqlstate[0] != '\0' && sqlstate_retryable(self->sqlstate);
}

const char *db_error(const db_t *self)
{
    return self->error;
}

const char *db_sqlstate(const db_t *self)
{
    return self->sqlstate;
}

PGconn *db_conn(db_t *self)
{
    return self->conn;
}

char **db_array_words(const char *literal, size_t *n)
{
    size_t len = strlen(literal), max = len / 2 + 1;
    char **words = malloc((max + 1) * sizeof *words + len + 1);
    *n = 0;
    if (!words)
        return NULL;
    /* Elements are copied unescaped into the text area, each NUL-ended;
     * an element is never longer than its literal. */
    char *out = (char *)(words + max + 1);
    const char *c = literal;
    if (*c == '{')
        c++;
    while (*c && *c != '}' && *n < max) {
        words[(*n)++] = out;
        if (*c == '"') {
            for (c++; *c && *c != '"'; c++) {
                if (*c == '\\' && c[1])
                    c++;
                *out++ = *c;
            }
            if (*c == '"')
                c++;
        } else {
            while (*c && *c != ',' && *c != '}')
                *out++ = *c++;
        }
        *out++ = '\0';
        if (*c == ',')
            c++;
    }
    words[*n] = NULL;
    return words;
}

char *db_array_literal(const char *const *items, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += items[i] ? 2 * strlen(items[i]) + 3 : 5;
    char *out = malloc(len), *w = out;
    if (!out)
        return NULL;
    *w++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *w++ = ',';
        if (!items[i]) {
            memcpy(w, "NULL", 4);
            w += 4;
            continue;
        }
        *w++ = '"';
        for (const char *c = items[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *w++ = '\\';
            *w++ = *c;
        }
        *w++ = '"';
    }
    *w++ = '}';
    *w = '\0';
    return out;
}

char *db_bytea_hex(const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc(2 * len + 3);
    if (!hex)
        return NULL;
    hex[0] = '\\';
    hex[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        hex[2 + 2 * i] = digits[data[i] >> 4];
        hex[3 + 2 * i] = digits[data[i] & 15];
    }
    hex[2 + 2 * len] = '\0';
    return hex;
}

int db_column_push(db_column_t *column, const char *value)
{
    if (column->n == column->cap) {
        size_t cap = column->cap ? column->cap * 2 : 64;
        const char **grown = realloc(column->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        column->items = grown;
        column->cap = cap;
    }
    column->items[column->n++] = value;
    return 0;
}

void db_columns_free(db_column_t *columns, int ncolumns)
{
    for (int i = 0; i < ncolumns; i++) {
        free(columns[i].items);
        columns[i] = (db_column_t){0};
    }
}

#define DB_MAX_COLUMNS 32

PGresult *db_exec_columns(db_t *self, const char *sql, const db_column_t *columns, int ncolumns,
                          db_status_t *status)
{
    char *arrays[DB_MAX_COLUMNS] = {0};
    const char *params[DB_MAX_COLUMNS];
    PGresult *res = NULL;
    bool ok = ncolumns > 0 && ncolumns <= DB_MAX_COLUMNS;
    for (int i = 0; ok && i < ncolumns; i++) {
        arrays[i] = db_array_literal(columns[i].items, columns[i].n);
        params[i] = arrays[i];
        ok = arrays[i] != NULL;
    }
    if (ok) {
        res = db_exec(self, sql, ncolumns, params, status);
    } else {
        db_set_error(self, "batch", "too many columns or out of memory");
        self->sqlstate[0] = '\0';
        *status = DB_FAIL;
    }
    for (int i = 0; i < ncolumns && i < DB_MAX_COLUMNS; i++)
        free(arrays[i]);
    return res;
}
