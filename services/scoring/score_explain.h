/* score_explain.h - where every point went, in Vietnamese
 *
 * The lines people read on screen and the service sends with a score: one
 * per node, e.g.
 *   3.3.4 Tỷ lệ hồ sơ TTHC trực tuyến mức độ 3: 762/4080 = 18,67% < chỉ tiêu 40% → 0/1 điểm
 *   2.1.1 Kế hoạch theo dõi thi hành pháp luật: không gửi → 0/0,25 điểm
 *   1.6 Sáng kiến CCHC: thẩm định 0/2 điểm (căn cứ: ...)
 * Numbers are written as Vietnamese documents write them: a decimal comma,
 * at most two decimals, no trailing zeros (18,67; 2,5; 14,4; 30).
 * Everything writes into a caller's buffer (truncating safely) and
 * allocates nothing.
 */
#ifndef PARTRACK_SCORE_EXPLAIN_H
#define PARTRACK_SCORE_EXPLAIN_H

#include "score_compute.h"

#include <stddef.h>

/* x rounded to 0.01 with a decimal comma: 18,67 · 2,5 · 30 · -0,5. Returns
 * buf. len of 24 is always enough. */
char *score_format_number(double x, char *buf, size_t len);

/* A percentage as documents write it: cut (not rounded) to 0.01 with a
 * decimal comma, as seed 002 writes 762/4080 = 18,67% (18,676...); a value
 * within 1e-9 under a hundredth counts as reaching it. */
char *score_format_percent(double x, char *buf, size_t len);

/* A formatted number or percent as a value, valid to the end of the full
 * expression (C11 temporary lifetime), so several may appear in one call's
 * arguments: printf("%s/%s", SCORE_NUM(a), SCORE_NUM(b)). */
typedef struct {
    char s[24];
} score_num_t;
score_num_t score_num(double x);
score_num_t score_pct(double x);
#define SCORE_NUM(x) (score_num(x).s)
#define SCORE_PCT(x) (score_pct(x).s)

/* One node's line (code, name, how its points came about). Returns the
 * length written (as snprintf). */
int score_explain_node(const score_input_t *in, const score_result_t *r, int node, char *buf,
                       size_t len);

/* The totals: "Tổng: 95,6/100 điểm (thẩm định 65,6/70, điều tra xã hội học
 * 30/30), chỉ số 95,6% → xếp loại A", with survey scaling said. */
int score_explain_total(const score_result_t *r, char *buf, size_t len);

/* A rank change as people say it: "tăng 6 bậc", "giảm 2 bậc", "giữ nguyên
 * thứ hạng". previous and current are ranks (1 is first); 0 is unknown
 * (then ""). */
const char *score_explain_rank_change(int previous, int current, char *buf, size_t len);

#endif
