/* bench_deadline.c - deadline phrases parsed and scheduled per second
 *
 * usage: bench_deadline [SECONDS] [CALENDAR_FILE]
 * Reads the real deadline phrases of the seed plans and DESIGN.md (below)
 * again and again for plan years 2023-2026 in turn, each one parsed and
 * expanded over its year into due dates moved to working days,
 * for SECONDS (default 3). Beside it, in the same run, the baseline that
 * bounds it: text_fold of the same phrases (the folding every phrase needs).
 * Prints figures, then one JSON object on the last line.
 */
#include "bench_stats.h"
#include "deadline.h"
#include "text.h"
#include "workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const phrases[] = {
    "Tổng hợp hàng tháng",
    "Tháng 9/2024",
    "Quý II, Quý IV/2024",
    "Thường xuyên",
    "Quý I, II, III, IV và đột xuất",
    "Thường xuyên, Tổng hợp kết quả vào tháng 6/2024, thường xuyên",
    "Tháng 10/2024",
    "Thường xuyên; Theo quý.",
    "Hàng tháng",
    "Thường xuyên theo Giấy mời của quận",
    "Năm 2024 và duy trì Thường xuyên",
    "Năm 2024 và Thường xuyên",
    "Ngay sau khi có Quyết định công bố TTHC của Thành phố",
    "Thường xuyên.",
    "Khi được quận tổ chức",
    "Thường xuyên theo từng quý",
    "Mùng 5 hàng tháng, Hàng quý, lồng ghép trong báo cáo CCHC",
    "Thường xuyên (nếu có)",
    "Thường Xuyên",
    "trước ngày 01/3/2024",
    "trước tháng 9/2024",
    "ít nhất 6 tháng/lần",
    "ít nhất 2 lần/năm",
    "trước ngày 05 tháng cuối quý",
    "trước mùng 10 tháng cuối quý (hoặc khi có Văn bản yêu cầu của quận)",
    "Tháng 6",
    "trong tháng 9 năm 2024",
    "Quý II năm 2024",
    "Tháng 6-9",
    "Trong năm",
    "Định kỳ trước ngày 08 hàng tháng",
    "ít nhất 01 lần/quý",
    "trước ngày 10 tháng 6 năm 2024",
    "Thường xuyên trong năm",
    "Sau khi Sở Nội vụ triển khai (dự kiến tháng 10 năm 2024)",
    "theo định kỳ hằng tháng, quý, năm",
    "trong 10 ngày làm việc kể từ ngày 05/02/2024",
    "Hàng tuần",
};
#define NPHRASES (sizeof phrases / sizeof phrases[0])

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    if (seconds <= 0)
        seconds = 3.0;
    char err[512];
    workcal_t *cal =
        argc > 2 ? workcal_load(argv[2], err, sizeof err) : workcal_load_default(err, sizeof err);
    if (!cal) {
        fprintf(stderr, "bench_deadline: %s\n", err);
        return 1;
    }
    /* Warm up, and count what one round gives. */
    size_t due_per_round = 0, unparsed = 0;
    for (size_t k = 0; k < NPHRASES; k++) {
        deadline_t *d = deadline_parse(phrases[k], 2024, cal, err, sizeof err);
        if (!d) {
            fprintf(stderr, "bench_deadline: %s\n", err);
            return 1;
        }
        due_per_round += d->ndue;
        unparsed += d->unparsed;
        deadline_destroy(&d);
    }
    long parsed = 0, dues = 0;
    double start = bench_now_s(), elapsed = 0;
    while (elapsed < seconds) {
        for (int round = 0; round < 50; round++) {
            int year = 2023 + (int)(parsed / (long)NPHRASES % 4);
            for (size_t k = 0; k < NPHRASES; k++) {
                deadline_t *d = deadline_parse(phrases[k], year, cal, err, sizeof err);
                if (!d)
                    return 1;
                dues += (long)d->ndue;
                deadline_destroy(&d);
            }
            parsed += (long)NPHRASES;
        }
        elapsed = bench_now_s() - start;
    }
    double per_s = (double)parsed / elapsed;

    long folded = 0;
    double fold_start = bench_now_s(), fold_elapsed = 0;
    while (fold_elapsed < seconds / 3) {
        for (int round = 0; round < 50; round++) {
            for (size_t k = 0; k < NPHRASES; k++) {
                free(text_fold(phrases[k]));
                folded++;
            }
        }
        fold_elapsed = bench_now_s() - fold_start;
    }
    double fold_per_s = (double)folded / fold_elapsed;

    printf("%zu real phrases (%zu unparsed), %zu due dates per round, plan years 2023-2026\n",
           NPHRASES, unparsed, due_per_round);
    printf("parsed and scheduled %ld phrases in %.2f s: %.0f phrases/s, %.2f us each, "
           "%.0f due dates/s\n",
           parsed, elapsed, per_s, 1e6 / per_s, (double)dues / elapsed);
    printf("baseline text_fold of the whole phrase: %.0f phrases/s (%.2f us each)\n", fold_per_s,
           1e6 / fold_per_s);
    printf("{\"phrases_per_s\": %.0f, \"us_per_phrase\": %.3f, \"due_dates_per_s\": %.0f, "
           "\"phrases\": %zu, \"seconds\": %.2f, \"text_fold_per_s\": %.0f}\n",
           per_s, 1e6 / per_s, (double)dues / elapsed, NPHRASES, elapsed, fold_per_s);
    workcal_destroy(&cal);
    return unparsed ? 1 : 0;
}
