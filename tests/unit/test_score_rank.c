/* test_score_rank.c - ranks among peers with ties, and the change on last year */
#include "score_explain.h"
#include "score_rank.h"

#include <criterion/criterion.h>
#include <math.h>

Test(score_rank, competition_ranking_with_ties)
{
    score_rank_item_t it[] = {
        {"ward", "D", 90, 0, 0}, {"ward", "D", 95, 0, 0},  {"ward", "D", 90, 0, 0},
        {"ward", "D", 80, 0, 0}, {"ward", "D", NAN, 0, 0},
    };
    cr_assert_eq(score_rank(it, 5, SCORE_PEERS_PARENT), 0);
    cr_assert_eq(it[1].rank, 1);
    cr_assert_eq(it[0].rank, 2);
    cr_assert_eq(it[2].rank, 2);
    cr_assert_eq(it[3].rank, 4);
    cr_assert_eq(it[4].rank, 0); /* no value, not ranked */
    for (int i = 0; i < 4; i++)
        cr_assert_eq(it[i].of, 4);
}

Test(score_rank, ties_as_published_to_a_hundredth)
{
    score_rank_item_t it[] = {
        {"ward", "D", 95.061, 0, 0}, {"ward", "D", 95.058, 0, 0}, {"ward", "D", 95.05, 0, 0}};
    score_rank(it, 3, SCORE_PEERS_PARENT);
    cr_assert_eq(it[0].rank, 1);
    cr_assert_eq(it[1].rank, 1);
    cr_assert_eq(it[2].rank, 3);
}

Test(score_rank, peers_by_parent_or_level)
{
    score_rank_item_t it[] = {
        {"ward", "HADONG", 90, 0, 0},
        {"ward", "HADONG", 80, 0, 0},
        {"ward", "CAUGIAY", 85, 0, 0},
        {"department", "HN", 99, 0, 0},
    };
    score_rank(it, 4, SCORE_PEERS_PARENT);
    cr_assert_eq(it[0].rank, 1);
    cr_assert_eq(it[0].of, 2);
    cr_assert_eq(it[1].rank, 2);
    cr_assert_eq(it[2].rank, 1);
    cr_assert_eq(it[2].of, 1);
    cr_assert_eq(it[3].rank, 1);
    cr_assert_eq(it[3].of, 1);
    score_rank(it, 4, SCORE_PEERS_LEVEL);
    cr_assert_eq(it[0].rank, 1);
    cr_assert_eq(it[2].rank, 2);
    cr_assert_eq(it[1].rank, 3);
    cr_assert_eq(it[1].of, 3);
    cr_assert_eq(it[3].of, 1);
    score_peers_t p;
    cr_assert(score_peers_parse("level", &p) && p == SCORE_PEERS_LEVEL);
    cr_assert_not(score_peers_parse("city", &p));
}

Test(score_rank, change_on_last_year)
{
    char b[64];
    cr_assert_eq(score_rank_change(7, 1), 6);
    cr_assert_eq(score_rank_change(1, 3), -2);
    cr_assert_eq(score_rank_change(0, 3), 0);
    cr_assert_str_eq(score_explain_rank_change(7, 1, b, sizeof b), "tăng 6 bậc");
    cr_assert_str_eq(score_explain_rank_change(1, 3, b, sizeof b), "giảm 2 bậc");
    cr_assert_str_eq(score_explain_rank_change(4, 4, b, sizeof b), "giữ nguyên thứ hạng");
    cr_assert_str_eq(score_explain_rank_change(0, 4, b, sizeof b), "");
}

Test(score_rank, empty)
{
    cr_assert_eq(score_rank(NULL, 0, SCORE_PEERS_LEVEL), 0);
}
