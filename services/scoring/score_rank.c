/* score_rank.c - ranks among peers, with ties, and their change on last year
 *
 * One sort of item pointers by (kind, parent, value descending), then one walk
 * that numbers each peer group: the rank of an item is 1 + the number of
 * items in its group strictly better than it.
 */
#include "score_rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    score_rank_item_t *item;
    long long key; /* value in hundredths, as published */
    bool by_parent;
} entry_t;

static const char *str(const char *s)
{
    return s ? s : "";
}

static int compare(const void *pa, const void *pb)
{
    const entry_t *a = pa, *b = pb;
    int c = strcmp(str(a->item->kind), str(b->item->kind));
    if (c)
        return c;
    if (a->by_parent && (c = strcmp(str(a->item->parent), str(b->item->parent))))
        return c;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    return a->item < b->item ? -1 : a->item > b->item;
}

static bool same_group(const entry_t *a, const entry_t *b)
{
    return !strcmp(str(a->item->kind), str(b->item->kind)) &&
           (!a->by_parent || !strcmp(str(a->item->parent), str(b->item->parent)));
}

int score_rank(score_rank_item_t *items, size_t n, score_peers_t peers)
{
    entry_t *e = malloc((n ? n : 1) * sizeof *e);
    if (!e)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        items[i].rank = items[i].of = 0;
        if (isnan(items[i].value))
            continue;
        e[m++] = (entry_t){&items[i], llround(items[i].value * 100.0), peers == SCORE_PEERS_PARENT};
    }
    qsort(e, m, sizeof *e, compare);
    for (size_t start = 0; start < m;) {
        size_t end = start + 1;
        while (end < m && same_group(&e[start], &e[end]))
            end++;
        for (size_t k = start; k < end; k++) {
            e[k].item->of = (int)(end - start);
            e[k].item->rank =
                k > start && e[k].key == e[k - 1].key ? e[k - 1].item->rank : (int)(k - start) + 1;
        }
        start = end;
    }
    free(e);
    return 0;
}

int score_rank_change(int previous, int current)
{
    if (previous <= 0 || current <= 0)
        return 0;
    return previous - current;
}

bool score_peers_parse(const char *s, score_peers_t *out)
{
    if (!strcmp(s, "parent"))
        *out = SCORE_PEERS_PARENT;
    else if (!strcmp(s, "level"))
        *out = SCORE_PEERS_LEVEL;
    else
        return false;
    return true;
}
