/* test_plan_table.c - unit tests for reading plan tables (services/plans)
 *
 * First the real thing: seed 002 (tests/fixtures/plans/seed002.txt, a copy
 * of ../shared/seeds/002_*.txt) holds two appendix tables, whose 17 and 16
 * tasks are written out below by hand - group, ordinal, line, title, lead
 * and cooperating cells and their names, requirement, deadline - with the
 * continuation rows merged (task 8's lead across line 237, task I.3's title
 * across line 261) and the HTML of tasks 12 and I.1 made lines. The same
 * tables as CSV (seed002.csv: every pasted line a row, as a sheet opened
 * from the pasted text and saved; seed002_libreoffice.csv: as a sheet made
 * from the Word table, continuations merged, list items as line breaks in
 * quoted cells, a wrapped header cell, CRLF) must give the same tasks.
 * Then each table feature with a small text of its own, malformed input
 * (ragged rows, garbage bytes, files that are not text, no header, a header
 * with no task column) and large inputs (~50 MB generated in /tmp; set
 * PLAN_TEST_LARGE_MB to change the size, e.g. under valgrind).
 */
#include "deadline_json.h"
#include "plan_json.h"
#include "plan_table.h"
#include "workcal.h"

#include "source_tree.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static workcal_t *cal;
static plan_doc_t *doc;
static char err[1024];

/* A path in the source tree (rel is not a literal everywhere). */
static const char *source_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", PARTRACK_SOURCE_DIR, rel);
    return path;
}

static void setup(void)
{
    char e[512] = "";
    cal = workcal_load(SHIPPED_CALENDAR, e, sizeof e);
    cr_assert_not_null(cal, "%s", e);
}

static void teardown(void)
{
    plan_doc_destroy(&doc);
    workcal_destroy(&cal);
}

TestSuite(plan_table, .init = setup, .fini = teardown);

/* Reads len bytes; the result (or NULL) stays in doc until the next read. */
static plan_doc_t *read_bytes(const char *data, size_t len)
{
    plan_doc_destroy(&doc);
    err[0] = '\0';
    doc = plan_table_read("test.txt", data, len, 2024, cal, err, sizeof err);
    return doc;
}

static plan_doc_t *read_text(const char *text)
{
    return read_bytes(text, strlen(text));
}

/* Reads text that must be read; fails the test with the reason if not. */
static plan_doc_t *read_ok(const char *text)
{
    cr_assert_not_null(read_text(text), "not read: %s", err);
    return doc;
}

static char *load_fixture(const char *name, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/plans/%s", name);
    FILE *f = fopen(source_path(rel), "rb");
    cr_assert_not_null(f, "cannot open %s", rel);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    buf[size] = '\0';
    *len = (size_t)size;
    return buf;
}

static plan_doc_t *read_fixture(const char *name)
{
    size_t len;
    char *data = load_fixture(name, &len);
    plan_doc_destroy(&doc);
    doc = plan_table_read(name, data, len, 2024, cal, err, sizeof err);
    free(data);
    cr_assert_not_null(doc, "%s not read: %s", name, err);
    return doc;
}

static const plan_task_t *task_at(size_t table, size_t i)
{
    cr_assert_lt(table, doc->ntables, "no table %zu", table);
    cr_assert_lt(i, doc->tables[table].ntasks, "no task %zu in table %zu", i, table);
    return &doc->tables[table].tasks[i];
}

static bool has_warning(unsigned line, const char *words)
{
    for (size_t i = 0; i < doc->nwarnings; i++)
        if (doc->warnings[i].line == line && strstr(doc->warnings[i].message, words))
            return true;
    return false;
}

static void print_warnings(void)
{
    for (size_t i = 0; doc && i < doc->nwarnings; i++)
        cr_log_info("warning %u: %s", doc->warnings[i].line, doc->warnings[i].message);
}

/* ---- seed 002, by hand ---- */

typedef struct {
    const char *area, *ordinal;
    unsigned line;     /* in seed002.txt */
    const char *title; /* the whole title, or its start followed by "..." */
    const char *lead_text;
    const char *lead[3];
    const char *coop_text; /* NULL: an empty cell */
    const char *coop[3];
    const char *requirement;
    const char *deadline;
    const char *kind; /* of the schedule */
} want_t;

static const char *const title1 =
    "PHỤ LỤC I\n"
    "PHÂN CÔNG CÁC NHIỆM VỤ CẢI THIỆN, NÂNG CAO CHỈ SỐ\n"
    "CẢI CÁCH HÀNH CHÍNH (PAR INDES)\n"
    "(Ban hành kèm theo Kế hoạch số 104 /KH - UBND ngày 28/3/2024 của UBND phường Phú Lãm)";

