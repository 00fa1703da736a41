/* db_binarray.c - one-dimensional arrays in PostgreSQL's binary form (see
 * the header)
 *
 * The wire form (array_recv): ndim, has-null flag, element oid, then per
 * dimension its length and lower bound, all 4-byte big-endian; then each
 * element as a 4-byte length (-1: NULL) and the element's own binary form
 * (integers and floats big-endian; timestamptz microseconds since
 * 2000-01-01 as int8; text and bytea their bytes). The 20-byte header is
 * reserved at init and written when the array is sent; an empty array goes
 * as ndim 0 (its first 12 bytes).
 */
#include "db_binarray.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_LEN        20
#define POSTGRES_EPOCH_MS 946684800000LL /* 2000-01-01 in Unix ms */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

/* Room for `more` bytes; false (and the array failed) when out of memory. */
static bool reserve(db_binarray_t *a, size_t more)
{
    if (a->failed)
        return false;
    if (a->len + more <= a->cap)
        return true;
    size_t cap = a->cap ? a->cap : 256;
    while (cap < a->len + more)
        cap *= 2;
    uint8_t *grown = realloc(a->data, cap);
    if (!grown) {
        a->failed = true;
        return false;
    }
    a->data = grown;
    a->cap = cap;
    return true;
}

void db_binarray_init(db_binarray_t *a, uint32_t element_oid)
{
    memset(a, 0, sizeof *a);
    a->oid = element_oid;
    if (reserve(a, HEADER_LEN))
        a->len = HEADER_LEN;
}

void db_binarray_free(db_binarray_t *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* Appends one element of len bytes (copied from data). */
static void element(db_binarray_t *a, const void *data, size_t len)
{
    if (len > INT32_MAX || !reserve(a, 4 + len)) {
        a->failed = true;
        return;
    }
    put32(a->data + a->len, (uint32_t)len);
    if (len)
        memcpy(a->data + a->len + 4, data, len);
    a->len += 4 + len;
    a->count++;
}

void db_binarray_null(db_binarray_t *a)
{
    if (!reserve(a, 4))
        return;
    put32(a->data + a->len, UINT32_MAX); /* -1 */
    a->len += 4;
    a->count++;
    a->has_null = true;
}

void db_binarray_int8(db_binarray_t *a, int64_t v)
{
    uint8_t b[8];
    put64(b, (uint64_t)v);
    element(a, b, sizeof b);
}

void db_binarray_int4(db_binarray_t *a, int32_t v)
{
    uint8_t b[4];
    put32(b, (uint32_t)v);
    element(a, b, sizeof b);
}

void db_binarray_float8(db_binarray_t *a, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint8_t b[8];
    put64(b, bits);
    element(a, b, sizeof b);
}

void db_binarray_time_ms(db_binarray_t *a, int64_t ms)
{
    db_binarray_int8(a, (ms - POSTGRES_EPOCH_MS) * 1000);
}

void db_binarray_bytes(db_binarray_t *a, const void *data, size_t len)
{
    element(a, data, len);
}

void db_binarray_text(db_binarray_t *a, const char *s)
{
    if (s)
        element(a, s, strlen(s));
    else
        db_binarray_null(a);
}

/* Writes the header; returns the length to send. */
static size_t finish(db_binarray_t *a)
{
    put32(a->data, a->count > 0 ? 1 : 0);
    put32(a->data + 4, a->has_null ? 1 : 0);
    put32(a->data + 8, a->oid);
    if (a->count == 0)
        return 12;
    put32(a->data + 12, (uint32_t)a->count);
    put32(a->data + 16, 1);
    return a->len;
}

#define MAX_ARRAYS 32

PGresult *db_exec_binarrays(db_t *db, const char *sql, db_binarray_t *arrays, int narrays,
                            db_status_t *status)
{
    const char *values[MAX_ARRAYS];
    int lengths[MAX_ARRAYS], formats[MAX_ARRAYS];
    if (narrays < 1 || narrays > MAX_ARRAYS) {
        db_fail(db, "batch", "too many array parameters");
        *status = DB_FAIL;
        return NULL;
    }
    for (int i = 0; i < narrays; i++) {
        if (arrays[i].failed || !arrays[i].data) {
            db_fail(db, "batch", "out of memory");
            *status = DB_FAIL;
            return NULL;
        }
        lengths[i] = (int)finish(&arrays[i]);
        values[i] = (const char *)arrays[i].data;
        formats[i] = 1;
    }
    return db_exec_formats(db, sql, narrays, values, lengths, formats, status);
}
