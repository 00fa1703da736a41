/* test_target_file.c - unit tests for target_file (services/plans/target_file.c)
 *
 * Targets files are written inline: a full explicit file (as CSV and as
 * TSV, which must give the same rows), the Vietnamese header names with and
 * without diacritics, rows completed from their sentence, ranges, ranks,
 * strict bounds, decimal commas, BOM and CRLF; then every problem the reader
 * reports, each checked for its line and field, alone and all together in
 * one file (every problem is collected, not only the first).
 */
#include "target_file.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_problems(const problems_t *p)
{
    for (size_t i = 0; i < p->n; i++)
        fprintf(stderr, "  %s:%u: %s: %s\n", p->items[i].file, p->items[i].line,
                p->items[i].field ? p->items[i].field : "-", p->items[i].message);
}

static target_file_t *read_ok(const char *data)
{
    problems_t p = {0};
    target_file_t *f = NULL;
    int rc = target_file_read("targets.csv", data, strlen(data), &f, &p);
    if (rc != 0)
        print_problems(&p);
    cr_assert_eq(rc, 0, "target_file_read failed with %zu problems (above)", p.n);
    cr_assert_eq(p.n, 0);
    cr_assert_not_null(f);
    problems_clear(&p);
    return f;
}

/* Reads data expecting problems; the caller clears *p. */
static void read_bad(const char *data, size_t len, problems_t *p)
{
    target_file_t *f = (target_file_t *)1;
    int rc = target_file_read("targets.csv", data, len, &f, p);
    cr_assert_eq(rc, -1, "read a bad file");
    cr_assert_null(f);
    cr_assert_gt(p->n, 0);
    for (size_t i = 0; i < p->n; i++)
        cr_expect_str_eq(p->items[i].file, "targets.csv");
}

/* True if p holds a problem at line with field (NULL: none) whose message
 * contains what. */
static bool has_problem(const problems_t *p, unsigned line, const char *field, const char *what)
{
    for (size_t i = 0; i < p->n; i++) {
        const problem_t *it = &p->items[i];
        if (it->line != line)
            continue;
        if (field ? !it->field || strcmp(it->field, field) != 0 : it->field != NULL)
            continue;
        if (strstr(it->message, what))
            return true;
    }
    return false;
}

static void expect_problem(const problems_t *p, unsigned line, const char *field, const char *what)
{
    bool found = has_problem(p, line, field, what);
    if (!found)
        print_problems(p);
    cr_expect(found, "no problem at line %u, field %s, with \"%s\" (problems above)", line,
              field ? field : "-", what);
}

/* The one problem of a file with one problem. */
static void expect_only_problem(const char *data, unsigned line, const char *field,
                                const char *what)
{
    problems_t p = {0};
    read_bad(data, strlen(data), &p);
    if (p.n != 1)
        print_problems(&p);
    cr_expect_eq(p.n, 1, "%zu problems, want 1, for:\n%s", p.n, data);
    expect_problem(&p, line, field, what);
    problems_clear(&p);
}

static void expect_str(const char *what, const char *got, const char *want)
{
    if (!want)
        cr_expect_null(got, "%s is \"%s\", want none", what, got);
    else if (!got)
        cr_expect_not_null(got, "no %s, want \"%s\"", what, want);
    else
        cr_expect_str_eq(got, want, "%s", what);
}