static const want_t table1[] = {
    {NULL,
     "1",
     228,
     "Triển khai toàn diện các Chương trình, Kế hoạch công tác củ phường. Theo dõi...",
     "Văn phòng UBND phường",
     {"Văn phòng UBND phường"},
     "Các ngành, BP chuyên môn",
     {"Các ngành", "BP chuyên môn"},
     NULL,
     "Tổng hợp hàng tháng",
     "recurring"},
    {NULL,
     "2",
     229,
     "Tìm kiếm các mô hình sáng kiến mới trong công tác CCHC",
     "Văn phòng UBND",
     {"Văn phòng UBND"},
     "Các ngành, BP chuyên môn phường.",
     {"Các ngành", "BP chuyên môn phường"},
     NULL,
     "Tháng 9/2024",
     "once"},
    {NULL,
     "3",
     230,
     "Tổ chức đối thoại với cá nhân, tổ chức về TTHC và giải quyết TTHC",
     "- Bộ phận Tiếp nhận và trả kết quả",
     {"Bộ phận Tiếp nhận và trả kết quả"},
     "- Văn phòng UBND; các BP chuyên môn",
     {"Văn phòng UBND", "các BP chuyên môn"},
     NULL,
     "Quý II, Quý IV/2024",
     "once"},
    {NULL,
     "4",
     231,
     "Duy trì tốt hệ thống Trang thông tin điện tử phường, thường xuyên...",
     "- Bộ phận văn hóa thông tin",
     {"Bộ phận văn hóa thông tin"},
     "- Các ngành, bộ phận thuộc phường",
     {"Các ngành, bộ phận thuộc phường"},
     NULL,
     "Thường xuyên",
     "continuous"},
    {NULL,
     "5",
     232,
     "Tổ chức tự kiểm tra công vụ, tự kiểm tra công tác CCHC",
     "Văn phòng",
     {"Văn phòng"},
     "Các ngành, BP chuyên môn",
     {"Các ngành", "BP chuyên môn"},
     NULL,
     "Quý I, II, III, IV và đột xuất",
     "once"},
    {NULL,
     "6",
     233,
     "Thực hiện nghiêm quy định về trách nhiệm người đứng trong công tác CCHC (Phân công Chủ "
     "tịch UBND phường trực tiếp phụ trách công tác CCHC).",
     "Văn phòng UBND phường tham mưu",
     {"Văn phòng UBND phường tham mưu"},
     NULL,
     {NULL},
     NULL,
     "Thường xuyên",
     "continuous"},
    {NULL,
     "7",
     234,
     "Tổ chức đánh giá sự hài lòng của cá nhân, tổ chức đối với việc giải quyết TTHC của phường",
     "Bộ phận một cửa",
     {"Bộ phận một cửa"},
     "- Các ngành, bộ phận chuyên môn",
     {"Các ngành, bộ phận chuyên môn"},
     NULL,
     "Thường xuyên, Tổng hợp kết quả vào tháng 6/2024, thường xuyên",
     "continuous"},
    /* the lead continues on line 237, after a blank line */
    {NULL,
     "8",
     235,
     "Thực hiện đánh giá sự hài lòng của cá nhân, tổ chức đối với dự phục vụ của UBND phường",
     "-Văn phòng UBND phường; Bộ phận Tiếp nhận và trả kết quả",
     {"Văn phòng UBND phường", "Bộ phận Tiếp nhận và trả kết quả"},
     "- Các ngành, bộ phận chuyên môn",
     {"Các ngành, bộ phận chuyên môn"},
     NULL,
     "Thường xuyên",
     "continuous"},
    {NULL,
     "9",
     238,
     "Thực hiện chấm điểm công tác CCHC phường",
     "Văn phòng",
     {"Văn phòng"},
     "Một cửa và các BPCM",
     {"Một cửa và các BPCM"},
     NULL,
     "Tháng 10/2024",
     "once"},
    {NULL,
     "10",
     239,
     "Tự kiểm tra công tác Kiểm soát TTHC và báo cáo công tác Kiểm soát TTHC trên trang "
     "Baocaochinhphu",
     "Văn phòng",
     {"Văn phòng"},
     "Các ngành, bộ phận có liên quan.",
     {"Các ngành, bộ phận có liên quan"},
     NULL,
     "Thường xuyên; Theo quý.",
     "recurring"},
    {NULL,
     "11",
     240,
     "Thực hiện giải quyết TTHC theo quy trình, thời gian quy định; đảm bảo tỉ lệ giải quyết hồ "
     "sơ TTHC đúng và trước hạn 100%",
     "Bộ phận TN&TKQ",
     {"Bộ phận TN&TKQ"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     NULL,
     "Hàng tháng",
     "recurring"},
    /* <ul style=...> with dash items: the items become lines */
    {NULL,
     "12",
     241,
     "Thực hiện các giải pháp nâng cao tỉ lệ hồ sơ DVC trực tuyến mức 3,4; dịch vụ BCCI\n"
     "- Tỷ lệ DVC TT mức 3: 50%\n"
     "- Tỷ lệ DVC TT mức 4: 10%\n"
     "- Tiếp nhận và trả qua BCCI: 5-10%",
     "Bộ phận TN&TKQ",
     {"Bộ phận TN&TKQ"},
     "Giao CC tiếp nhận hồ sơ và TKQ hướng dẫn công dân tự thực hiện và giúp đỡ công dân thực "
     "hiện đối với các TTHC thuộc lĩnh vực được giao tiếp nhận",
     {"Giao CC tiếp nhận hồ sơ và TKQ hướng dẫn công dân tự thực hiện và giúp đỡ công dân thực "
      "hiện đối với các TTHC thuộc lĩnh vực được giao tiếp nhận"},
     NULL,
     "Thường xuyên",
     "continuous"},
    {NULL,
     "13",
     242,
     "Tham gia các lớp bồi dưỡng cho cán bộ, công chức phường do quận tổ chức",
     "Văn phòng UBND phường lập danh sách",
     {"Văn phòng UBND phường lập danh sách"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     NULL,
     "Thường xuyên theo Giấy mời của quận",
     "continuous"},
    {NULL,
     "14",
     243,
     "Thực hiện chấm điểm trên phần mềm dgcbcc.hanoi.gov.vn của Thành phố...",
     "Văn phòng UBND phường",
     {"Văn phòng UBND phường"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     NULL,
     "Hàng tháng",
     "recurring"},
    {NULL,
     "15",
     244,
     "Tham gia các cuộc họp trực tuyến do Thành phố và quận tổ chức",
     "Văn phòng UBND phường",
     {"Văn phòng UBND phường"},
     "Các ngành, bộ phận chuyên môn., các TDP",
     {"Các ngành, bộ phận chuyên môn., các TDP"},
     NULL,
     "Thường xuyên",
     "continuous"},
    {NULL,
     "16",
     245,
     "Duy trì Hệ thống quản lý chất lượng theo tiêu chuẩn ISO 9001:2015;...",
     "VP; Một cửa",
     {"VP", "Một cửa"},
     "Các ngành, BP Chuyên môn",
     {"Các ngành", "BP Chuyên môn"},
     NULL,
     "Thường xuyên",
     "continuous"},
    {NULL,
     "17",
     246,
     "Thực hiện Kế hoạch chuyển đổi số, ứng dụng CNTT; Đề án 06...",
     "Văn hoá tin, Công an phường",
     {"Văn hoá tin", "Công an phường"},
     "Các ngành, bộ phận chuyên môn",
     {"Các ngành, bộ phận chuyên môn"},
     NULL,
     "Thường xuyên",
     "continuous"},
};

static const char *const title2 =
    "PHỤ LỤC II\n"
    "PHÂN CÔNG CÁC NHIỆM VỤ CẢI THIỆN,\n"
    "NÂNG CAO CHỈ SỐ HÀI LÒNG (SIPAS)\n"
    "(Ban hành kèm theo Kế hoạch số 104 /KH - UBND ngày 28 /3/2024 của\n"
    "UBND phường Phú Lãm)";

static const struct {
    const char *ordinal, *title;
    unsigned line;
} areas2[] = {
    {"I", "Tiêu chí: Tiếp cận dịch vụ", 256},
    {"II", "Tiêu chí: Thủ tục hành chính", 262},
    {"III", "Tiêu chí: Công chức giải quyết TTHC", 266},
    {"IV", "Tiêu chí: Kết quả giải quyết TTHC", 271},
    {"V", "Tiêu chí: Tiếp nhận, xử lý các góp ý, phản ánh, kiến nghị", 276},
};

#define LEAD_VP_TNTKQ                                                                              \
    "-Văn phòng UBND phường; Bộ phận Tiếp nhận và trả kết quả",                                    \
    {                                                                                              \
        "Văn phòng UBND phường", "Bộ phận Tiếp nhận và trả kết quả"                 \
    }

static const want_t table2[] = {
    /* <p> paragraphs: each a line */
    {"I",
     "1",
     257,
     "- Trang trí biển hiệu, khẩu hiệu tại bộ phận Một cửa theo nghi thức trang trọng, hợp lý "
     "theo Bộ nhận diện thương hiệu của Thành phố Hà Nội. Bố trí đủ ghế ngồi, bàn viết hồ sơ, máy "
     "tính có kết nối Internet, máy Scan phục vụ người dân, tổ chức đến giao dịch, thực hiện DVC "
     "TT.\n"
     "- Niêm yết công khai thông tin cơ quan, đơn vị tiếp nhận giải quyết TTHC tại Trụ sở cơ "
     "quan, trang Thông tin điện tử phường.\n"
     "- Mở rộng các hình thức công khai: Đài truyền thanh, Bảng tin nhà văn hóa Tổ dân phố",
     "- Bộ phận Tiếp nhận và trả kết quả.",
     {"Bộ phận Tiếp nhận và trả kết quả"},
     "- Văn phòng UBND phường; Bộ phận Văn hóa thông tin",
     {"Văn phòng UBND phường", "Bộ phận Văn hóa thông tin"},
     "- Niêm yết thường xuyên, kịp thời. - Tối thiểu 02 lần/năm có các hình thức công khai mở "
     "rộng phù hợp.",
     "Năm 2024 và duy trì Thường xuyên",
     "once"},
    {"I",
     "2",
     258,
     "Đảm bảo một số trang thiết bị phụ trợ, nước ống, quạt máy, điều hòa, cây xanh phục vụ công "
     "dân đến giao dịch.",
     "- Bộ phận Tiếp nhận và trả kết quả",
     {"Bộ phận Tiếp nhận và trả kết quả"},
     "- Văn phòng UBND phường; Bộ phận tài chính;",
     {"Văn phòng UBND phường", "Bộ phận tài chính"},
     "Trang thiết bị phục vụ đầy đủ, dễ sử dụng Tạo không gian gần gũi, thân thiện",
     "Năm 2024 và Thường xuyên",
     "once"},
    /* the title continues on line 261, after a blank line */
    {"I",
     "3",
     259,
     "Công khai tại BP Một cửa thời gian làm việc của Cán bộ, công chức và nội dung: Quyết định "
     "công bố TTHC; hướng dẫn thực hiện PAKN; thông tin đường dây nóng; Số điện thoại của Trưởng "
     "bộ phận và công chức làm việc tại Một cửa; danh sách họ tên, chức danh, lĩnh vực lĩnh vực "
     "được giao tiếp nhận, trả kết quả của CC Một cửa",
     "Bộ phận một cửa - Bộ phận văn hóa thông tin",
     {"Bộ phận một cửa", "Bộ phận văn hóa thông tin"},
     "- Các ngành, bộ phận thuộc phường",
     {"Các ngành, bộ phận thuộc phường"},
     "Công khai đầy đủ ở vị trí thuận tiện, dễ quan sát.",
     "Năm 2024 và duy trì Thường xuyên",
     "once"},
    {"II",
     "1",
     263,
     "Niên yết công khai TTHC thuộc thẩm quyền tiếp nhận, giải quyết tại: - Bộ phận Một cửa; - "
     "Trang thông tin điện tử phường.",
     LEAD_VP_TNTKQ,
     "- Các ngành, bộ phận chuyên môn",
     {"Các ngành, bộ phận chuyên môn"},
     "Đúng, đủ, kịp thời, thường xuyên, dễ tra cứu",
     "Ngay sau khi có Quyết định công bố TTHC của Thành phố",
     "event"},
    {"II",
     "2",
     264,
     "Rà soát, bổ sung các mẫu Tờ khai, hồ sơ mẫu của các TTHC tại bản viết hồ sơ của công dân",
     LEAD_VP_TNTKQ,
     "- Các ngành, bộ phận chuyên môn",
     {"Các ngành, bộ phận chuyên môn"},
     "Không phát sinh thành phần hồ sơ không có trong quy định",
     "Thường xuyên",
     "continuous"},
    {"II",
     "3",
     265,
     "Bổ trí công chức hướng dẫn, hỗ trợ người dân thực hiện DVC trực tuyến mức 3,4 tại Một cửa",
     "Văn phòng; BP Một cửa",
     {"Văn phòng", "BP Một cửa"},
     "BP chuyên môn",
     {"BP chuyên môn"},
     "Bổ trí ít nhất 1 ngày/ tuần",
     "Thường xuyên.",
     "continuous"},
    {"III",
     "1",
     267,
     "Thực hiện kiện toàn Bộ phận nhân sự làm việc tại Bộ phận Một cửa theo...",
     "Văn phòng, Một cửa",
     {"Văn phòng", "Một cửa"},
     "Các bộ phận chuyên môn",
     {"Các bộ phận chuyên môn"},
     "Đảm bảo tiêu chuẩn theo quy định",
     "Thường xuyên",
     "continuous"},
    {"III",
     "2",
     268,
     "Tham gia lớp bồi dưỡng kiến thức, kỹ năng đối với toàn thể cán bộ, công chức làm việc tại "
     "Bộ phận Một cửa phường.",
     "Bộ phận Tiếp nhận và trả kết quả",
     {"Bộ phận Tiếp nhận và trả kết quả"},
     "Các ngành, bộ phận có liên quan.",
     {"Các ngành, bộ phận có liên quan"},
     "Đúng thành phần",
     "Khi được quận tổ chức",
     "event"},
    {"III",
     "3",
     269,
     "Tổ chức tự kiểm tra công vụ tại phường",
     "Văn phòng UBND phường",
     {"Văn phòng UBND phường"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     "Kiểm tra đột xuất hàng quý",
     "Thường xuyên theo từng quý",
     "recurring"},
    {"III",
     "4",
     270,
     "Thực hiện nghiêm quy định về trang phục, đeo thẻ, tác phong làm việc,...",
     "Văn phòng, Một cửa",
     {"Văn phòng", "Một cửa"},
     "Các bộ phận chuyên môn",
     {"Các bộ phận chuyên môn"},
     "Trang phục gọn gàng, lịch sự; Tác phong nhanh nhẹn, chuyên nghiệp; thái độ giao tiếp niềm "
     "nở, thân thiện.",
     "Thường xuyên",
     "continuous"},
    {"IV",
     "1",
     273,
     "Báo cáo kết quả thực hiện các nhiệm vụ cải thiện chỉ số SIPAS",
     "Văn phòng UBND phường",
     {"Văn phòng UBND phường"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     "Theo mẫu báo cáo hàng tháng của Sở Nội vụ ban hành",
     "Mùng 5 hàng tháng, Hàng quý, lồng ghép trong báo cáo CCHC",
     "recurring"},
    {"IV",
     "2",
     274,
     "Thực hiện giải quyết TTHC đảm bảo quy trình, thời gian quy định.",
     "Bộ phận tiếp nhận và trả kết quả",
     {"Bộ phận tiếp nhận và trả kết quả"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     "100% TTHC giải quyết đúng hạn",
     "Thường xuyên",
     "continuous"},
    {"IV",
     "3",
     275,
     "Tổ chức đánh giá chất lượng giải quyết TTHC theo Quyết định 5432/QĐ-UBND ngày 30/12/2021 "
     "của UBND TP Hà Nội",
     "Bộ phận tiếp nhận và trả kết quả",
     {"Bộ phận tiếp nhận và trả kết quả"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     "Theo quy định tại Nghị định 61/2018/NĐ-CP của Chính phủ và theo hướng dẫn của Thành phố",
     "Tháng 10/2024",
     "once"},
    {"V",
     "1",
     277,
     "Tiếp nhận, giải đáp xử lý kịp thời những phản ánh, kiến nghị của tổ chức,...",
     "Bộ phận tiếp nhận và trả kết quả; văn phòng UBND phường",
     {"Bộ phận tiếp nhận và trả kết quả", "văn phòng UBND phường"},
     "Các ngành, BP chuyên môn phường",
     {"Các ngành", "BP chuyên môn phường"},
     "Công văn, Báo cáo",
     "Thường xuyên (nếu có)",
     "continuous"},
    {"V",
     "2",
     278,
     "Định kỳ hàng tháng, báo cáo kết quả tự khảo sát sự hài lòng của cá nhân,...",
     "Bộ phận tiếp nhận và trả kết quả; Bộ phận Tư pháp",
     {"Bộ phận tiếp nhận và trả kết quả", "Bộ phận Tư pháp"},
     "Các ngành, bộ phận chuyên môn.",
     {"Các ngành, bộ phận chuyên môn"},
     "Báo cáo, Biên bản",
     "Hàng tháng",
     "recurring"},
    {"V",
     "3",
     279,
     "Duy trì chuyên mục \" Hỏi và đáp \" trên trang thông tin điện tử phường...",
     "Bộ phận Văn hóa thông tin",
     {"Bộ phận Văn hóa thông tin"},
     "Bộ phận tiếp nhận và trả kết quả",
     {"Bộ phận tiếp nhận và trả kết quả"},
     NULL,
     "Thường Xuyên",
     "continuous"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void expect_str(const char *got, const char *want, const char *what, const want_t *w)
{
    if (!want) {
        cr_expect_null(got, "task %s/%s line %u: %s should be empty, is \"%s\"",
                       w->area ? w->area : "-", w->ordinal, w->line, what, got ? got : "");
        return;
    }
    cr_assert_not_null(got, "task %s/%s line %u: %s missing", w->area ? w->area : "-", w->ordinal,
                       w->line, what);
    size_t n = strlen(want);
    if (n > 3 && strcmp(want + n - 3, "...") == 0)
        cr_expect(strncmp(got, want, n - 3) == 0, "task %s/%s: %s \"%s\" does not start \"%.*s\"",
                  w->area ? w->area : "-", w->ordinal, what, got, (int)(n - 3), want);
    else
        cr_expect_str_eq(got, want, "task %s/%s line %u: %s", w->area ? w->area : "-", w->ordinal,
                         w->line, what);
}

static void expect_names(char *const *got, size_t n, const char *const *want, const char *what,
                         const want_t *w)
{
    size_t count = 0;
    while (count < 3 && want[count])
        count++;
    cr_expect_eq(n, count, "task %s/%s: %zu %s names, want %zu", w->area ? w->area : "-",
                 w->ordinal, n, what, count);
    for (size_t i = 0; i < n && i < count; i++)
        cr_expect_str_eq(got[i], want[i], "task %s/%s: %s name %zu", w->area ? w->area : "-",
                         w->ordinal, what, i);
}

/* Checks table t of doc against the tasks written above; line numbers are
 * the seed's plus line_offset, or not checked when check_lines is false. */
static void expect_table(size_t t, const want_t *want, size_t n, int line_offset, bool check_lines)
{
    cr_assert_lt(t, doc->ntables);
    const plan_table_t *table = &doc->tables[t];
    cr_assert_eq(table->ntasks, n, "table %zu: %zu tasks, want %zu", t, table->ntasks, n);
    for (size_t i = 0; i < n; i++) {
        const plan_task_t *got = &table->tasks[i];
        const want_t *w = &want[i];
        expect_str(got->area, w->area, "area", w);
        expect_str(got->ordinal, w->ordinal, "ordinal", w);
        if (check_lines)
            cr_expect_eq(got->line, (unsigned)((int)w->line + line_offset), "task %s/%s: line %u",
                         w->area ? w->area : "-", w->ordinal, got->line);
        expect_str(got->title, w->title, "title", w);
        expect_str(got->lead_text, w->lead_text, "lead_text", w);
        expect_names(got->lead, got->nlead, w->lead, "lead", w);
        expect_str(got->cooperating_text, w->coop_text, "cooperating_text", w);
        expect_names(got->cooperating, got->ncooperating, w->coop, "cooperating", w);
        expect_str(got->requirement, w->requirement, "requirement", w);
        expect_str(got->deadline_text, w->deadline, "deadline_text", w);
        expect_str(got->product, NULL, "product", w);
        expect_str(got->source, NULL, "source", w);
        cr_expect_eq(got->nextra, 0, "task %s/%s: no extra fields", w->area ? w->area : "-",
                     w->ordinal);
        cr_assert_not_null(got->schedule);
        cr_expect_not(got->schedule->unparsed, "task %s/%s: deadline \"%s\" unparsed",
                      w->area ? w->area : "-", w->ordinal, w->deadline);
        cr_expect_str_eq(deadline_kind_name(got->schedule->kind), w->kind,
                         "task %s/%s: schedule kind", w->area ? w->area : "-", w->ordinal);
    }
}

static void expect_seed_tables(int offset1, int offset2, bool check_lines)
{
    cr_assert_eq(doc->ntables, 2, "two appendix tables, got %zu", doc->ntables);
    cr_expect_str_eq(doc->tables[0].title, title1);
    cr_expect_eq(doc->tables[0].nareas, 0, "table 1 has no group rows");
    expect_table(0, table1, COUNT(table1), offset1, check_lines);

    cr_expect_str_eq(doc->tables[1].title, title2);
    cr_assert_eq(doc->tables[1].nareas, COUNT(areas2));
    for (size_t i = 0; i < COUNT(areas2); i++) {
        cr_expect_str_eq(doc->tables[1].areas[i].ordinal, areas2[i].ordinal);
        cr_expect_str_eq(doc->tables[1].areas[i].title, areas2[i].title);
        if (check_lines)
            cr_expect_eq(doc->tables[1].areas[i].line, (unsigned)((int)areas2[i].line + offset2));
    }
    expect_table(1, table2, COUNT(table2), offset2, check_lines);
}

Test(plan_table, seed_002_exactly)
{
    read_fixture("seed002.txt");
    print_warnings();
    cr_expect_eq(doc->delimiter, '\t');
    expect_seed_tables(0, 0, true);
    cr_expect_eq(doc->tables[0].line, 227);
    cr_expect_eq(doc->tables[1].line, 255);
    /* The score table at line 47 (TT, Nội dung, Điểm...) is no task table. */
    cr_expect_eq(doc->nwarnings, 1);
    cr_expect(has_warning(47, "not a task table"));
    /* Schedules are read for the plan year on the calendar. */
    const deadline_t *d = task_at(0, 2)->schedule; /* Quý II, Quý IV/2024 */
    cr_assert_eq(d->ndue, 2);
    char iso[11];
    date_format_iso(d->due[0].effective, iso);
    cr_expect_str_eq(iso, "2024-07-01", "30/6/2024 is a Sunday");
    cr_expect(task_at(0, 4)->schedule->adhoc, "Quý I, II, III, IV và đột xuất");
    cr_expect(task_at(1, 0)->schedule->continuous, "Năm 2024 và duy trì Thường xuyên");
}

Test(plan_table, seed_002_as_csv)
{
    /* seed002.csv starts at the seed's line 221. */
    read_fixture("seed002.csv");
    print_warnings();
    cr_expect_eq(doc->delimiter, ',');
    expect_seed_tables(-220, -220, true);
    cr_expect_eq(doc->nwarnings, 0);
}

Test(plan_table, seed_002_as_libreoffice_csv)
{
    read_fixture("seed002_libreoffice.csv");
    print_warnings();
    cr_expect_eq(doc->delimiter, ',');
    expect_seed_tables(0, 0, false);
    cr_expect_eq(doc->nwarnings, 0);
    /* Lines count the line breaks inside quoted cells. */
    cr_expect_eq(task_at(0, 0)->line, 8);
    cr_expect_eq(task_at(0, 12)->line, 23, "task 13, after the 4-line cell of task 12");
}

Test(plan_table, seed_002_json)
{
    read_fixture("seed002.txt");
    json_t *j = plan_doc_to_json(doc, "seed002.txt", 2024);
    cr_assert_not_null(j);
    cr_expect_eq(json_integer_value(json_object_get(j, "tasks")), 33);
    cr_expect_str_eq(json_string_value(json_object_get(j, "format")), "tsv");
    json_t *tables = json_object_get(j, "tables");
    cr_assert_eq(json_array_size(tables), 2);
    json_t *t2 = json_array_get(tables, 1);
    cr_expect_str_eq(json_string_value(json_object_get(t2, "title")), title2);
    json_t *area = json_array_get(json_object_get(t2, "areas"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(area, "ordinal")), "I");
    json_t *task = json_array_get(json_object_get(t2, "tasks"), 3); /* II.1 */
    cr_expect_str_eq(json_string_value(json_object_get(task, "area")), "II");
    cr_expect_str_eq(json_string_value(json_object_get(task, "ordinal")), "1");
    cr_expect_eq(json_integer_value(json_object_get(task, "line")), 263);
    cr_expect_eq(json_array_size(json_object_get(task, "lead")), 2);
    cr_expect(json_is_null(json_object_get(task, "product")));
    cr_expect(json_is_object(json_object_get(task, "extra")));
    /* schedule is exactly what `deadline explain --json` prints */
    char e[256];
    deadline_t *d = deadline_parse("Ngay sau khi có Quyết định công bố TTHC của Thành phố", 2024,
                                   cal, e, sizeof e);
    cr_assert_not_null(d);
    json_t *want = deadline_to_json(d);
    cr_expect(json_equal(json_object_get(task, "schedule"), want));
    json_decref(want);
    deadline_destroy(&d);
    json_t *t1task = json_array_get(json_object_get(json_array_get(tables, 0), "tasks"), 0);
    cr_expect(json_is_null(json_object_get(t1task, "area")));
    json_t *w = json_array_get(json_object_get(j, "warnings"), 0);
    cr_expect_eq(json_integer_value(json_object_get(w, "line")), 47);
    cr_expect(json_is_string(json_object_get(w, "message")));
    json_decref(j);
}

/* ---- features, one small table each ---- */

#define HEADER4 "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"

Test(plan_table, repeated_header_and_continuation_across_it)
{
    read_ok("PHỤ LỤC\n" HEADER4 "1\tXây dựng Kế hoạch theo Kế hoạch số 313/KH-\tPhòng Nội vụ\tQuý "
            "II/2024\n"
            "- 2 -\n" HEADER4 "\tUBND của quận\t\t\n"
            "2\tTổ chức kiểm tra\tBộ phận Tiếp nhận và trả\tTháng 6\n"
            "Trang 3\n" HEADER4 "\t\tkết quả\t\n");
    print_warnings();
    cr_assert_eq(doc->ntables, 1, "the repeated header is a page break, not a table");
    cr_assert_eq(doc->tables[0].ntasks, 2);
    cr_expect_str_eq(task_at(0, 0)->title,
                     "Xây dựng Kế hoạch theo Kế hoạch số 313/KH-UBND của quận",
                     "a word cut at '-' joins without a space");
    cr_expect_str_eq(task_at(0, 1)->lead_text, "Bộ phận Tiếp nhận và trả kết quả");
    cr_expect_eq(task_at(0, 1)->line, 7);
    cr_expect_eq(doc->nwarnings, 0, "page numbers are furniture");
    cr_expect_str_eq(doc->tables[0].title, "PHỤ LỤC");
}

Test(plan_table, running_heads_at_a_page_break)
{
    read_ok("PHỤ LỤC I\n" HEADER4 "1\tA\tVăn phòng\tQuý I\n"
            "Kế hoạch CCHC năm 2024\n"
            "PHỤ LỤC I (tiếp theo)\n" HEADER4 "\tcòn tiếp\t\t\n"
            "2\tB\tVăn phòng\tQuý II\n"
            "\n"
            "PHỤ LỤC II\n" HEADER4 "1\tC\tVăn phòng\tQuý III\n");
    print_warnings();
    cr_assert_eq(doc->ntables, 2, "the same header after a new PHỤ LỤC is a new table");
    cr_assert_eq(doc->tables[0].ntasks, 2);
    cr_expect_str_eq(task_at(0, 0)->title, "A còn tiếp");
    cr_expect_str_eq(doc->tables[1].title, "PHỤ LỤC II");
    cr_expect(has_warning(4, "ignored"), "the running foot is reported");
    cr_expect(has_warning(5, "ignored"), "the running head is reported");
    cr_expect_eq(doc->nwarnings, 2);
}

Test(plan_table, word_joins)
{
    read_ok(HEADER4 "1\tTheo Quyết định 5432/\tVăn phòng\tQuý I\n"
                    "\tQĐ-UBND và\t\t\n"
                    "\tcác văn bản\t\t\n"
                    "2\tBáo cáo\tPhòng\tQuý II\n"
                    "\t- mục một\tNội vụ\t\n");
    cr_expect_str_eq(task_at(0, 0)->title, "Theo Quyết định 5432/QĐ-UBND và các văn bản");
    cr_expect_str_eq(task_at(0, 1)->title, "Báo cáo\n- mục một", "a bullet starts a line");
    cr_expect_str_eq(task_at(0, 1)->lead_text, "Phòng Nội vụ");
}

Test(plan_table, roman_group_rows)
{
    read_ok("STT\tNội dung công việc\tCơ quan chủ trì\tThời hạn\n"
            "I\tCông tác chỉ đạo điều hành\t\t\n"
            "1\tNhiệm vụ A\tPhòng Nội vụ\tQuý I\n"
            "II Lĩnh vực cải cách thể chế\t\t\t\n"
            "1.\tNhiệm vụ B\tPhòng Tư pháp\tQuý II\n"
            "III.\t\t\t\n"
            "\tTiêu chí: Công khai\t\t\n"
            "2\tNhiệm vụ C\tVăn phòng\tQuý III\n"
            "IV. CẢI CÁCH THỦ TỤC HÀNH CHÍNH\n"
            "1\tNhiệm vụ D\tVăn phòng\tQuý IV\n");
    print_warnings();
    const plan_table_t *t = &doc->tables[0];
    cr_assert_eq(t->nareas, 4);
    cr_expect_str_eq(t->areas[0].ordinal, "I");
    cr_expect_str_eq(t->areas[0].title, "Công tác chỉ đạo điều hành");
    cr_expect_str_eq(t->areas[1].ordinal, "II");
    cr_expect_str_eq(t->areas[1].title, "Lĩnh vực cải cách thể chế", "title in the same cell");
    cr_expect_str_eq(t->areas[2].ordinal, "III");
    cr_expect_str_eq(t->areas[2].title, "Tiêu chí: Công khai", "title on the next row");
    cr_expect_str_eq(t->areas[3].ordinal, "IV");
    cr_expect_str_eq(t->areas[3].title, "CẢI CÁCH THỦ TỤC HÀNH CHÍNH",
                     "a row merged across the table, pasted without tabs");
    cr_expect_eq(t->areas[3].line, 9);
    cr_assert_eq(t->ntasks, 4);
    const char *want_areas[] = {"I", "II", "III", "IV"};
    for (size_t i = 0; i < 4; i++)
        cr_expect_str_eq(t->tasks[i].area, want_areas[i]);
    cr_expect_str_eq(t->tasks[1].ordinal, "1", "\"1.\" is ordinal 1");
    cr_expect_eq(doc->nwarnings, 0);
}

Test(plan_table, criterion_rows_without_ordinal)
{
    read_ok(HEADER4 "\tTiêu chí: Tiếp cận dịch vụ\t\t\n"
                    "1\tTrang trí\tBộ phận Một cửa\tQuý I\n"
                    "\tTiêu chí: Thủ tục hành chính\t\t\n"
                    "1\tNiêm yết\tVăn phòng\tThường xuyên\n"
                    "\tcông khai\t\t\n");
    const plan_table_t *t = &doc->tables[0];
    cr_assert_eq(t->nareas, 2);
    cr_expect_str_eq(t->areas[0].ordinal, "I", "numbered by position");
    cr_expect_str_eq(t->areas[1].ordinal, "II");
    cr_expect_str_eq(t->areas[1].title, "Tiêu chí: Thủ tục hành chính");
    cr_assert_eq(t->ntasks, 2);
    cr_expect_str_eq(t->tasks[1].area, "II");
    cr_expect_str_eq(t->tasks[1].title, "Niêm yết công khai");
}

Test(plan_table, ordinals)
{
    read_ok(HEADER4 "1\tA\tVăn phòng\tQuý I\n"
                    "2.\tB\tVăn phòng\tQuý I\n"
                    "3)\tC\tVăn phòng\tQuý I\n"
                    "II.4\tD\tVăn phòng\tQuý I\n"
                    "5 Nhiệm vụ E\t\tVăn phòng\tQuý I\n");
    const char *want[] = {"1", "2", "3", "II.4", "5"};
    cr_assert_eq(doc->tables[0].ntasks, 5);
    for (size_t i = 0; i < 5; i++)
        cr_expect_str_eq(task_at(0, i)->ordinal, want[i]);
    cr_expect_str_eq(task_at(0, 4)->title, "Nhiệm vụ E", "ordinal and title in one cell");
}

Test(plan_table, numbered_groups)
{
    read_ok(HEADER4 "1\tCông tác chỉ đạo điều hành\t\t\n"
                    "1.1\tBan hành kế hoạch\tVăn phòng\tQuý I\n"
                    "1.2\tKiểm tra\tVăn phòng\tQuý II\n"
                    "2\tCải cách thể chế\t\t\n"
                    "2.1\tRà soát văn bản\tPhòng Tư pháp\tQuý III\n"
                    "3\tMột nhiệm vụ không có hạn\tVăn phòng\t\n");
    const plan_table_t *t = &doc->tables[0];
    cr_assert_eq(t->nareas, 2, "\"1\" with only a title, then \"1.1\": a group");
    cr_expect_str_eq(t->areas[0].ordinal, "1");
    cr_expect_str_eq(t->areas[1].title, "Cải cách thể chế");
    cr_expect_eq(t->areas[1].line, 5);
    cr_assert_eq(t->ntasks, 4);
    cr_expect_str_eq(t->tasks[1].area, "1");
    cr_expect_str_eq(t->tasks[2].area, "2");
    cr_expect_str_eq(t->tasks[3].ordinal, "3");
    cr_expect_null(t->tasks[3].deadline_text);
    cr_expect_null(t->tasks[3].schedule);
}

Test(plan_table, html_in_cells)
{
    read_ok(HEADER4 "1\t<p>Cải cách</p><ul><li>Mục một</li><li>Mục &amp; hai &lt;3&gt;</li></ul>"
                    "\tPhòng Nội vụ<br>Phòng TC-KH\t<b>Quý</b> II\n"
                    "2\tTỷ lệ < 5% và a<b\tVăn phòng\tQuý III\n");
    cr_expect_str_eq(task_at(0, 0)->title, "Cải cách\nMục một\nMục & hai <3>");
    cr_expect_str_eq(task_at(0, 0)->lead_text, "Phòng Nội vụ\nPhòng TC-KH");
    cr_assert_eq(task_at(0, 0)->nlead, 2, "a line break separates names");
    cr_expect_str_eq(task_at(0, 0)->deadline_text, "Quý II");
    cr_expect_str_eq(task_at(0, 1)->title, "Tỷ lệ < 5% và a<b", "not tags");
}

Test(plan_table, blank_lines)
{
    read_ok("\n\n" HEADER4 "\n1\tA\tVăn phòng\tQuý I\n\t\t\t\n\n\tcòn tiếp\t\t\n \t \t\t \n"
            "2\tB\tVăn phòng\tQuý II\n\n");
    cr_assert_eq(doc->tables[0].ntasks, 2);
    cr_expect_str_eq(task_at(0, 0)->title, "A còn tiếp");
    cr_expect_eq(task_at(0, 1)->line, 10);
    cr_expect_eq(doc->nwarnings, 0);
}

Test(plan_table, several_tables_with_titles)
{
    read_ok("Kế hoạch số 10/KH-UBND\n"
            "Nội dung kế hoạch, nhiều dòng.\n"
            "\n"
            "**PHỤ LỤC I**\n"
            "BẢNG PHÂN CÔNG NHIỆM VỤ\n"
            "\n" HEADER4 "1\tA\tVăn phòng\tQuý I\n"
            "\n"
            "Ghi chú: bảng thứ hai\n"
            "\n"
            "DANH MỤC NHIỆM VỤ TRỌNG TÂM\n"
            "\n"
            "(Kèm theo Kế hoạch số 10/KH-UBND)\n"
            "\n"
            "TT\tTên nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn\n"
            "1\tB\tVăn phòng\tPhòng Nội vụ\tQuý II\n"
            "2\tC\tVăn phòng\t\tQuý III\n"
            "\n"
            "Nơi nhận:\n"
            "- Lưu VT.\n");
    print_warnings();
    cr_assert_eq(doc->ntables, 2);
    cr_expect_str_eq(doc->tables[0].title, "PHỤ LỤC I\nBẢNG PHÂN CÔNG NHIỆM VỤ");
    cr_expect_eq(doc->tables[0].line, 7);
    cr_expect_str_eq(doc->tables[1].title,
                     "DANH MỤC NHIỆM VỤ TRỌNG TÂM\n(Kèm theo Kế hoạch số 10/KH-UBND)",
                     "the last block, and the block before a note in brackets");
    cr_expect_eq(doc->tables[0].ntasks, 1);
    cr_expect_eq(doc->tables[1].ntasks, 2);
    cr_expect_str_eq(task_at(1, 0)->cooperating_text, "Phòng Nội vụ");
    cr_expect_eq(doc->nwarnings, 0, "the signature block after the last table is no table row");
}

Test(plan_table, columns_in_another_order)
{
    read_ok(
        "Thời hạn\tĐơn vị phối hợp\tTên nhiệm vụ\tTT\tChủ trì\tSản phẩm/ Kết quả\tNguồn nhiệm vụ\n"
        "Quý II\tPhòng Tư pháp\tRà soát văn bản\t1\tVăn phòng\tBáo cáo\tKH 313\n"
        "\t\tquy phạm pháp luật\t\t\t\t/KH-UBND\n");
    const plan_task_t *t = task_at(0, 0);
    cr_expect_str_eq(t->ordinal, "1");
    cr_expect_str_eq(t->title, "Rà soát văn bản quy phạm pháp luật");
    cr_expect_str_eq(t->lead_text, "Văn phòng");
    cr_expect_str_eq(t->cooperating_text, "Phòng Tư pháp");
    cr_expect_str_eq(t->deadline_text, "Quý II");
    cr_expect_str_eq(t->product, "Báo cáo");
    cr_expect_str_eq(t->source, "KH 313 /KH-UBND");
}

Test(plan_table, header_synonyms)
{
    static const char *const headers[] = {
        "STT\tNhiệm vụ\tĐơn vị chủ trì\tĐơn vị phối hợp\tSản phẩm\tThời gian hoàn thành\tNguồn "
        "nhiệm vụ\tYêu cầu\n",
        "TT\tNội dung công việc\tCơ quan chủ trì\tCơ quan phối hợp\tSản phẩm/ Kết quả\tThời "
        "gian\tNguồn nhiệm vụ\tYêu cầu\n",
        "tt\tTên nhiệm vụ\tChủ trì\tPhối hợp\tKết quả\tThời gian trình/ thực hiện trong năm "
        "2024\tNguồn nhiệm vụ\tYêu cầu\n",
        "Stt\tNội dung\tChủ trì\tPhối hợp\tKết quả\tThời hạn\tNguồn nhiệm vụ\tYêu cầu\n",
        "STT\tNHIỆM VỤ\tĐƠN VỊ CHỦ TRÌ\tĐƠN VỊ PHỐI HỢP\tSẢN PHẨM\tTHỜI GIAN HOÀN THÀNH\tNGUỒN "
        "NHIỆM VỤ\tYÊU CẦU\n",
    };
    for (size_t h = 0; h < COUNT(headers); h++) {
        char text[1024];
        snprintf(text, sizeof text, "%s1\tT\tL\tC\tP\tQuý II\tS\tR\n", headers[h]);
        read_ok(text);
        const plan_task_t *t = task_at(0, 0);
        cr_expect_str_eq(t->title, "T", "header %zu", h);
        cr_expect_str_eq(t->lead_text, "L", "header %zu", h);
        cr_expect_str_eq(t->cooperating_text, "C", "header %zu", h);
        cr_expect_str_eq(t->product, "P", "header %zu", h);
        cr_expect_str_eq(t->deadline_text, "Quý II", "header %zu", h);
        cr_expect_str_eq(t->source, "S", "header %zu", h);
        cr_expect_str_eq(t->requirement, "R", "header %zu", h);
        cr_expect_eq(t->nextra, 0, "header %zu", h);
    }
}

Test(plan_table, header_continued_on_next_row)
{
    read_ok("STT\tNhiệm vụ\tĐơn vị chủ\tĐơn vị phối\tThời gian\n"
            "\t\ttrì\thợp\thoàn thành\n"
            "(1)\t(2)\t(3)\t(4)\t(5)\n"
            "1\tA\tVăn phòng\tPhòng Nội vụ\tQuý I\n");
    print_warnings();
    const plan_task_t *t = task_at(0, 0);
    cr_expect_str_eq(t->lead_text, "Văn phòng");
    cr_expect_str_eq(t->cooperating_text, "Phòng Nội vụ");
    cr_expect_str_eq(t->deadline_text, "Quý I");
    cr_expect_eq(doc->tables[0].ntasks, 1, "the column-number row is no task");
    cr_expect_eq(doc->nwarnings, 0);
}

Test(plan_table, unknown_columns_kept_as_extra)
{
    read_ok("STT\tNhiệm vụ\tĐơn vị chủ trì\tKinh phí\t\tThời gian hoàn thành\tGhi chú\tGhi chú\n"
            "1\tA\tVăn phòng\t10 triệu\tx\tQuý I\tmột\thai\n"
            "\t\t\tđồng\t\t\tba\t\n");
    const plan_task_t *t = task_at(0, 0);
    cr_assert_eq(t->nextra, 4);
    cr_expect_str_eq(t->extra[0].name, "Kinh phí");
    cr_expect_str_eq(t->extra[0].value, "10 triệu đồng", "continued too");
    cr_expect_str_eq(t->extra[1].name, "column 5", "a column without header");
    cr_expect_str_eq(t->extra[1].value, "x");
    cr_expect_str_eq(t->extra[2].name, "Ghi chú");
    cr_expect_str_eq(t->extra[2].value, "một ba");
    cr_expect_str_eq(t->extra[3].name, "Ghi chú (8)", "names stay unique");
    json_t *j = plan_task_to_json(t);
    cr_assert_not_null(j);
    json_t *extra = json_object_get(j, "extra");
    cr_expect_str_eq(json_string_value(json_object_get(extra, "Kinh phí")), "10 triệu đồng");
    cr_expect_eq(json_object_size(extra), 4);
    json_decref(j);
}

Test(plan_table, header_without_task_column)
{
    cr_expect_null(read_text("Bảng\nSTT\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian hoàn thành\n"
                             "1\tVăn phòng\tPhòng Nội vụ\tQuý I\n"));
    cr_expect(strstr(err, "test.txt:2:") && strstr(err, "task column"), "%s", err);

    /* Beside a good table it is a warning, and its rows are skipped. */
    read_ok("STT\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian hoàn thành\n"
            "1\tVăn phòng\tPhòng Nội vụ\tQuý I\n"
            "\n"
            "PHỤ LỤC II\n" HEADER4 "1\tA\tVăn phòng\tQuý I\n");
    cr_expect(has_warning(1, "task column"));
    cr_assert_eq(doc->ntables, 1);
    cr_expect_eq(doc->tables[0].ntasks, 1);
    cr_expect_str_eq(doc->tables[0].title, "PHỤ LỤC II");
}

Test(plan_table, not_a_task_table)
{
    cr_expect_null(read_text("TT\tNội dung\tĐiểm\n1\tChỉ đạo điều hành\t18/20\n"));
    cr_expect(strstr(err, "test.txt:1:") && strstr(err, "lead"), "%s", err);
}

Test(plan_table, no_ordinal_column)
{
    read_ok("Nhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
            "Rà soát văn bản\tPhòng Tư pháp\tQuý II\n"
            "\tPhòng Nội vụ\t\n"
            "Kiểm tra\tVăn phòng\tQuý III\n");
    cr_assert_eq(doc->tables[0].ntasks, 2);
    cr_expect_null(task_at(0, 0)->ordinal);
    cr_expect_str_eq(task_at(0, 0)->lead_text, "Phòng Tư pháp\nPhòng Nội vụ",
                     "a continuation that starts a unit name is a new name");
    cr_expect_eq(task_at(0, 0)->nlead, 2);
}

Test(plan_table, ragged_rows)
{
    read_ok(HEADER4 "1\tA\tVăn phòng\tQuý I\tthừa\tthừa nữa\n"
                    "2\tB\tVăn phòng\n"
                    "3\tC\n"
                    "4\tD\tVăn phòng\tQuý II\t\t\t\t\n");
    print_warnings();
    cr_assert_eq(doc->tables[0].ntasks, 4);
    const plan_task_t *t = task_at(0, 0);
    cr_assert_eq(t->nextra, 2, "cells past the header are kept");
    cr_expect_str_eq(t->extra[0].name, "column 5");
    cr_expect_str_eq(t->extra[1].value, "thừa nữa");
    cr_expect(has_warning(2, "6 cells"));
    cr_expect(has_warning(3, "3 cells"));
    cr_expect_null(task_at(0, 1)->deadline_text);
    cr_expect(has_warning(4, "2 cells"));
    cr_expect_eq(task_at(0, 3)->nextra, 0, "empty cells past the header are nothing");
    cr_expect_eq(doc->nwarnings, 3);
}

Test(plan_table, garbage_bytes)
{
    static const char text[] = "PHỤ LỤC\n" HEADER4 "1\tA\tVăn phòng\tQuý I\n"
                               "\xff\xfe\x00\x01 garbage\n"
                               "\tcòn\xc3\t\t\n"
                               "2\tB\x00X\tVăn phòng\tQuý II\n"
                               "3\tC\tVăn phòng\tQuý III\n";
    read_bytes(text, sizeof text - 1);
    cr_assert_not_null(doc, "%s", err);
    print_warnings();
    cr_expect(has_warning(4, "not UTF-8") && has_warning(4, "0xFF"));
    cr_expect(has_warning(5, "not UTF-8"));
    cr_expect(has_warning(6, "not UTF-8"), "a NUL byte");
    cr_assert_eq(doc->tables[0].ntasks, 2, "the bad lines are skipped, the others read");
    cr_expect_str_eq(task_at(0, 0)->title, "A");
    cr_expect_str_eq(task_at(0, 1)->ordinal, "3");
}

Test(plan_table, not_text)
{
    static const struct {
        const char *data;
        size_t len;
        const char *words;
    } files[] = {
#define BYTES(s) s, sizeof(s) - 1
        {BYTES("PK\x03\x04\x14\x00\x06\x00"), "ZIP"},
        {BYTES("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "PDF"},
        {BYTES("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "old Word or Excel"},
        {BYTES("\xff\xfeS\x00T\x00T\x00"), "UTF-16"},
        /* Windows-1258, as Excel's plain "CSV" writes Vietnamese */
        {BYTES("STT\tNhi\xeam v\xf9\tTh\xf5i gian\n1\tA\tQu\xfd I\n"), "not UTF-8"},
        {BYTES(""), "no task table"},
        {BYTES("Kế hoạch\nkhông có bảng\n"), "no task table"},
#undef BYTES
    };
    for (size_t i = 0; i < COUNT(files); i++) {
        cr_expect_null(read_bytes(files[i].data, files[i].len), "file %zu read", i);
        cr_expect(strstr(err, files[i].words) != NULL, "file %zu: %s", i, err);
    }
}

Test(plan_table, random_garbage_never_crashes)
{
    srand(42);
    size_t len = 1 << 20;
    char *data = malloc(len);
    cr_assert_not_null(data);
    for (int round = 0; round < 8; round++) {
        for (size_t i = 0; i < len; i++) {
            /* more tabs, newlines and header words than chance gives */
            int r = rand() % 64;
            data[i] = r == 0 ? '\t' : r == 1 ? '\n' : r == 2 ? '"' : (char)(rand() % 256);
            if (round >= 4 && r == 3 && i + 64 < len) {
                static const char header[] = "\nSTT\tNhiệm vụ\tChủ trì\tThời hạn\n1\t";
                memcpy(data + i, header, sizeof header - 1);
                i += sizeof header - 2;
            }
        }
        plan_doc_t *d = plan_table_read("garbage", data, len, 2024, cal, err, sizeof err);
        if (d)
            cr_expect_leq(d->nwarnings, PLAN_TABLE_MAX_WARNINGS + 1);
        else
            cr_expect_neq(err[0], '\0', "a reason");
        plan_doc_destroy(&d);
    }
    free(data);
}

Test(plan_table, deadlines)
{
    read_ok("STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\n"
            "1,A,Văn phòng,\"Quý II\nQuý IV/2024\"\n"
            "2,B,Văn phòng,Chưa xác định\n");
    const deadline_t *d = task_at(0, 0)->schedule;
    cr_expect_str_eq(task_at(0, 0)->deadline_text, "Quý II\nQuý IV/2024");
    cr_expect_not(d->unparsed, "lines read as parts: %s", d->reason ? d->reason : "");
    cr_expect_eq(d->ndue, 2);
    cr_expect(task_at(0, 1)->schedule->unparsed, "kept, flagged");
    cr_expect_str_eq(task_at(0, 1)->deadline_text, "Chưa xác định");
    cr_expect(has_warning(4, "deadline not understood"), "task 2 starts on line 4");
}

Test(plan_table, semicolon_csv)
{
    read_ok("Phụ lục;;;\n"
            "STT;Nhiệm vụ;Đơn vị chủ trì;Thời gian hoàn thành\n"
            "1;\"Rà soát; sửa đổi\";\"Văn phòng UBND, Trung tâm CNTT\";Quý II\n");
    cr_expect_eq(doc->delimiter, ';');
    cr_expect_str_eq(task_at(0, 0)->title, "Rà soát; sửa đổi");
    cr_assert_eq(task_at(0, 0)->nlead, 2);
    cr_expect_str_eq(task_at(0, 0)->lead[1], "Trung tâm CNTT");
}

Test(plan_table, text_between_rows_reported)
{
    read_ok(HEADER4 "1\tA\tVăn phòng\tQuý I\n"
                    "Một ghi chú giữa bảng\n"
                    "2\tB\tVăn phòng\tQuý II\n");
    cr_expect(has_warning(3, "ignored"));
    cr_expect_eq(doc->tables[0].ntasks, 2);
}

Test(plan_table, bad_arguments_and_limits)
{
    cr_expect_null(plan_table_read("x", "a", 1, 2024, NULL, err, sizeof err));
    cr_expect_null(plan_table_read("x", "a", 1, 1800, cal, err, sizeof err));
    cr_expect(strstr(err, "1800") != NULL, "%s", err);
    /* The size is checked before anything is read. */
    size_t big = (size_t)PLAN_TABLE_MAX_BYTES + 1;
    char *data = malloc(big);
    cr_assert_not_null(data);
    cr_expect_null(plan_table_read("big.csv", data, big, 2024, cal, err, sizeof err));
    cr_expect(strstr(err, "over the limit") != NULL, "%s", err);
    free(data);
    plan_doc_destroy(NULL);
    plan_doc_t *none = NULL;
    plan_doc_destroy(&none);
}

/* ---- large inputs ----
 * Each is read whole and checked; how long it took is logged, not asserted
 * (speed is the benchmarks' business, and a loaded machine under ASan takes
 * its time): the Criterion timeout only guards against a reader gone
 * quadratic. */

static size_t large_size(void)
{
    const char *mb = getenv("PLAN_TEST_LARGE_MB");
    long n = mb ? strtol(mb, NULL, 10) : 50;
    return (size_t)(n > 0 ? n : 50) << 20;
}

static double seconds_since(struct timespec start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
}

/* Writes `size` bytes made by `fill` to a file in /tmp, reads it back and
 * returns the buffer: the test goes through a real file. */
static char *large_file(size_t size, void (*fill)(char *, size_t), size_t *len)
{
    char path[] = "/tmp/partrack-plan-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w+b");
    cr_assert_not_null(f);
    char *data = malloc(size);
    cr_assert_not_null(data);
    fill(data, size);
    cr_assert_eq(fwrite(data, 1, size, f), size);
    rewind(f);
    cr_assert_eq(fread(data, 1, size, f), size);
    fclose(f);
    unlink(path);
    *len = size;
    return data;
}

static void fill_tasks(char *data, size_t size)
{
    size_t w = (size_t)snprintf(data, size, "PHỤ LỤC\n" HEADER4);
    for (unsigned n = 1; w < size; n++) {
        char row[256];
        int k = snprintf(row, sizeof row,
                         "%u\tNhiệm vụ số %u: rà soát, cập nhật\tVăn phòng UBND, Phòng Nội "
                         "vụ\tQuý %s/2024\n",
                         n, n, n % 2 ? "II" : "IV");
        size_t take = (size_t)k < size - w ? (size_t)k : size - w;
        memcpy(data + w, row, take);
        w += take;
    }
}

static void fill_prose(char *data, size_t size)
{
    size_t w = (size_t)snprintf(data, size, HEADER4 "1\tA\tVăn phòng\tQuý I\n\nPHẦN TIẾP\n");
    static const char line[] = "Nội dung kế hoạch, không phải bảng; \"trích dẫn\" 100%.\n";
    while (w < size) {
        size_t take = sizeof line - 1 < size - w ? sizeof line - 1 : size - w;
        memcpy(data + w, line, take);
        w += take;
    }
}

static void fill_continuations(char *data, size_t size)
{
    size_t w = (size_t)snprintf(data, size, HEADER4 "1\tA\tVăn phòng\tQuý I\n");
    static const char line[] = "\tvà còn nữa,\tPhòng Nội vụ,\t\n";
    while (w < size) {
        size_t take = sizeof line - 1 < size - w ? sizeof line - 1 : size - w;
        memcpy(data + w, line, take);
        w += take;
    }
}

static void fill_garbage(char *data, size_t size)
{
    unsigned x = 12345;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (x >> 16) % 50 == 0 ? '\n' : (char)(x >> 16);
    }
}

Test(plan_table, large_file_of_tasks, .timeout = 110)
{
    size_t len;
    char *data = large_file(large_size(), fill_tasks, &len);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cr_expect_null(read_bytes(data, len), "over PLAN_TABLE_MAX_TASKS tasks");
    cr_expect(strstr(err, "more than 10000 tasks") != NULL, "%s", err);
    cr_expect(strstr(err, "test.txt:10003:") != NULL, "task 10001 is on line 10003: %s", err);
    double s = seconds_since(start);
    cr_log_info("%zu MB of task rows refused in %.2f s", len >> 20, s);
    free(data);
}

Test(plan_table, large_file_of_prose, .timeout = 110)
{
    size_t len;
    char *data = large_file(large_size(), fill_prose, &len);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cr_assert_not_null(read_bytes(data, len), "%s", err);
    cr_expect_eq(doc->tables[0].ntasks, 1);
    cr_expect_eq(doc->nwarnings, 0, "prose after a table ends it");
    double s = seconds_since(start);
    cr_log_info("%zu MB of prose read in %.2f s", len >> 20, s);
    free(data);
}

Test(plan_table, large_cell, .timeout = 110)
{
    size_t len;
    char *data = large_file(large_size(), fill_continuations, &len);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cr_assert_not_null(read_bytes(data, len), "%s", err);
    cr_expect_eq(doc->tables[0].ntasks, 1);
    cr_expect_gt(strlen(task_at(0, 0)->title), len / 3, "one task, one long title");
    cr_expect_gt(task_at(0, 0)->nlead, 1000, "\"Phòng Nội vụ, Phòng Nội vụ, ...\" split");
    double s = seconds_since(start);
    cr_log_info("%zu MB of continuation rows read in %.2f s", len >> 20, s);
    free(data);
}

Test(plan_table, large_garbage, .timeout = 110)
{
    size_t len;
    char *data = large_file(large_size(), fill_garbage, &len);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cr_expect_null(read_bytes(data, len));
    cr_expect(strstr(err, "not UTF-8") != NULL, "%s", err);
    double s = seconds_since(start);
    cr_log_info("%zu MB of garbage refused in %.2f s", len >> 20, s);
    free(data);
}
