/* score_explain.c - where every point went, in Vietnamese
 *
 * Lines are built with one small appender over the caller's buffer (cut
 * safely when it is too small); numbers go through score_format_number so
 * that every figure reads as Vietnamese documents write it (18,67%).
 */
#include "score_explain.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t len;
    size_t used; /* as snprintf counts: may pass len */
} out_t;

__attribute__((format(printf, 2, 3))) static void put(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->used < o->len ? o->len - o->used : 0;
    int n = vsnprintf(room ? o->buf + o->used : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n;
}

char *score_format_percent(double x, char *buf, size_t len)
{
    if (!isfinite(x))
        return score_format_number(x, buf, len);
    double cut = (x >= 0 ? floor(x * 100.0 + 1e-7) : ceil(x * 100.0 - 1e-7)) / 100.0;
    return score_format_number(cut, buf, len);
}

char *score_format_number(double x, char *buf, size_t len)
{
    if (!isfinite(x)) {
        snprintf(buf, len, "—");
        return buf;
    }
    double r = round(x * 100.0) / 100.0;
    if (r == 0)
        r = 0; /* no "-0" */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.2f", r);
    char *dot = strchr(tmp, '.');
    if (dot) {
        char *end = tmp + strlen(tmp);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
        else
            *dot = ',';
    }
    snprintf(buf, len, "%s", tmp);
    return buf;
}

static const char *band_word(const score_band_t *b)
{
    return b->strict ? ">" : "≥";
}

int score_explain_node(const score_input_t *in, const score_result_t *r, int node, char *buf,
                       size_t len)
{
    const score_scheme_t *s = r->scheme;
    const score_node_t *n = &s->nodes[node];
    const score_node_result_t *x = &r->nodes[node];
    const score_value_t *v = &in->values[node];
    const score_rule_t *rule = &n->rule;
    out_t o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    if (node == 0)
        put(&o, "%s", n->name);
    else
        put(&o, "%s %s: ", n->code, n->name);
    if (x->state == SCORE_STATE_NA) {
        put(&o, "không áp dụng → không tính (bớt %s điểm khỏi điểm tối đa)", SCORE_NUM(n->max));
        return (int)o.used;
    }
    if (!score_node_is_leaf(n)) {
        if (node == 0)
            put(&o, ": ");
        put(&o, "%s/%s điểm", SCORE_NUM(x->points), SCORE_NUM(x->max));
        if (x->max + 1e-9 < n->max)
            put(&o, " (tối đa %s, không tính %s điểm không áp dụng)", SCORE_NUM(n->max),
                SCORE_NUM(n->max - x->max));
        return (int)o.used;
    }
    char pbuf[24], mbuf[24];
    const char *pts = score_format_number(x->points, pbuf, sizeof pbuf);
    const char *max = score_format_number(n->max, mbuf, sizeof mbuf);
    switch (rule->kind) {
    case SCORE_RULE_RATIO:
        if (x->state == SCORE_STATE_NO_DATA) {
            if (rule->denominator && v->has_a && v->has_b)
                put(&o, "%s = 0, không tính được tỷ lệ", rule->denominator);
            else if (rule->denominator)
                put(&o, "không có số liệu (%s, %s)", rule->numerator, rule->denominator);
            else
                put(&o, "không có số liệu (%s)", rule->measurement);
            put(&o, " → %s/%s điểm", pts, max);
            break;
        }
        if (rule->denominator)
            put(&o, "%s/%s = %s%%", SCORE_NUM(v->a), SCORE_NUM(v->b), SCORE_PCT(x->value));
        else
            put(&o, "%s%%", SCORE_PCT(x->value));
        if (x->value >= rule->target - 1e-9) {
            put(&o, " ≥ chỉ tiêu %s%%", SCORE_NUM(rule->target));
        } else {
            put(&o, " < chỉ tiêu %s%%", SCORE_NUM(rule->target));
            if (rule->below == SCORE_BELOW_PROPORTIONAL)
                put(&o, ", tính theo tỷ lệ %s/%s", SCORE_PCT(x->value), SCORE_NUM(rule->target));
            else if (rule->below == SCORE_BELOW_BANDS && x->band >= 0)
                put(&o, ", đạt mức %s %s%%", band_word(&rule->bands[x->band]),
                    SCORE_NUM(rule->bands[x->band].threshold));
            else if (rule->below == SCORE_BELOW_BANDS)
                put(&o, ", dưới mức thấp nhất %s %s%%", band_word(&rule->bands[rule->nbands - 1]),
                    SCORE_NUM(rule->bands[rule->nbands - 1].threshold));
        }
        put(&o, " → %s/%s điểm", pts, max);
        break;
    case SCORE_RULE_BANDS:
        if (x->state == SCORE_STATE_NO_DATA) {
            put(&o, "không có số liệu (%s) → %s/%s điểm", rule->measurement, pts, max);
            break;
        }
        put(&o, "%s = %s", rule->measurement, SCORE_NUM(x->value));
        if (x->band >= 0)
            put(&o, ", đạt mức %s %s", band_word(&rule->bands[x->band]),
                SCORE_NUM(rule->bands[x->band].threshold));
        else
            put(&o, ", dưới mức thấp nhất %s %s", band_word(&rule->bands[rule->nbands - 1]),
                SCORE_NUM(rule->bands[rule->nbands - 1].threshold));
        put(&o, " → %s/%s điểm", pts, max);
        break;
    case SCORE_RULE_DELIVERABLE:
        switch (v->outcome) {
        case SCORE_OUTCOME_ON_TIME: put(&o, "gửi đúng hạn"); break;
        case SCORE_OUTCOME_LATE: put(&o, "gửi trễ hạn"); break;
        case SCORE_OUTCOME_MISSING: put(&o, "không gửi"); break;
        case SCORE_OUTCOME_EXPECTED:
            put(&o, "dự kiến đúng hạn với xác suất %s%%, còn lại trễ hạn", SCORE_PCT(100.0 * v->a));
            break;
        case SCORE_OUTCOME_NONE:
            put(&o, "không có kết quả theo dõi (%s), tính như không gửi", rule->key);
            break;
        }
        put(&o, " → %s/%s điểm", pts, max);
        break;
    case SCORE_RULE_PLAN:
        if (x->state == SCORE_STATE_NO_DATA) {
            put(&o, "không có số liệu kế hoạch (%s) → %s/%s điểm", rule->key, pts, max);
            break;
        }
        put(&o, "%s/%s nhiệm vụ hoàn thành đúng hạn = %s%%", SCORE_NUM(v->a), SCORE_NUM(v->b),
            SCORE_PCT(x->value));
        if (x->band >= 0)
            put(&o, ", đạt mức %s %s%%", band_word(&rule->bands[x->band]),
                SCORE_NUM(rule->bands[x->band].threshold));
        else
            put(&o, ", dưới mức thấp nhất %s %s%%", band_word(&rule->bands[rule->nbands - 1]),
                SCORE_NUM(rule->bands[rule->nbands - 1].threshold));
        put(&o, " → %s/%s điểm", pts, max);
        break;
    case SCORE_RULE_MANUAL:
        if (x->state == SCORE_STATE_NO_DATA) {
            put(&o, "chưa thẩm định → %s/%s điểm", pts, max);
            break;
        }
        put(&o, "thẩm định %s/%s điểm", pts, max);
        if (x->capped)
            put(&o, " (ghi %s, vượt tối đa)", SCORE_NUM(v->a));
        if (v->evidence)
            put(&o, " (căn cứ: %s)", v->evidence);
        break;
    case SCORE_RULE_SURVEY:
        if (x->state == SCORE_STATE_NO_SURVEY) {
            put(&o, "không có điều tra xã hội học: bỏ %s điểm, điểm thẩm định quy về thang %s", max,
                SCORE_NUM(s->max));
            break;
        }
        put(&o, "%s%% hài lòng", SCORE_PCT(x->value));
        if (rule->nbands && x->band >= 0)
            put(&o, ", đạt mức %s %s%%", band_word(&rule->bands[x->band]),
                SCORE_NUM(rule->bands[x->band].threshold));
        else if (!rule->nbands)
            put(&o, " × %s điểm", max);
        put(&o, " → %s/%s điểm", pts, max);
        break;
    case SCORE_RULE_DEDUCTION:
    case SCORE_RULE_PENALTY:
    case SCORE_RULE_BONUS: {
        const char *verb = rule->kind == SCORE_RULE_BONUS ? "cộng" : "trừ";
        if (!v->has_a) {
            put(&o, "không có → 0 điểm");
            break;
        }
        put(&o, "%s %s điểm (%d lần", verb, SCORE_NUM(v->a), v->count);
        if (v->evidence)
            put(&o, ": %s%s", v->evidence, v->count > 1 ? "…" : "");
        put(&o, ")");
        if (x->capped)
            put(&o, ", tối đa %s", SCORE_NUM(rule->cap));
        put(&o, " → %s điểm", pts);
        break;
    }
    case SCORE_RULE_NONE: break;
    }
    return (int)o.used;
}

int score_explain_total(const score_result_t *r, char *buf, size_t len)
{
    const score_scheme_t *s = r->scheme;
    out_t o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    if (r->survey_scaled) {
        put(&o, "Tổng: thẩm định %s/%s điểm, không có điều tra xã hội học → quy về thang %s: ",
            SCORE_NUM(r->points), SCORE_NUM(r->max), SCORE_NUM(s->max));
        put(&o, "%s điểm", SCORE_NUM(r->score));
    } else {
        put(&o, "Tổng: %s/%s điểm", SCORE_NUM(r->points), SCORE_NUM(r->max));
        if (s->survey_max > 0)
            put(&o, " (thẩm định %s/%s; điều tra xã hội học %s/%s)", SCORE_NUM(r->appraisal_points),
                SCORE_NUM(r->appraisal_max), SCORE_NUM(r->survey_points), SCORE_NUM(r->survey_max));
        if (r->max + 1e-9 < s->max)
            put(&o, ", không tính %s điểm không áp dụng → quy về thang %s: %s điểm",
                SCORE_NUM(s->max - r->max), SCORE_NUM(s->max), SCORE_NUM(r->score));
    }
    put(&o, ", chỉ số %s%% → xếp loại %s", SCORE_NUM(r->index), score_grade_name(r->grade));
    return (int)o.used;
}

const char *score_explain_rank_change(int previous, int current, char *buf, size_t len)
{
    if (previous <= 0 || current <= 0)
        snprintf(buf, len, "%s", "");
    else if (previous > current)
        snprintf(buf, len, "tăng %d bậc", previous - current);
    else if (previous < current)
        snprintf(buf, len, "giảm %d bậc", current - previous);
    else
        snprintf(buf, len, "giữ nguyên thứ hạng");
    return buf;
}

score_num_t score_num(double x)
{
    score_num_t n;
    score_format_number(x, n.s, sizeof n.s);
    return n;
}

score_num_t score_pct(double x)
{
    score_num_t n;
    score_format_percent(x, n.s, sizeof n.s);
    return n;
}