static void expect_row(const target_row_t *r, const char *code, const char *cmp, double value,
                       double high, const char *unit)
{
    expect_str("code", r->code, code);
    cr_expect_str_eq(target_row_comparator(r), cmp, "line %u: comparator", r->line);
    cr_expect(fabs(r->value - value) < 1e-9, "line %u: value %g, want %g", r->line, r->value,
              value);
    cr_expect(fabs(r->value_high - high) < 1e-9, "line %u: value_high %g, want %g", r->line,
              r->value_high, high);
    expect_str("unit", r->unit, unit);
    cr_expect_neq(r->comparator, TARGET_CMP_UNKNOWN);
    cr_expect_not_null(r->indicator, "line %u: no indicator", r->line);
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void expect_same_rows(const target_file_t *a, const target_file_t *b)
{
    cr_assert_eq(a->nrows, b->nrows);
    for (size_t i = 0; i < a->nrows; i++) {
        const target_row_t *x = &a->rows[i], *y = &b->rows[i];
        cr_expect_eq(x->line, y->line);
        cr_expect(same_str(x->code, y->code), "row %zu: code", i);
        cr_expect(same_str(x->area, y->area), "row %zu: area", i);
        cr_expect(same_str(x->indicator, y->indicator), "row %zu: indicator", i);
        cr_expect(same_str(x->unit, y->unit), "row %zu: unit", i);
        cr_expect(same_str(x->scope, y->scope), "row %zu: scope", i);
        cr_expect(same_str(x->sentence, y->sentence), "row %zu: sentence", i);
        cr_expect(same_str(x->for_unit, y->for_unit), "row %zu: for_unit", i);
        cr_expect_eq(x->comparator, y->comparator, "row %zu: comparator", i);
        cr_expect_eq(x->strict, y->strict, "row %zu: strict", i);
        cr_expect_eq(x->value, y->value, "row %zu: value", i);
        cr_expect_eq(x->value_high, y->value_high, "row %zu: value_high", i);
    }
}

static const char full_csv[] = "code,area,indicator,comparator,value,unit,scope,sentence,for_unit\n"
                               "online_rate,III,Tỷ lệ hồ sơ trực tuyến,>=,90,%,cấp phường,"
                               "\"Tỷ lệ hồ sơ trực tuyến đạt tối thiểu 90%\",\n"
                               "sipas,Cải cách TTHC,Chỉ số   SIPAS,>,\"85,5\",%,,,\n"
                               "par_index,,Chỉ số CCHC,rank<=,3,,,,HN.HADONG\n"
                               "dossiers_l3,,Tỷ lệ hồ sơ mức độ 3,range,40-50,%,,,\n"
                               "late_rate,,Tỷ lệ hồ sơ trễ hạn,<,5,%,,,HN.HADONG.PHU_LAM\n"
                               "trainings,,Lớp tập huấn,=,12,lớp,,,\n";

static const char full_tsv[] =
    "code\tarea\tindicator\tcomparator\tvalue\tunit\tscope\tsentence\tfor_unit\n"
    "online_rate\tIII\tTỷ lệ hồ sơ trực tuyến\t>=\t90\t%\tcấp phường\t"
    "Tỷ lệ hồ sơ trực tuyến đạt tối thiểu 90%\t\n"
    "sipas\tCải cách TTHC\tChỉ số SIPAS\t>\t85.5\t%\t\t\t\n"
    "par_index\t\tChỉ số CCHC\trank<=\t3\t\t\t\tHN.HADONG\n"
    "dossiers_l3\t\tTỷ lệ hồ sơ mức độ 3\trange\t40-50\t%\t\t\t\n"
    "late_rate\t\tTỷ lệ hồ sơ trễ hạn\t<\t5\t%\t\t\tHN.HADONG.PHU_LAM\n"
    "trainings\t\tLớp tập huấn\t=\t12\tlớp\t\t\t\n";

Test(target_file, full_explicit_file)
{
    target_file_t *f = read_ok(full_csv);
    cr_assert_eq(f->nrows, 6);
    const target_row_t *r = f->rows;

    cr_expect_eq(r[0].line, 2);
    expect_row(&r[0], "online_rate", ">=", 90, 90, "%");
    expect_str("area", r[0].area, "III");
    expect_str("indicator", r[0].indicator, "Tỷ lệ hồ sơ trực tuyến");
    expect_str("scope", r[0].scope, "cấp phường");
    expect_str("sentence", r[0].sentence, "Tỷ lệ hồ sơ trực tuyến đạt tối thiểu 90%");
    expect_str("for_unit", r[0].for_unit, NULL);
    cr_expect_eq(r[0].comparator, TARGET_CMP_GE);
    cr_expect(!r[0].strict);

    expect_row(&r[1], "sipas", ">", 85.5, 85.5, "%");
    cr_expect_eq(r[1].comparator, TARGET_CMP_GE);
    cr_expect(r[1].strict);
    expect_str("area", r[1].area, "Cải cách TTHC");
    expect_str("indicator", r[1].indicator, "Chỉ số SIPAS"); /* spaces collapsed */
    expect_str("scope", r[1].scope, NULL);
    expect_str("sentence", r[1].sentence, NULL);

    expect_row(&r[2], "par_index", "rank<=", 3, 3, NULL);
    cr_expect_eq(r[2].comparator, TARGET_CMP_RANK_LE);
    expect_str("for_unit", r[2].for_unit, "HN.HADONG");

    expect_row(&r[3], "dossiers_l3", "range", 40, 50, "%");
    cr_expect_eq(r[3].comparator, TARGET_CMP_RANGE);

    expect_row(&r[4], "late_rate", "<", 5, 5, "%");
    cr_expect_eq(r[4].comparator, TARGET_CMP_LE);
    cr_expect(r[4].strict);
    expect_str("for_unit", r[4].for_unit, "HN.HADONG.PHU_LAM");

    expect_row(&r[5], "trainings", "=", 12, 12, "lớp");
    cr_expect_eq(r[5].line, 7);
    target_file_destroy(&f);
    cr_expect_null(f);
}

Test(target_file, tsv_and_csv_give_the_same_rows)
{
    target_file_t *csv = read_ok(full_csv);
    target_file_t *tsv = read_ok(full_tsv);
    expect_same_rows(csv, tsv);
    target_file_destroy(&csv);
    target_file_destroy(&tsv);
}

Test(target_file, vietnamese_headers)
{
    static const char *const headers[] = {
        "Mã chỉ tiêu\tLĩnh vực\tChỉ số\tSo sánh\tGiá trị\tĐơn vị tính\tPhạm vi\tNguyên văn\t"
        "Đơn vị áp dụng\n",
        "ma chi tieu\tlinh vuc\tchi so\tso sanh\tgia tri\tdon vi tinh\tpham vi\tnguyen van\t"
        "don vi ap dung\n",
        "MÃ\tLĨNH VỰC\tNội dung\tSO SANH\tChỉ tiêu\tĐVT\tPhạm Vi\tCâu chỉ tiêu\tFOR\n",
        "Ma\tLinh Vuc\tNoi dung\tso sánh\tchi tieu\tdvt\tPHAM VI\tcau chi tieu\tfor_unit\n",
        "code\tarea\tindicator\tcomparator\tvalue\tunit\tscope\tsentence\tfor_unit\n",
    };
    static const char body[] = "sipas\tIII\tChỉ số SIPAS\t≥\t90\t%\tcấp quận\t"
                               "Chỉ số SIPAS của quận đạt tối thiểu 90%\tHN.HADONG\n";
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char data[1024];
        snprintf(data, sizeof data, "%s%s", headers[i], body);
        target_file_t *f = read_ok(data);
        cr_assert_eq(f->nrows, 1, "header %zu", i);
        const target_row_t *r = &f->rows[0];
        expect_row(r, "sipas", ">=", 90, 90, "%");
        expect_str("area", r->area, "III");
        expect_str("indicator", r->indicator, "Chỉ số SIPAS");
        expect_str("scope", r->scope, "cấp quận");
        expect_str("sentence", r->sentence, "Chỉ số SIPAS của quận đạt tối thiểu 90%");
        expect_str("for_unit", r->for_unit, "HN.HADONG");
        target_file_destroy(&f);
    }
}

