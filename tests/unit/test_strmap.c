/* test_strmap.c - unit tests for services/common/strmap.c
 *
 * Many keys (the table grows several times), keys that differ only at their
 * end, replacing a value, and clearing with the caller's free function.
 */
#include "strmap.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#define MANY 5000

Test(strmap, finds_every_key_put_and_no_other)
{
    strmap_t *m = strmap_new();
    cr_assert_not_null(m);
    static int values[MANY];
    char key[32];
    for (int i = 0; i < MANY; i++) {
        snprintf(key, sizeof key, "HN.W%d", i);
        values[i] = i;
        cr_assert_eq(strmap_put(m, key, &values[i]), 0);
    }
    cr_assert_eq(strmap_size(m), MANY);
    for (int i = 0; i < MANY; i++) {
        snprintf(key, sizeof key, "HN.W%d", i);
        int *v = strmap_get(m, key);
        cr_assert_not_null(v, "%s", key);
        cr_assert_eq(*v, i);
    }
    cr_assert_null(strmap_get(m, "HN.W"));
    cr_assert_null(strmap_get(m, "HN.W5000"));
    cr_assert_null(strmap_get(m, ""));
    strmap_destroy(&m, NULL);
    cr_assert_null(m);
    strmap_destroy(&m, NULL); /* takes NULL */
}

Test(strmap, a_key_put_again_gets_the_new_value)
{
    strmap_t *m = strmap_new();
    int a = 1, b = 2;
    cr_assert_eq(strmap_put(m, "k", &a), 0);
    cr_assert_eq(strmap_put(m, "k", &b), 0);
    cr_assert_eq(strmap_size(m), 1);
    cr_assert_eq(strmap_get(m, "k"), &b);
    strmap_destroy(&m, NULL);
}

static int freed;

static void count_free(void *value)
{
    freed++;
    free(value);
}

Test(strmap, clear_hands_each_value_back_and_the_map_is_usable_after)
{
    strmap_t *m = strmap_new();
    char key[16];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "%d", i);
        cr_assert_eq(strmap_put(m, key, malloc(8)), 0);
    }
    freed = 0;
    strmap_clear(m, count_free);
    cr_assert_eq(freed, 100);
    cr_assert_eq(strmap_size(m), 0);
    cr_assert_null(strmap_get(m, "7"));
    cr_assert_eq(strmap_put(m, "7", malloc(8)), 0);
    cr_assert_not_null(strmap_get(m, "7"));
    strmap_destroy(&m, count_free);
    cr_assert_eq(freed, 101);
}
