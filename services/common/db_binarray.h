/* db_binarray.h - one-dimensional arrays in PostgreSQL's binary form, for
 * passing a batch's columns as parameters without text parsing
 *
 * A column of a many-row statement (INSERT ... SELECT FROM unnest($1::bigint[],
 * $2::text[], ...)) sent as text costs the server array_in over the whole
 * literal and an input function per element (hex decoding for bytea,
 * numeric arithmetic for times); in binary form each element is a length
 * and its bytes. Each array holds one element type, given at init, which
 * must be the type the SQL casts the parameter to ($1::bigint[] takes
 * DB_OID_INT8), or the server refuses it.
 *
 * Pushing never fails visibly: out of memory marks the array failed, and
 * db_exec_binarrays then fails without running anything.
 */
#ifndef PARTRACK_DB_BINARRAY_H
#define PARTRACK_DB_BINARRAY_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Element types (PostgreSQL's fixed type oids). */
#define DB_OID_BYTEA       17u
#define DB_OID_INT8        20u
#define DB_OID_INT4        23u
#define DB_OID_TEXT        25u
#define DB_OID_FLOAT8      701u
#define DB_OID_TIMESTAMPTZ 1184u

typedef struct {
    uint8_t *data; /* header, then each element: 4-byte length, bytes */
    size_t len, cap;
    uint32_t oid;
    int32_t count;
    bool has_null, failed;
} db_binarray_t;

void db_binarray_init(db_binarray_t *a, uint32_t element_oid);
void db_binarray_free(db_binarray_t *a);

void db_binarray_null(db_binarray_t *a);
void db_binarray_int8(db_binarray_t *a, int64_t v);
void db_binarray_int4(db_binarray_t *a, int32_t v);
void db_binarray_float8(db_binarray_t *a, double v);
/* An epoch time in milliseconds, as timestamptz. */
void db_binarray_time_ms(db_binarray_t *a, int64_t ms);
/* Bytes as they are (bytea), or a NUL-ended string (text; NULL is SQL
 * NULL). */
void db_binarray_bytes(db_binarray_t *a, const void *data, size_t len);
void db_binarray_text(db_binarray_t *a, const char *s);

/* Runs sql with arrays[i] as parameter $i+1 (binary), the arrays' headers
 * completed first. Same contract as db_exec. */
PGresult *db_exec_binarrays(db_t *db, const char *sql, db_binarray_t *arrays, int narrays,
                            db_status_t *status);

#endif