Test(target_file, rows_from_the_sentence)
{
    target_file_t *f = read_ok("sentence\n"
                               "Phấn đấu 100% hồ sơ TTHC được trả kết quả đúng hạn\n"
                               "\"Chỉ số SIPAS của quận đạt tối thiểu 90%.\"\n"
                               "Phấn đấu tỷ lệ hồ sơ trực tuyến đạt trên 90%\n");
    cr_assert_eq(f->nrows, 3);
    expect_row(&f->rows[0], "on_time_rate", ">=", 100, 100, "%");
    cr_expect_eq(f->rows[0].comparator, TARGET_CMP_GE);
    cr_expect(!f->rows[0].strict);
    expect_str("sentence", f->rows[0].sentence,
               "Phấn đấu 100% hồ sơ TTHC được trả kết quả đúng hạn");
    cr_expect_eq(f->rows[0].line, 2);
    expect_row(&f->rows[1], "sipas", ">=", 90, 90, "%");
    expect_str("indicator", f->rows[1].indicator, "Chỉ số SIPAS của quận");
    cr_expect_eq(f->rows[1].line, 3);
    expect_row(&f->rows[2], "online_rate", ">", 90, 90, "%");
    target_file_destroy(&f);

    /* No code is suggested for "trễ hạn": the code column gives it. */

    f = read_ok("code,sentence\n"
                ",Phấn đấu 100% hồ sơ TTHC được trả kết quả đúng hạn\n"
                "late_rate,Tỷ lệ hồ sơ trễ hạn dưới 5%\n"
                ",Phấn đấu tỷ lệ hồ sơ trực tuyến đạt trên 90%\n");
    cr_assert_eq(f->nrows, 3);
    expect_row(&f->rows[0], "on_time_rate", ">=", 100, 100, "%");
    expect_row(&f->rows[1], "late_rate", "<", 5, 5, "%");
    expect_str("indicator", f->rows[1].indicator, "Tỷ lệ hồ sơ trễ hạn");
    cr_expect(f->rows[1].strict);
    expect_row(&f->rows[2], "online_rate", ">", 90, 90, "%");
    cr_expect(f->rows[2].strict);
    target_file_destroy(&f);
}

