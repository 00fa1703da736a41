/* test_notify_text.c - unit tests for services/notify/notify_text.c: the
 * Vietnamese sentence of each kind of feed entry, written out by hand. */
#include "notify_text.h"

#include <criterion/criterion.h>
#include <string.h>

static const notify_task_t dialogue = {
    .title = "Tổ chức đối thoại với cá nhân, tổ chức về TTHC",
    .plan_number = "104/KH-UBND",
    .unit_name = "Bộ phận Một cửa",
    .due_date = "2024-07-01",
    .workdays_overdue = 3,
};

Test(notify_text, every_level)
{
    char buf[1024];
    cr_assert_str_eq(notify_text_level(&dialogue, "escalated", buf, sizeof buf),
                     "Nhiệm vụ “Tổ chức đối thoại với cá nhân, tổ chức về TTHC” (Kế hoạch "
                     "104/KH-UBND) của Bộ phận Một cửa đã quá hạn 3 ngày làm việc (hạn "
                     "01/07/2024).");
    cr_assert(strstr(notify_text_level(&dialogue, "due_soon", buf, sizeof buf),
                     " sắp đến hạn (hạn 01/07/2024)."));
    cr_assert(strstr(notify_text_level(&dialogue, "due", buf, sizeof buf),
                     " đến hạn hôm nay (hạn 01/07/2024)."));
    cr_assert(strstr(notify_text_level(&dialogue, "overdue", buf, sizeof buf),
                     " đã quá hạn (hạn 01/07/2024)."));
    notify_task_t continuous = dialogue;
    continuous.due_date = NULL;
    cr_assert(strstr(notify_text_level(&continuous, "stale", buf, sizeof buf),
                     "(thường xuyên) lâu chưa được cập nhật."));
    cr_assert_null(notify_text_level(&dialogue, "long_term", buf, sizeof buf));
}

Test(notify_text, a_late_link_says_what_it_threatens)
{
    notify_task_t t = dialogue;
    t.threat_title = "Tổng hợp báo cáo CCHC quý";
    t.threat_plan = "104/KH-UBND";
    t.threat_due = "2024-07-10";
    char buf[1024];
    cr_assert(strstr(notify_text_level(&t, "overdue", buf, sizeof buf),
                     " Việc chậm này ảnh hưởng đến nhiệm vụ “Tổng hợp báo cáo CCHC quý” (Kế "
                     "hoạch 104/KH-UBND, hạn 10/07/2024)."),
              "%s", buf);
    /* Not while it is only due soon. */
    cr_assert_null(strstr(notify_text_level(&t, "due_soon", buf, sizeof buf), "ảnh hưởng"));
}

Test(notify_text, moves_consultations_and_new_tasks)
{
    char buf[1024];
    cr_assert(strstr(notify_text_moved(&dialogue, "2024-07-01", "2024-07-15", buf, sizeof buf),
                     " đổi hạn từ 01/07/2024 sang 15/07/2024."));
    cr_assert(strstr(notify_text_moved(&dialogue, "2024-07-01", NULL, buf, sizeof buf),
                     " không còn hạn 01/07/2024"));
    cr_assert_str_eq(notify_text_deemed("Dự thảo quy chế", "Văn phòng UBND phường",
                                        "Bộ phận Tư pháp", "2024-05-02", buf, sizeof buf),
                     "Văn bản lấy ý kiến “Dự thảo quy chế” của Văn phòng UBND phường gửi Bộ phận "
                     "Tư pháp đã hết hạn trả lời (02/05/2024): coi như đồng ý.");
    cr_assert(strstr(notify_text_assigned(&dialogue, "trước ngày 01/7/2024", buf, sizeof buf),
                     " được giao; thời hạn: trước ngày 01/7/2024."));
}

Test(notify_text, status_changes)
{
    char buf[1024];
    cr_assert_str_eq(notify_text_status(&dialogue, "done", "2024-06-28T09:15:00.000Z", "motcua",
                                        buf, sizeof buf),
                     "Nhiệm vụ “Tổ chức đối thoại với cá nhân, tổ chức về TTHC” (Kế hoạch "
                     "104/KH-UBND) của Bộ phận Một cửa đã hoàn thành (ngày 28/06/2024, cập "
                     "nhật bởi motcua).");
    cr_assert(
        strstr(notify_text_status(&dialogue, "cancelled", "2024-07-02", NULL, buf, sizeof buf),
               " đã bị hủy (ngày 02/07/2024)."));
    cr_assert(strstr(notify_text_status(&dialogue, "open", NULL, "an", buf, sizeof buf),
                     " được mở lại (cập nhật bởi an)."));
    cr_assert_null(notify_text_status(&dialogue, "paused", "2024-07-02", "an", buf, sizeof buf));
}

Test(notify_text, published_scores)
{
    char buf[512];
    cr_assert_str_eq(
        notify_text_score("Phường Phú Lãm", 2023, 95.6, "A", "locked", false, 0, buf, sizeof buf),
        "Chỉ số CCHC năm 2023 của Phường Phú Lãm đã được chốt: 95,6 điểm, xếp loại A.");
    cr_assert_str_eq(
        notify_text_score("Phường Phú Lãm", 2023, 88, "B", "moved", true, 95.55, buf, sizeof buf),
        "Điểm Chỉ số CCHC năm 2023 của Phường Phú Lãm giảm từ 95,55 xuống 88 điểm "
        "(xếp loại B).");
    cr_assert(
        strstr(notify_text_score("Phường X", 2024, 70.1, "C", "moved", true, 60, buf, sizeof buf),
               " tăng từ 60 lên 70,1 điểm (xếp loại C)."));
    cr_assert_str_eq(
        notify_text_score("Phường X", 2024, 70, "C", "moved", false, 0, buf, sizeof buf),
        "Điểm Chỉ số CCHC năm 2024 của Phường X: 70 điểm (xếp loại C).");
}

Test(notify_text, dates_and_short_buffers)
{
    char d[16];
    cr_assert_str_eq(notify_date_vn("2024-02-09", d), "09/02/2024");
    cr_assert_str_eq(notify_date_vn("soon", d), "soon");
    char tiny[24];
    notify_text_level(&dialogue, "overdue", tiny, sizeof tiny);
    cr_assert_lt(strlen(tiny), sizeof tiny);
}
