/* scoring_show.h - a year's stored scores, ranked among peers
 *
 * Reads scoring.score for the year (one scheme, or every scheme of the
 * year), ranks each scheme's units among their peers (same kind, same
 * parent: score_rank's competition ranking on the score as published; with
 * a level, same kind in the same city, the top-level unit, whatever the
 * parent) and keeps those asked for: one unit, the units under a parent, or
 * all. Ranks are always among all peers, whoever is shown, and last year's
 * rank is among the same peer group (a rank the facts report is among the
 * parent's units, so it is used only without a level). With `audit`, a unit's
 * audit trail comes along.
 */
#ifndef PARTRACK_SCORING_SHOW_H
#define PARTRACK_SCORING_SHOW_H

#include "db.h"
#include "scoring.pb-c.h"

/* Fills reply (caller frees with scoring_show_free). Returns 0, or -1 on a
 * database failure or when memory ran out (reply empty). */
int scoring_show(db_t *db, const Partrack__ScoreShowRequest *req, Partrack__ScoreShowReply *reply);

/* Frees what scoring_show put into reply (not reply itself). */
void scoring_show_free(Partrack__ScoreShowReply *reply);

#endif