Test(target_file, explicit_cells_win_over_the_sentence)
{
    target_file_t *f =
        read_ok("code,indicator,comparator,value,unit,sentence\n"
                /* value given, comparator from the sentence */
                "sipas,,,95,,Chỉ số SIPAS của quận đạt tối thiểu 90%\n"
                /* comparator given (not strict), value and unit from the sentence */
                "online_rate,Hồ sơ trực tuyến,>=,,,Tỷ lệ hồ sơ trực tuyến đạt trên 90%\n"
                /* everything given: the sentence is kept, not read */
                "par_index,Chỉ số CCHC,rank<=,3,,Chỉ số CCHC của quận đứng trong top 10\n"
                /* the unit given */
                "late_count,,<=,,hồ sơ,không quá 5% hồ sơ trễ hạn\n");
    cr_assert_eq(f->nrows, 4);
    expect_row(&f->rows[0], "sipas", ">=", 95, 95, "%");
    expect_str("indicator", f->rows[0].indicator, "Chỉ số SIPAS của quận");
    expect_row(&f->rows[1], "online_rate", ">=", 90, 90, "%");
    cr_expect(!f->rows[1].strict);
    expect_str("indicator", f->rows[1].indicator, "Hồ sơ trực tuyến");
    expect_row(&f->rows[2], "par_index", "rank<=", 3, 3, NULL);
    expect_row(&f->rows[3], "late_count", "<=", 5, 5, "hồ sơ");
    target_file_destroy(&f);
}

Test(target_file, ranges)
{
    target_file_t *f = read_ok("code\tindicator\tvalue\tunit\n"
                               "a\tA\t40-50\t%\n"
                               "b\tB\t40–50\t\n"
                               "c\tC\t40 - 50%\t\n"
                               "d\tD\t40%-50%\t\n"
                               "e\tE\t40,5 — 50,5 %\t\n"
                               "f\tF\t7-7\thồ sơ\n");
    cr_assert_eq(f->nrows, 6);
    expect_row(&f->rows[0], "a", "range", 40, 50, "%");
    expect_row(&f->rows[1], "b", "range", 40, 50, NULL);
    expect_row(&f->rows[2], "c", "range", 40, 50, "%");
    expect_row(&f->rows[3], "d", "range", 40, 50, "%");
    expect_row(&f->rows[4], "e", "range", 40.5, 50.5, "%");
    expect_row(&f->rows[5], "f", "range", 7, 7, "hồ sơ");
    target_file_destroy(&f);

    f = read_ok("code,sentence\nrate_l3,chỉ tiêu quận giao là 40-50% hồ sơ mức độ 3\n");
    expect_row(&f->rows[0], "rate_l3", "range", 40, 50, "%");
    target_file_destroy(&f);
}

Test(target_file, ranks)
{
    target_file_t *f = read_ok("code,indicator,comparator,value\n"
                               "par_index,Chỉ số CCHC,top,5\n"
                               "sipas,SIPAS,Rank<=,1\n");
    expect_row(&f->rows[0], "par_index", "rank<=", 5, 5, NULL);
    cr_expect_eq(f->rows[0].comparator, TARGET_CMP_RANK_LE);
    cr_expect(!f->rows[0].strict);
    expect_row(&f->rows[1], "sipas", "rank<=", 1, 1, NULL);
    target_file_destroy(&f);

    f = read_ok("code,sentence\npar_index,Chỉ số PAR INDEX của quận nằm trong Top 5\n");
    expect_row(&f->rows[0], "par_index", "rank<=", 5, 5, NULL);
    target_file_destroy(&f);

    /* A rank is no share: "120" is no problem for a rank even in %. */
    f = read_ok("code,indicator,comparator,value,unit\nx,X,rank<=,120,%\n");
    expect_row(&f->rows[0], "x", "rank<=", 120, 120, "%");
    target_file_destroy(&f);
}

