/* score_rank.h - ranks among peers, with ties, and their change on last year
 *
 * Units are ranked within peer groups: the same kind under the same parent
 * (the 17 wards of Hà Đông), or the same kind city-wide (every ward). The
 * ranking is competition ranking: equal values share a rank and the next
 * rank skips (1, 2, 2, 4); values are compared as published, rounded to
 * 0.01, so 95.061 and 95.058 both read 95,06 and tie. The caller ranks the
 * previous year's values the same way and takes the difference of ranks:
 * "tăng 6 bậc" is 7th → 1st (score_explain_rank_change).
 */
#ifndef PARTRACK_SCORE_RANK_H
#define PARTRACK_SCORE_RANK_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SCORE_PEERS_PARENT = 0, /* same kind, same parent */
    SCORE_PEERS_LEVEL,      /* same kind, anywhere */
} score_peers_t;

typedef struct {
    const char *kind;   /* borrowed; NULL counts as "" */
    const char *parent; /* borrowed; NULL counts as "" */
    double value;       /* what is ranked, higher is better; NAN: not ranked */
    int rank;           /* out: 1 is first; 0 not ranked */
    int of;             /* out: how many are ranked in the item's peer group */
} score_rank_item_t;

/* Ranks every item with a value within its peer group. Returns 0, or -1 when
 * memory ran out (items unchanged). */
int score_rank(score_rank_item_t *items, size_t n, score_peers_t peers);

/* Places gained from previous to current (7 → 1: +6; 1 → 3: -2); 0 when
 * either is unknown (0). */
int score_rank_change(int previous, int current);

/* "parent" or "level" to peers; false for anything else. */
bool score_peers_parse(const char *s, score_peers_t *out);

#endif
