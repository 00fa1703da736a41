/* db.h - one PostgreSQL connection with reconnect, prepared statements and
 * transactions
 *
 * A db_t owns one libpq connection. Statements are registered once by name and
 * prepared lazily on every (re)connection, so callers never see a statement
 * vanish after a reconnect. Failures are classified: a lost connection or a
 * serialization failure is retryable (DB_RETRY), anything else is permanent
 * (DB_FAIL); db_error() holds the last reason as one sentence.
 *
 * Not thread-safe: one db_t per thread.
 */
#ifndef PARTRACK_DB_H
#define PARTRACK_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct db db_t;

typedef enum { DB_OK = 0, DB_FAIL = -1, DB_RETRY = -2 } db_status_t;

/* Connects with a libpq conninfo string (URL or key=value). Does not fail if
 * the server is down: the first use reconnects. Returns NULL only when out of
 * memory. Caller destroys with db_destroy. */
db_t *db_new(const char *conninfo, const char *application_name);
void db_destroy(db_t **self_p);

/* Makes sure the connection is up, reconnecting with exponential backoff
 * (100 ms doubling to 2 s) for at most wait_ms (0: one attempt). */
db_status_t db_ensure(db_t *self, int wait_ms);

/* Registers a statement under a name; it is prepared on first use after each
 * connect. `sql` is copied. Returns 0, or -1 if the name is taken. */
int db_register(db_t *self, const char *name, const char *sql, int nparams);

/* Runs a registered statement with text parameters (NULL = SQL NULL). On
 * success returns the result, which the caller clears with PQclear; on failure
 * returns NULL and sets *status (DB_FAIL or DB_RETRY) and db_error(). */
PGresult *db_exec_prepared(db_t *self, const char *name, int nparams, const char *const *params,
                           db_status_t *status);

/* db_exec_prepared with parameter formats as PQexecPrepared takes them:
 * formats[i] 1 means params[i] is lengths[i] bytes in the type's binary
 * form (formats NULL: every parameter text). */
PGresult *db_exec_prepared_formats(db_t *self, const char *name, int nparams,
                                   const char *const *params, const int *lengths,
                                   const int *formats, db_status_t *status);

/* Runs SQL text with text parameters; with none it may hold several
 * statements. A text with parameters is prepared on first use (per
 * connection, up to 128 distinct texts) and reused after, so callers get
 * prepared statements without naming them. Same contract as
 * db_exec_prepared. */
PGresult *db_exec(db_t *self, const char *sql, int nparams, const char *const *params,
                  db_status_t *status);

/* db_exec with parameter formats (see db_exec_prepared_formats); the text
 * is prepared once per connection like db_exec's. */
PGresult *db_exec_formats(db_t *self, const char *sql, int nparams, const char *const *params,
                          const int *lengths, const int *formats, db_status_t *status);

/* Runs SQL with no result rows wanted. Returns DB_OK, DB_FAIL or DB_RETRY. */
db_status_t db_run(db_t *self, const char *sql);

/* Transactions: BEGIN / COMMIT / ROLLBACK. db_rollback never fails visibly
 * (a lost connection rolls back by itself). While a transaction is open a
 * lost connection is not re-made: every use fails with DB_RETRY until the
 * caller rolls back, so no half of a transaction runs in autocommit. COMMIT
 * of a transaction that had failed returns DB_FAIL. */
db_status_t db_begin(db_t *self);
db_status_t db_commit(db_t *self);

/* db_commit in two halves, for work that needs no database while the
 * server commits (the WAL flush): db_commit_send sends COMMIT without
 * waiting; db_commit_finish waits for its result and returns what
 * db_commit would have, with the same classification. Between the two the
 * connection must not be used; db_commit_finish is called after every
 * db_commit_send, whatever it returned. */
db_status_t db_commit_send(db_t *self);
db_status_t db_commit_finish(db_t *self);
void db_rollback(db_t *self);

/* Whether the last failure may pass on a retry (connection lost, server
 * shutting down, serialization failure, out of resources) rather than being
 * a fault of the statement or the program. */
bool db_failure_retryable(const db_t *self);

/* Records a failure of the caller's own (out of memory, a bad argument) as
 * the last one: permanent, without a SQLSTATE. */
void db_fail(db_t *self, const char *what, const char *detail);

/* The last failure as one sentence, and its SQLSTATE ("" if none). */
const char *db_error(const db_t *self);
const char *db_sqlstate(const db_t *self);

/* A PostgreSQL array literal ({"a","b",NULL}) of n texts, NULL items
 * becoming SQL NULL, for passing many rows in one parameter
 * (INSERT ... SELECT * FROM unnest($1::text[], ...)). Caller frees; NULL when
 * out of memory. */
char *db_array_literal(const char *const *items, size_t n);

/* The elements of a one-dimensional text array literal, as PostgreSQL prints
 * it ("{HN.A,HN.B}", "{}") or as db_array_literal writes it (every element
 * quoted: "{\"HN.A\",\"a \\\"b\\\"\"}"): quotes and backslash escapes
 * are undone; an unquoted NULL is the text "NULL". Returns one allocation
 * holding the pointer array and the strings (the caller frees it with free)
 * and the count in *n; NULL when out of memory. */
char **db_array_words(const char *literal, size_t *n);

/* Many rows in one statement: each column is an array of texts (NULL items
 * are SQL NULL) passed as one parameter, unnested by the SQL
 * (INSERT ... SELECT * FROM unnest($1::text[], $2::int[], ...)). The
 * column borrows its strings: they must outlive db_exec_columns. */
typedef struct {
    const char **items;
    size_t n, cap;
} db_column_t;

/* Returns 0, or -1 when out of memory (then the column is empty). */
int db_column_push(db_column_t *column, const char *value);
void db_columns_free(db_column_t *columns, int ncolumns);

/* Runs sql with column i as parameter $i+1. Same contract as db_exec. */
PGresult *db_exec_columns(db_t *self, const char *sql, const db_column_t *columns, int ncolumns,
                          db_status_t *status);

/* The text form of bytea (\x then two hex digits a byte), for passing
 * binary data as a text parameter ($1::bytea). Caller frees; NULL when out
 * of memory. */
char *db_bytea_hex(const uint8_t *data, size_t len);

/* The underlying connection (for COPY or pipeline work); NULL while down. */
PGconn *db_conn(db_t *self);

#endif