Test(target_file, strict_bounds)
{
    target_file_t *f = read_ok("code,indicator,comparator,value,unit\n"
                               "a,A,>,90,%\n"
                               "b,B,<,5,%\n"
                               "c,C,≤,5,%\n"
                               "d,D,>=,90,%\n");
    cr_expect_eq(f->rows[0].comparator, TARGET_CMP_GE);
    cr_expect(f->rows[0].strict);
    cr_expect_str_eq(target_row_comparator(&f->rows[0]), ">");
    cr_expect_eq(f->rows[1].comparator, TARGET_CMP_LE);
    cr_expect(f->rows[1].strict);
    cr_expect_str_eq(target_row_comparator(&f->rows[1]), "<");
    cr_expect_eq(f->rows[2].comparator, TARGET_CMP_LE);
    cr_expect(!f->rows[2].strict);
    cr_expect_str_eq(target_row_comparator(&f->rows[2]), "<=");
    cr_expect(!f->rows[3].strict);
    target_file_destroy(&f);
}

Test(target_file, decimals)
{
    target_file_t *f = read_ok("code;indicator;comparator;value;unit\n"
                               "a;A;>=;95,5;%\n"
                               "b;B;>=;95.5%;\n"
                               "c;C;>=;95,5 %;\n"
                               "d;D;>=;0,125;điểm\n"
                               "e;E;>=;1000;hồ sơ\n"
                               "f;F;>=;99,125%;\n"
                               "g;G;range;\"40,5-50,25\";%\n");
    cr_assert_eq(f->nrows, 7);
    expect_row(&f->rows[0], "a", ">=", 95.5, 95.5, "%");
    expect_row(&f->rows[1], "b", ">=", 95.5, 95.5, "%");
    expect_row(&f->rows[2], "c", ">=", 95.5, 95.5, "%");
    expect_row(&f->rows[3], "d", ">=", 0.125, 0.125, "điểm");
    expect_row(&f->rows[4], "e", ">=", 1000, 1000, "hồ sơ");
    expect_row(&f->rows[5], "f", ">=", 99.125, 99.125, "%");
    expect_row(&f->rows[6], "g", "range", 40.5, 50.25, "%");
    target_file_destroy(&f);
}

Test(target_file, bom_and_crlf)
{
    static const char data[] = "\xEF\xBB\xBF"
                               "Mã,Chỉ số,So sánh,Giá trị,ĐVT\r\n"
                               "\r\n"
                               "sipas,Chỉ số SIPAS,>=,90,%\r\n"
                               "online_rate,\"Tỷ lệ hồ sơ\r\ntrực tuyến\",>=,\"95,5\",%\r\n"
                               "par_index,Chỉ số CCHC,top,3,\r\n";
    target_file_t *f = read_ok(data);
    cr_assert_eq(f->nrows, 3);
    cr_expect_eq(f->rows[0].line, 3);
    expect_row(&f->rows[0], "sipas", ">=", 90, 90, "%");
    cr_expect_eq(f->rows[1].line, 4);
    expect_row(&f->rows[1], "online_rate", ">=", 95.5, 95.5, "%");
    expect_str("indicator", f->rows[1].indicator, "Tỷ lệ hồ sơ trực tuyến");
    cr_expect_eq(f->rows[2].line, 6);
    expect_row(&f->rows[2], "par_index", "rank<=", 3, 3, NULL);
    target_file_destroy(&f);
}

Test(target_file, header_only_and_blank_rows)
{
    target_file_t *f = read_ok("\n\ncode,indicator,comparator,value\n\n,,,\n");
    cr_expect_eq(f->nrows, 0);
    target_file_destroy(&f);
}

Test(target_file, duplicates_by_unit)
{
    target_file_t *f = read_ok("code,indicator,comparator,value,unit,for_unit\n"
                               "online_rate,A,>=,90,%,\n"
                               "online_rate,A,>=,80,%,HN.HADONG.PHULAM\n"
                               "online_rate,A,>=,85,%,HN.HADONG.VANQUAN\n"
                               "sipas,B,>=,90,%,HN.HADONG.PHULAM\n");
    cr_expect_eq(f->nrows, 4);
    target_file_destroy(&f);

    problems_t p = {0};
    const char *data = "code,indicator,comparator,value,unit,for_unit\n"
                       "online_rate,A,>=,90,%,\n"
                       "online_rate,A,>=,80,%,HN.HADONG\n"
                       "online_rate,A,>=,85,%,\n"
                       "online_rate,A,>=,85,%,HN.HADONG\n"
                       "online_rate,A,>=,75,%,\n";
    read_bad(data, strlen(data), &p);
    cr_expect_eq(p.n, 3);
    expect_problem(&p, 4, "code", "online_rate given twice (first at line 2)");
    expect_problem(&p, 5, "code", "online_rate given twice for HN.HADONG (first at line 3)");
    expect_problem(&p, 6, "code", "online_rate given twice (first at line 2)");
    /* in file order */
    cr_expect_eq(p.items[0].line, 4);
    cr_expect_eq(p.items[1].line, 5);
    cr_expect_eq(p.items[2].line, 6);
    problems_clear(&p);

    /* A code taken from the sentence counts too. */
    expect_only_problem("code,sentence\n"
                        "on_time_rate,Tỷ lệ hồ sơ trễ hạn dưới 5%\n"
                        ",Phấn đấu 100% hồ sơ TTHC được trả kết quả đúng hạn\n",
                        3, "code", "on_time_rate given twice (first at line 2)");
}

