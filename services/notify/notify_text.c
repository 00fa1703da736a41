/* notify_text.c - what a feed entry says, in Vietnamese (see the header) */
#include "notify_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *notify_date_vn(const char *iso, char out[16])
{
    int y, m, d;
    char tail;
    if (iso && sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
        snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
    else
        snprintf(out, 16, "%s", iso ? iso : "");
    return out;
}

/* «Nhiệm vụ “T” (Kế hoạch P) của U» into buf; returns the length used. */
static size_t subject(const notify_task_t *t, char *buf, size_t len)
{
    int n = snprintf(buf, len, "Nhiệm vụ “%s” (Kế hoạch %s)%s%s", t->title ? t->title : "",
                     t->plan_number ? t->plan_number : "", t->unit_name ? " của " : "",
                     t->unit_name ? t->unit_name : "");
    return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* Appends the report chain's threatened deadline, if any. */
static void threat(const notify_task_t *t, char *buf, size_t len)
{
    if (!t->threat_title)
        return;
    size_t used = strlen(buf);
    char due[16];
    snprintf(buf + used, len - used,
             " Việc chậm này ảnh hưởng đến nhiệm vụ “%s” (Kế hoạch %s, hạn %s).", t->threat_title,
             t->threat_plan ? t->threat_plan : "", notify_date_vn(t->threat_due, due));
}

const char *notify_text_level(const notify_task_t *t, const char *level, char *buf, size_t len)
{
    if (!buf || len == 0)
        return NULL;
    char due[16], what[96];
    notify_date_vn(t->due_date, due);
    if (strcmp(level, "due_soon") == 0)
        snprintf(what, sizeof what, "sắp đến hạn");
    else if (strcmp(level, "due") == 0)
        snprintf(what, sizeof what, "đến hạn hôm nay");
    else if (strcmp(level, "overdue") == 0)
        snprintf(what, sizeof what, "đã quá hạn");
    else if (strcmp(level, "escalated") == 0)
        snprintf(what, sizeof what, "đã quá hạn %d ngày làm việc", t->workdays_overdue);
    else if (strcmp(level, "stale") == 0)
        snprintf(what, sizeof what, "(thường xuyên) lâu chưa được cập nhật");
    else
        return NULL;
    size_t used = subject(t, buf, len);
    if (t->due_date && *t->due_date)
        snprintf(buf + used, len - used, " %s (hạn %s).", what, due);
    else
        snprintf(buf + used, len - used, " %s.", what);
    if (strcmp(level, "due_soon") != 0)
        threat(t, buf, len);
    return buf;
}

const char *notify_text_moved(const notify_task_t *t, const char *old_due, const char *new_due,
                              char *buf, size_t len)
{
    char a[16], b[16];
    size_t used = subject(t, buf, len);
    if (new_due)
        snprintf(buf + used, len - used, " đổi hạn từ %s sang %s.", notify_date_vn(old_due, a),
                 notify_date_vn(new_due, b));
    else
        snprintf(buf + used, len - used, " không còn hạn %s (hạn đã được điều chỉnh).",
                 notify_date_vn(old_due, a));
    return buf;
}

const char *notify_text_deemed(const char *subject_text, const char *from_name, const char *to_name,
                               const char *due, char *buf, size_t len)
{
    char d[16];
    snprintf(buf, len,
             "Văn bản lấy ý kiến “%s” của %s gửi %s đã hết hạn trả lời (%s): coi như đồng ý.",
             subject_text ? subject_text : "", from_name ? from_name : "", to_name ? to_name : "",
             notify_date_vn(due, d));
    return buf;
}

const char *notify_text_assigned(const notify_task_t *t, const char *deadline_text, char *buf,
                                 size_t len)
{
    size_t used = subject(t, buf, len);
    bool timed = deadline_text && *deadline_text;
    snprintf(buf + used, len - used, " được giao%s%s.", timed ? "; thời hạn: " : "",
             timed ? deadline_text : "");
    return buf;
}

const char *notify_text_status(const notify_task_t *t, const char *status, const char *on,
                               const char *by, char *buf, size_t len)
{
    if (!buf || len == 0 || !status)
        return NULL;
    const char *what = strcmp(status, "done") == 0        ? "đã hoàn thành"
                       : strcmp(status, "cancelled") == 0 ? "đã bị hủy"
                       : strcmp(status, "open") == 0      ? "được mở lại"
                                                          : NULL;
    if (!what)
        return NULL;
    char day[16] = "";
    if (on && strlen(on) >= 10) {
        char iso[11];
        memcpy(iso, on, 10);
        iso[10] = 0;
        notify_date_vn(iso, day);
    }
    size_t used = subject(t, buf, len);
    bool has_by = by && *by;
    if (*day || has_by)
        snprintf(buf + used, len - used, " %s (%s%s%s%s).", what, *day ? "ngày " : "", day,
                 *day && has_by ? ", cập nhật bởi "
                 : has_by       ? "cập nhật bởi "
                                : "",
                 has_by ? by : "");
    else
        snprintf(buf + used, len - used, " %s.", what);
    return buf;
}

/* A score as published (0.01), decimal comma, no trailing zeros: 95,6. */
static const char *score_vn(double x, char out[32])
{
    snprintf(out, 32, "%.2f", x);
    char *dot = strchr(out, '.');
    if (dot) {
        char *end = out + strlen(out) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
        else
            *dot = ',';
    }
    return out;
}

const char *notify_text_score(const char *unit_name, int year, double score, const char *grade,
                              const char *reason, bool has_previous, double previous, char *buf,
                              size_t len)
{
    char now[32], before[32];
    score_vn(score, now);
    if (reason && strcmp(reason, "locked") == 0)
        snprintf(buf, len, "Chỉ số CCHC năm %d của %s đã được chốt: %s điểm, xếp loại %s.", year,
                 unit_name ? unit_name : "", now, grade ? grade : "");
    else if (has_previous)
        snprintf(buf, len, "Điểm Chỉ số CCHC năm %d của %s %s từ %s %s %s điểm (xếp loại %s).",
                 year, unit_name ? unit_name : "", score >= previous ? "tăng" : "giảm",
                 score_vn(previous, before), score >= previous ? "lên" : "xuống", now,
                 grade ? grade : "");
    else
        snprintf(buf, len, "Điểm Chỉ số CCHC năm %d của %s: %s điểm (xếp loại %s).", year,
                 unit_name ? unit_name : "", now, grade ? grade : "");
    return buf;
}
