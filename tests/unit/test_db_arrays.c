/* test_db_arrays.c - unit tests for the array literals of services/common/db.c
 *
 * db_array_words reads what PostgreSQL prints and what db_array_literal
 * writes (every element quoted): a lead unit's code written by one and read
 * by the other must come back as it was, not with its quotes (seen: the
 * deadline service's transitions of newly imported tasks carried "\"HN.X\"").
 */
#include "db.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void round_trip(const char *const *items, size_t n)
{
    char *literal = db_array_literal(items, n);
    cr_assert_not_null(literal);
    size_t m;
    char **back = db_array_words(literal, &m);
    cr_assert_not_null(back);
    cr_assert_eq(m, n, "%s", literal);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(back[i], items[i], "%s", literal);
    cr_assert_null(back[n]);
    free(back);
    free(literal);
}

Test(db_arrays, what_db_array_literal_writes_comes_back)
{
    const char *codes[] = {"HN.HADONG.PHULAM.VP", "HN.HADONG.PHULAM.MC"};
    round_trip(codes, 2);
    const char *odd[] = {"a,b", "say \"hi\"", "back\\slash", "{braces}", "", "Bộ phận Một cửa"};
    round_trip(odd, 6);
    round_trip(NULL, 0);
}

Test(db_arrays, what_postgresql_prints)
{
    size_t n;
    char **w = db_array_words("{HN.A,HN.B,\"with space\"}", &n);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(w[0], "HN.A");
    cr_assert_str_eq(w[1], "HN.B");
    cr_assert_str_eq(w[2], "with space");
    free(w);
    w = db_array_words("{}", &n);
    cr_assert_eq(n, 0);
    free(w);
    w = db_array_words("{NULL}", &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(w[0], "NULL");
    free(w);
}