#define HEAD "code,indicator,comparator,value,unit,sentence,for_unit\n"

Test(target_file, problems_one_by_one)
{
    expect_only_problem(HEAD "Online_Rate,A,>=,90,%,,\n", 2, "code",
                        "\"Online_Rate\" is not an indicator code");
    expect_only_problem(HEAD "9rate,A,>=,90,%,,\n", 2, "code", "is not an indicator code");
    expect_only_problem(HEAD
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,A,>=,"
                        "90,%,,\n",
                        2, "code", "is not an indicator code");
    expect_only_problem(HEAD ",A,>=,90,%,,\n", 2, "code", "empty, and there is no sentence");
    expect_only_problem(HEAD ",,,,,Tỷ lệ hồ sơ trễ hạn dưới 5%,\n", 2, "code",
                        "empty, and the sentence suggests none");
    expect_only_problem(HEAD "a,,>=,90,%,,\n", 2, "indicator", "empty, and there is no sentence");
    expect_only_problem(HEAD "a,,>=,90,%,Phấn đấu 100%,\n", 2, "indicator",
                        "empty, and the sentence gives none");
    expect_only_problem(HEAD "a,A,~,90,%,,\n", 2, "comparator", "\"~\" is not a comparator");
    expect_only_problem(HEAD "a,A,,90,%,,\n", 2, "comparator", "empty");
    expect_only_problem(HEAD "a,A,>=,,%,,\n", 2, "value", "empty");
    expect_only_problem(HEAD "a,A,>=,abc,%,,\n", 2, "value", "\"abc\" is not a number or a range");
    expect_only_problem(HEAD "a,A,>=,90 hồ sơ,%,,\n", 2, "value", "is not a number");
    expect_only_problem(HEAD "a,A,>=,-5,%,,\n", 2, "value", "is not a number");
    expect_only_problem(HEAD "a,A,>=,1.000,,,\n", 2, "value", "ambiguous");
    expect_only_problem(HEAD "a,A,>=,\"2,500\",,,\n", 2, "value", "ambiguous");
    expect_only_problem(HEAD "a,A,range,50-40,%,,\n", 2, "value", "runs backwards");
    expect_only_problem(HEAD "a,A,,50 – 40,%,,\n", 2, "value", "runs backwards");
    expect_only_problem(HEAD "a,A,>=,120%,,,\n", 2, "value", "120% is above 100%");
    expect_only_problem(HEAD "a,A,>=,120,%,,\n", 2, "value", "120% is above 100%");
    expect_only_problem(HEAD "a,A,range,90-120,%,,\n", 2, "value", "120% is above 100%");
    expect_only_problem(HEAD "a,A,,120,,Tỷ lệ đạt tối thiểu 90%,\n", 2, "value",
                        "120% is above 100%");
    expect_only_problem(HEAD "a,A,range,40,%,,\n", 2, "value", "no range");
    expect_only_problem(HEAD "a,A,>=,40-50,%,,\n", 2, "value", "is a range, but the comparator");
    expect_only_problem(HEAD "a,A,rank<=,2.5,,,\n", 2, "value", "a rank is a whole number");
    expect_only_problem(HEAD "a,A,top,0,,,\n", 2, "value", "a rank is a whole number");
    expect_only_problem(HEAD "a,A,>=,90%,hồ sơ,,\n", 2, "unit", "written with %");
    expect_only_problem(HEAD "a,A,range,,,Tỷ lệ đạt tối thiểu 90%,\n", 2, "value",
                        "the sentence gives one value (90), but the comparator is range");
    expect_only_problem(HEAD "a,A,>=,,,Tỷ lệ đạt 40-50%,\n", 2, "value",
                        "the sentence gives a range (40-50), but the comparator is >=");
    expect_only_problem(HEAD "a,A,rank<=,,,Tỷ lệ đạt tối thiểu 90%,\n", 2, "value",
                        "the sentence gives one value (90), but the comparator is rank<=");
    expect_only_problem(HEAD "a,A,,30,,Tỷ lệ đạt 40-50%,\n", 2, "comparator",
                        "the sentence gives a range");
    expect_only_problem(HEAD "a,A,,,,Năm 2023 thực hiện Kế hoạch số 45/KH-UBND,\n", 2, "sentence",
                        "not understood: no target value");
    expect_only_problem(HEAD "a,A,>=,,,5% cán bộ và ít nhất 10% viên chức,\n", 2, "sentence",
                        "not understood: ");
    expect_only_problem(HEAD "a,A,>=,90,%,,hn.hadong\n", 2, "for_unit",
                        "\"hn.hadong\" is not a unit code");
    expect_only_problem(HEAD "a,A,>=,90,%,,HN..HADONG\n", 2, "for_unit", "is not a unit code");
    expect_only_problem(HEAD "a,A,>=,90,%,,HN.HÀĐÔNG\n", 2, "for_unit", "is not a unit code");
    expect_only_problem(HEAD "a,A,>=,90,%,,,stray\n", 2, NULL, "8 cells, the header has 7");
}

Test(target_file, sentence_not_understood_is_no_problem_when_not_needed)
{
    target_file_t *f = read_ok(HEAD "a,A,>=,90,%,Năm 2023 thực hiện Kế hoạch,\n");
    expect_row(&f->rows[0], "a", ">=", 90, 90, "%");
    expect_str("sentence", f->rows[0].sentence, "Năm 2023 thực hiện Kế hoạch");
    target_file_destroy(&f);
}

Test(target_file, invalid_utf8)
{
    static const char data[] = HEAD "a,Ch\xE1\xBB,>=,90,%,,\n"
                                    "b,B,>=,90,%,\xC3\x28,\n";
    problems_t p = {0};
    read_bad(data, sizeof data - 1, &p);
    cr_expect_eq(p.n, 2);
    expect_problem(&p, 2, "indicator", "not valid UTF-8 (byte 2 of the cell)");
    expect_problem(&p, 3, "sentence", "not valid UTF-8");
    problems_clear(&p);

    static const char header[] = "code,indic\xFF,value\na,A,90\n";
    read_bad(header, sizeof header - 1, &p);
    expect_problem(&p, 1, NULL, "header cell 2 is not valid UTF-8");
    problems_clear(&p);
}

Test(target_file, header_problems)
{
    /* An unknown column is reported, and the rows are still checked. */
    problems_t p = {0};
    const char *data = "code,indicator,comparator,valeu,value\n"
                       "a,A,>=,x,90\n"
                       "Bad,B,>=,x,90\n";
    read_bad(data, strlen(data), &p);
    cr_expect_eq(p.n, 2);
    expect_problem(&p, 1, "valeu", "unknown column");
    expect_problem(&p, 3, "code", "\"Bad\" is not an indicator code");
    problems_clear(&p);

    expect_only_problem("Mã,Chỉ số,Giá trị,So sánh,Ghi chú\na,A,90,>=,\n", 1, "Ghi chú",
                        "unknown column");
    expect_only_problem("code,indicator,comparator,value,Mã\na,A,>=,90,b\n", 1, "code",
                        "column appears twice");
    expect_only_problem("indicator,comparator,value\nA,>=,90\n", 1, "code",
                        "no code column, and no sentence column");
    expect_only_problem("code,indicator,comparator\na,A,>=\n", 1, "value",
                        "no value column, and no sentence column");
    expect_only_problem("code,comparator,value\na,>=,90\n", 1, "indicator",
                        "no indicator column, and no sentence column");

    data = "comparator,unit\n>=,%\n";
    read_bad(data, strlen(data), &p);
    cr_expect_eq(p.n, 3);
    expect_problem(&p, 1, "code", "no code column");
    expect_problem(&p, 1, "value", "no value column");
    expect_problem(&p, 1, "indicator", "no indicator column");
    problems_clear(&p);

    /* A column with no name must hold nothing. */
    target_file_t *f = read_ok("code,indicator,comparator,value,\na,A,>=,90,\nb,B,>=,80, \n");
    cr_expect_eq(f->nrows, 2);
    target_file_destroy(&f);
    expect_only_problem("code,indicator,,comparator,value\na,A,note,>=,90\n", 2, NULL,
                        "a value in column 3, which has no name");
}

Test(target_file, empty_and_not_text)
{
    expect_only_problem("", 0, NULL, "file is empty");
    expect_only_problem("\n\r\n\n", 0, NULL, "file is empty");
    problems_t p = {0};
    static const char nul[] = "code,indicator\na\0,A\n";
    read_bad(nul, sizeof nul - 1, &p);
    expect_problem(&p, 0, NULL, "NUL bytes");
    problems_clear(&p);
    read_bad(NULL, 0, &p);
    expect_problem(&p, 0, NULL, "file is empty");
    problems_clear(&p);
    expect_only_problem("code,indicator,comparator,value\na,\"A,>=,90\n", 0, NULL, "never closed");
}

Test(target_file, every_problem_at_once)
{
    problems_t p = {0};
    const char *data = HEAD "Online_Rate,A,>=,90,%,,\n"             /* 2 */
                            ",A,>=,90,%,,\n"                        /* 3 */
                            "b,,>=,90,%,,\n"                        /* 4 */
                            "c,C,~,90,%,,\n"                        /* 5 */
                            "d,D,>=,abc,%,,\n"                      /* 6 */
                            "e,E,range,50-40,%,,\n"                 /* 7 */
                            "f,F,>=,120%,,,\n"                      /* 8 */
                            "g,G,,,,Năm 2023 thực hiện kế hoạch,\n" /* 9 */
                            "h,H,>=,90,%,,hn.x\n"                   /* 10 */
                            "c,C2,>=,80,%,,\n"                      /* 11 */
                            "i,I,rank<=,0,,,\n";                    /* 12 */
    read_bad(data, strlen(data), &p);
    expect_problem(&p, 2, "code", "is not an indicator code");
    expect_problem(&p, 3, "code", "empty");
    expect_problem(&p, 4, "indicator", "empty");
    expect_problem(&p, 5, "comparator", "is not a comparator");
    expect_problem(&p, 6, "value", "is not a number");
    expect_problem(&p, 7, "value", "runs backwards");
    expect_problem(&p, 8, "value", "120% is above 100%");
    expect_problem(&p, 9, "sentence", "not understood");
    expect_problem(&p, 10, "for_unit", "is not a unit code");
    expect_problem(&p, 11, "code", "c given twice (first at line 5)");
    expect_problem(&p, 12, "value", "a rank is a whole number");
    cr_expect_eq(p.n, 11);
    for (size_t i = 1; i < p.n; i++) /* in line order, the duplicate too */
        cr_expect_leq(p.items[i - 1].line, p.items[i].line);
    problems_clear(&p);
}

Test(target_file, problems_are_appended)
{
    problems_t p = {0};
    problems_add(&p, "other.csv", 3, "x", "earlier");
    target_file_t *f = NULL;
    const char *bad = HEAD "Bad,A,>=,90,%,,\n";
    cr_expect_eq(target_file_read("t.csv", bad, strlen(bad), &f, &p), -1);
    cr_expect_eq(p.n, 2);
    cr_expect_str_eq(p.items[0].message, "earlier");
    cr_expect_str_eq(p.items[1].file, "t.csv");
    /* A good file with earlier problems in the list is still good. */
    const char *good = HEAD "a,A,>=,90,%,,\n";
    cr_expect_eq(target_file_read("t.csv", good, strlen(good), &f, &p), 0);
    cr_expect_not_null(f);
    cr_expect_eq(p.n, 2);
    target_file_destroy(&f);
    problems_clear(&p);
}

Test(target_file, destroy_and_comparator_names)
{
    target_file_destroy(NULL);
    target_file_t *f = NULL;
    target_file_destroy(&f);
    target_row_t r = {.comparator = TARGET_CMP_EQ};
    cr_expect_str_eq(target_row_comparator(&r), "=");
    r.comparator = TARGET_CMP_RANGE;
    cr_expect_str_eq(target_row_comparator(&r), "range");
    r.comparator = TARGET_CMP_RANK_LE;
    cr_expect_str_eq(target_row_comparator(&r), "rank<=");
    r.comparator = TARGET_CMP_GE;
    cr_expect_str_eq(target_row_comparator(&r), ">=");
    r.strict = true;
    cr_expect_str_eq(target_row_comparator(&r), ">");
}
