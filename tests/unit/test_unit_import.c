/* test_unit_import.c - unit tests for services/registry/unit_import.c
 *
 * The value checks (codes, dates, kinds) are tested one by one; the file
 * reader is fed whole units and people files held in string literals, and the
 * problems it records are checked by file, line and field, not only by count,
 * so a problem reported against the wrong line or column fails the test.
 * Each test frees its batch and problems.
 */
#include "text.h"
#include "unit_import.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The problem recorded for file:line: field, or NULL. field NULL matches a
 * problem without a field. */
static const problem_t *find_problem(const problems_t *p, const char *file, unsigned line,
                                     const char *field)
{
    for (size_t i = 0; i < p->n; i++) {
        const problem_t *it = &p->items[i];
        if (strcmp(it->file, file) != 0 || it->line != line)
            continue;
        if (field ? it->field && strcmp(it->field, field) == 0 : it->field == NULL)
            return it;
    }
    return NULL;
}

static void dump_problems(const problems_t *p)
{
    for (size_t i = 0; i < p->n; i++)
        cr_log_info("%s:%u: %s: %s", p->items[i].file, p->items[i].line,
                    p->items[i].field ? p->items[i].field : "-", p->items[i].message);
}

/* Expects a problem at file:line: field whose message holds `needle`. */
static void expect_problem(const problems_t *p, const char *file, unsigned line, const char *field,
                           const char *needle)
{
    const problem_t *it = find_problem(p, file, line, field);
    cr_expect_not_null(it, "no problem at %s:%u: %s", file, line, field ? field : "(no field)");
    if (!it) {
        dump_problems(p);
        return;
    }
    if (needle)
        cr_expect(strstr(it->message, needle) != NULL, "%s:%u: %s: \"%s\" should mention \"%s\"",
                  file, line, field ? field : "-", it->message, needle);
}

static int read_str(import_batch_t *b, const char *file, const char *data, problems_t *p)
{
    return import_read_file(b, file, data, strlen(data), p);
}

static const import_unit_t *find_unit(const import_batch_t *b, const char *code)
{
    for (size_t i = 0; i < b->nunits; i++)
        if (b->units[i].code && strcmp(b->units[i].code, code) == 0)
            return &b->units[i];
    return NULL;
}

static const import_person_t *find_person(const import_batch_t *b, const char *id)
{
    for (size_t i = 0; i < b->npeople; i++)
        if (b->people[i].id && strcmp(b->people[i].id, id) == 0)
            return &b->people[i];
    return NULL;
}

/* ---- value checks ---- */

Test(unit_import, code_valid)
{
    static const char *const good[] = {"HN", "HN.HADONG.PHULAM", "HN.SNV", "A", "HN_1.X2", "HN.1A"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_expect(import_code_valid(good[i]), "\"%s\" should be valid", good[i]);
    static const char *const bad[] = {"",      "hn",          "Hn.A",   "HN.",  ".HN",
                                      "HN..A", "1HN",         "HN-A",   "HN A", "HN.a",
                                      "_HN",   "HN.\xc3\x81", "HÀ.NỘI", "HN/A"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_not(import_code_valid(bad[i]), "\"%s\" should be invalid", bad[i]);

    char longest[66];
    memset(longest, 'A', 64);
    longest[64] = '\0';
    cr_expect(import_code_valid(longest), "64 characters is the limit");
    longest[64] = 'A';
    longest[65] = '\0';
    cr_expect_not(import_code_valid(longest), "65 characters is too long");
}

Test(unit_import, date_valid)
{
    static const char *const good[] = {"2024-02-29", "2000-02-29", "2025-07-01",
                                       "2025-12-31", "1900-01-01", "2025-04-30"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_expect(import_date_valid(good[i]), "\"%s\" should be valid", good[i]);
    static const char *const bad[] = {
        "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31",  "2024-01-32",
        "2024-01-00", "2024-1-1",   "2024/01/01", "24-01-01",   "2024-01-01x", "",
        "2024-01- 1", "2024-01-+1", "2024- 1-01", "+024-01-01", "1899-12-31",  "01-01-2024"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_not(import_date_valid(bad[i]), "\"%s\" should be invalid", bad[i]);
}

Test(unit_import, kind_canonical)
{
    static const struct {
        const char *text, *kind;
    } cases[] = {
        {"phường", "ward"},      {"Phường", "ward"},
        {"Xã", "commune"},       {"Quận", "district"},
        {"Huyện", "district"},   {"Thị xã", "district"},
        {"sở", "department"},    {"ward", "ward"},
        {"WARD", "ward"},        {"Thành phố", "city"},
        {"Phòng", "section"},    {"public_service_unit", "public_service_unit"},
        {"Thị trấn", "commune"}, {"  phường  ", "ward"},
        {"phuong", "ward"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = import_kind_canonical(cases[i].text);
        cr_expect_not_null(got, "\"%s\" should be a kind", cases[i].text);
        if (got)
            cr_expect_str_eq(got, cases[i].kind, "\"%s\"", cases[i].text);
    }
    cr_expect_null(import_kind_canonical("bogus"));
    cr_expect_null(import_kind_canonical(""));
    cr_expect_null(import_kind_canonical("phường xã"));
    cr_expect_null(import_kind_canonical("\xff"));
}

/* ---- units files ---- */

Test(unit_import, good_units_file)
{
    const char *data = "code,name,kind,parent,aliases,valid_from\n"
                       "HN,Thành phố Hà Nội,city,,,\n"
                       "HN.HADONG,\"  Quận   Hà Đông \",Quận,HN,\"UBND quận Hà Đông | Q. Hà "
                       "Đông||  \",2024-01-01\n"
                       /* NFD input: "Phú Lãm" with combining marks. */
                       "HN.HADONG.PHULAM,Phu\xcc\x81 La\xcc\x83m,phường,HN.HADONG,Phu\xcc\x81 "
                       "La\xcc\x82m,\n";
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "units.csv", data, &p), 0);
    cr_expect_eq(p.n, 0, "no problems expected");
    dump_problems(&p);
    cr_expect_eq(b.nfiles, 1);
    cr_expect_str_eq(b.files[0], "units.csv");
    cr_assert_eq(b.nunits, 3);

    const import_unit_t *hn = find_unit(&b, "HN");
    cr_assert_not_null(hn);
    cr_expect_str_eq(hn->name, "Thành phố Hà Nội");
    cr_expect_str_eq(hn->kind, "city");
    cr_expect_null(hn->parent, "empty cell is NULL");
    cr_expect_null(hn->valid_from);
    cr_expect_eq(hn->naliases, 0);
    cr_expect_eq(hn->line, 2);
    cr_expect_str_eq(hn->file, "units.csv");

    const import_unit_t *hd = find_unit(&b, "HN.HADONG");
    cr_assert_not_null(hd);
    cr_expect_str_eq(hd->name, "Quận Hà Đông", "white space trimmed and collapsed");
    cr_expect_str_eq(hd->kind, "district", "Vietnamese kind word made canonical");
    cr_expect_str_eq(hd->parent, "HN");
    cr_expect_str_eq(hd->valid_from, "2024-01-01");
    cr_assert_eq(hd->naliases, 2, "aliases split on '|', empty ones dropped");
    cr_expect_str_eq(hd->aliases[0], "UBND quận Hà Đông");
    cr_expect_str_eq(hd->aliases[1], "Q. Hà Đông");
    cr_expect_eq(hd->line, 3);

    const import_unit_t *pl = find_unit(&b, "HN.HADONG.PHULAM");
    cr_assert_not_null(pl);
    cr_expect_str_eq(pl->name, "Ph\xc3\xba L\xc3\xa3m", "stored NFC");
    cr_expect_str_eq(pl->kind, "ward");
    cr_assert_eq(pl->naliases, 1);
    cr_expect_str_eq(pl->aliases[0], "Ph\xc3\xba L\xc3\xa2m", "aliases stored NFC");
    cr_expect_eq(pl->line, 4);

    problems_clear(&p);
    import_batch_free(&b);
    cr_expect_eq(b.nunits, 0, "import_batch_free resets the batch");
    cr_expect_null(b.units);
}

Test(unit_import, header_is_case_insensitive_and_order_free)
{
    const char *data = "Kind,NAME,Code\n"
                       "ward,Phường Văn Quán,HN.HADONG.VANQUAN\n";
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "u.csv", data, &p), 0);
    cr_expect_eq(p.n, 0);
    cr_assert_eq(b.nunits, 1);
    cr_expect_str_eq(b.units[0].code, "HN.HADONG.VANQUAN");
    cr_expect_str_eq(b.units[0].name, "Phường Văn Quán");
    cr_expect_str_eq(b.units[0].kind, "ward");
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, units_file_problems)
{
    const char *data = "code,name,kind,parent,aliases,valid_from\n" /* 1 */
                       "HN,Thành phố Hà Nội,city,,,\n"              /* 2 */
                       "HN.A,,ward,HN,,\n"                          /* 3: no name */
                       "HN.B,Phường B,village,HN,,\n"               /* 4: bad kind */
                       "hn.c,Phường C,ward,HN,,\n"                  /* 5: bad code */
                       "HN.D,Phường D,ward,HN,,\n"                  /* 6 */
                       "HN.D,Phường D again,ward,HN,,\n"            /* 7: duplicate */
                       "HN.E,Phường \xff\xfe,ward,HN,,\n"           /* 8: bad UTF-8 */
                       "HN.F,Phường F,ward,hn,,2024-02-30\n"        /* 9: parent, date */
                       "HN.G,Phường G,ward,HN.G,,\n"                /* 10: own parent */
                       ",Phường H,,HN,,\n"                          /* 11: no code, kind */
                       "HN.I,Phường I,ward,HN,,,extra\n";           /* 12: extra cell */
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "units.csv", data, &p), 0, "rows with problems still read");

    expect_problem(&p, "units.csv", 3, "name", "required");
    expect_problem(&p, "units.csv", 4, "kind", "village");
    expect_problem(&p, "units.csv", 5, "code", "hn.c");
    expect_problem(&p, "units.csv", 7, "code", "duplicate");
    const problem_t *dup = find_problem(&p, "units.csv", 7, "code");
    if (dup)
        cr_expect(strstr(dup->message, "units.csv:6") != NULL, "duplicate names the first line: %s",
                  dup->message);
    expect_problem(&p, "units.csv", 8, "name", "UTF-8");
    expect_problem(&p, "units.csv", 9, "parent", "hn");
    expect_problem(&p, "units.csv", 9, "valid_from", "2024-02-30");
    expect_problem(&p, "units.csv", 10, "parent", "own parent");
    expect_problem(&p, "units.csv", 11, "code", "required");
    expect_problem(&p, "units.csv", 11, "kind", "required");
    expect_problem(&p, "units.csv", 12, NULL, "7 cells");
    cr_expect_eq(p.n, 12, "exactly the problems above, got %zu", p.n);
    if (p.n != 12)
        dump_problems(&p);

    /* Lines without problems have none. */
    cr_expect_null(find_problem(&p, "units.csv", 2, NULL));
    cr_expect_null(find_problem(&p, "units.csv", 6, "code"));
    problems_clear(&p);
    cr_expect_eq(p.n, 0);
    import_batch_free(&b);
}

Test(unit_import, duplicate_across_files_names_first_file)
{
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "a.csv", "code,name,kind\nHN,Hà Nội,city\n", &p), 0);
    cr_expect_eq(read_str(&b, "b.csv", "code,name,kind\n\nHN,Hà Nội,city\n", &p), 0);
    cr_expect_eq(b.nfiles, 2);
    expect_problem(&p, "b.csv", 3, "code", "a.csv:2");
    cr_expect_eq(p.n, 1);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, unknown_column_in_header)
{
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "u.csv", "code,name,kind,parnet\nHN,Hà Nội,city,\n", &p), -1);
    expect_problem(&p, "u.csv", 1, "parnet", "unknown column");
    cr_expect_eq(b.nunits, 0, "rows are not read under a bad header");
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, missing_required_column)
{
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "u.csv", "\ncode,name,parent\nHN,Hà Nội,\n", &p), -1);
    expect_problem(&p, "u.csv", 2, "kind", "required column missing");
    cr_expect_eq(p.n, 1);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, column_twice)
{
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "u.csv", "code,name,kind,Name\n", &p), -1);
    expect_problem(&p, "u.csv", 1, "name", "twice");
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, unterminated_quote)
{
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    const char *data = "code,name,kind\n"
                       "HN,Hà Nội,city\n"
                       "HN.A,\"Phường A,ward\n"
                       "HN.B,Phường B,ward\n";
    cr_expect_eq(read_str(&b, "u.csv", data, &p), -1);
    cr_assert_eq(p.n, 1);
    cr_expect_str_eq(p.items[0].file, "u.csv");
    cr_expect_null(p.items[0].field);
    cr_expect(strstr(p.items[0].message, "line 3") != NULL, "%s", p.items[0].message);
    cr_expect(strstr(p.items[0].message, "never closed") != NULL, "%s", p.items[0].message);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, empty_file_and_nul_bytes)
{
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "empty.csv", "", &p), -1);
    expect_problem(&p, "empty.csv", 1, NULL, "empty");
    cr_expect_eq(import_read_file(&b, "bin.csv", "code\0name", 9, &p), -1);
    expect_problem(&p, "bin.csv", 0, NULL, "NUL");
    cr_expect_eq(p.n, 2);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, header_neither_kind)
{
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "x.csv", "name,kind,parent\nA,ward,HN\n", &p), -1);
    expect_problem(&p, "x.csv", 1, NULL, "neither");
    /* Both code and id: still neither. */
    cr_expect_eq(read_str(&b, "y.csv", "code,id,name\n", &p), -1);
    expect_problem(&p, "y.csv", 1, NULL, "neither");
    cr_expect_eq(p.n, 2);
    cr_expect_eq(b.nunits + b.npeople, 0);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, tsv_units_file)
{
    const char *data = "code\tname\tkind\tparent\taliases\n"
                       "HN.SNV\tSở Nội vụ, Hà Nội\tSở\tHN\tSNV|Sở NV\n";
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "units.tsv", data, &p), 0);
    cr_expect_eq(p.n, 0);
    dump_problems(&p);
    cr_assert_eq(b.nunits, 1);
    cr_expect_str_eq(b.units[0].code, "HN.SNV");
    cr_expect_str_eq(b.units[0].name, "Sở Nội vụ, Hà Nội", "comma is no delimiter in TSV");
    cr_expect_str_eq(b.units[0].kind, "department");
    cr_expect_str_eq(b.units[0].parent, "HN");
    cr_assert_eq(b.units[0].naliases, 2);
    cr_expect_str_eq(b.units[0].aliases[0], "SNV");
    cr_expect_str_eq(b.units[0].aliases[1], "Sở NV");
    problems_clear(&p);
    import_batch_free(&b);
}

/* ---- people files ---- */

Test(unit_import, people_file)
{
    const char *data = "id,name,unit,role,contact,head\n"                /* 1 */
                       "p1,Nguyễn Văn A,HN.HADONG,Chủ tịch,a@x.vn,yes\n" /* 2 */
                       "p2,Trần Thị B,HN.HADONG,Phó chủ tịch,,no\n"      /* 3 */
                       "p3,Lê Văn C,HN.SNV,Giám đốc,,x\n"                /* 4 */
                       "p4,Phạm D,HN.STP,,,maybe\n"                      /* 5: bad head */
                       "p5,Hoàng E,HN.TAYHO,,,\n"                        /* 6: empty head */
                       "p6,Vũ F,HN.HADONG,,,Có\n";                       /* 7: second head */
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "people.csv", data, &p), 0);
    cr_expect_eq(b.nunits, 0);
    cr_assert_eq(b.npeople, 6);

    const import_person_t *p1 = find_person(&b, "p1");
    cr_assert_not_null(p1);
    cr_expect_str_eq(p1->name, "Nguyễn Văn A");
    cr_expect_str_eq(p1->unit, "HN.HADONG");
    cr_expect_str_eq(p1->role, "Chủ tịch");
    cr_expect_str_eq(p1->contact, "a@x.vn");
    cr_expect(p1->is_head);
    cr_expect_eq(p1->line, 2);

    const import_person_t *p2 = find_person(&b, "p2");
    cr_assert_not_null(p2);
    cr_expect_not(p2->is_head);
    cr_expect_null(p2->contact);

    const import_person_t *p3 = find_person(&b, "p3");
    cr_assert_not_null(p3);
    cr_expect(p3->is_head, "\"x\" means yes");

    const import_person_t *p5 = find_person(&b, "p5");
    cr_assert_not_null(p5);
    cr_expect_not(p5->is_head, "empty head means no");

    expect_problem(&p, "people.csv", 5, "head", "maybe");
    expect_problem(&p, "people.csv", 7, "head", "already has a head");
    const problem_t *second = find_problem(&p, "people.csv", 7, "head");
    if (second)
        cr_expect(strstr(second->message, "p1") != NULL, "names the first head: %s",
                  second->message);
    cr_expect_eq(p.n, 2);
    dump_problems(&p);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, people_file_problems)
{
    const char *data = "ID,Name,Unit,Head\n" /* 1 */
                       "p1,A,HN.X,no\n"      /* 2 */
                       "p1,B,HN.Y,no\n"      /* 3: duplicate id */
                       "bad id,C,HN.X,\n"    /* 4: bad id */
                       "p4,,HN.X,\n"         /* 5: no name */
                       "p5,E,not a code,\n"  /* 6: bad unit */
                       "p6,F,,yes\n"         /* 7: head without unit */
                       ",G,HN.X,\n";         /* 8: no id */
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "people.csv", data, &p), 0);
    expect_problem(&p, "people.csv", 3, "id", "people.csv:2");
    expect_problem(&p, "people.csv", 4, "id", "bad id");
    expect_problem(&p, "people.csv", 5, "name", "required");
    expect_problem(&p, "people.csv", 6, "unit", "not a code");
    expect_problem(&p, "people.csv", 7, "head", "needs a unit");
    expect_problem(&p, "people.csv", 8, "id", "required");
    cr_expect_eq(p.n, 6);
    dump_problems(&p);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, people_heads_without_unit_do_not_crash)
{
    /* A head without a unit is a problem; a later head must still be
     * compared against it without touching its missing unit. */
    const char *data = "id,name,unit,head\n"
                       "p1,A,,yes\n"
                       "p2,B,HN.X,yes\n"
                       "p3,C,,yes\n"
                       "p4,D,HN.X,yes\n";
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "people.csv", data, &p), 0);
    cr_expect_eq(b.npeople, 4);
    expect_problem(&p, "people.csv", 2, "head", "needs a unit");
    expect_problem(&p, "people.csv", 4, "head", "needs a unit");
    expect_problem(&p, "people.csv", 5, "head", "already has a head");
    cr_expect_null(find_problem(&p, "people.csv", 3, "head"));
    cr_expect_eq(p.n, 3);
    dump_problems(&p);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, people_invalid_utf8_cell)
{
    const char *data = "id\tname\tunit\trole\n"
                       "p1\tA\tHN.X\tChuy\xc3\n";
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    cr_expect_eq(read_str(&b, "people.tsv", data, &p), 0);
    expect_problem(&p, "people.tsv", 2, "role", "UTF-8");
    cr_expect_eq(p.n, 1);
    cr_assert_eq(b.npeople, 1);
    cr_expect_null(b.people[0].role);
    problems_clear(&p);
    import_batch_free(&b);
}

Test(unit_import, problems_are_capped)
{
    problems_t p = {0};
    for (int i = 0; i < PROBLEMS_MAX + 5; i++)
        problems_add(&p, "f", (unsigned)i + 1, "x", "problem %d", i);
    cr_expect_eq(p.n, PROBLEMS_MAX);
    cr_expect_eq(p.dropped, 5);
    cr_expect_str_eq(p.items[PROBLEMS_MAX - 1].message, "problem 199");
    problems_clear(&p);
    cr_expect_eq(p.n, 0);
    cr_expect_eq(p.dropped, 0);
}

/* A long code of Vietnamese letters is quoted in its problem, and the
 * message cut at 512 bytes inside a letter: it must still be UTF-8 (it is
 * sent back in a protobuf string). */
Test(unit_import, problems_cut_inside_a_letter_stay_utf8)
{
    char data[2048] = "code,name,kind\nA";
    for (int i = 0; i < 300; i++)
        strcat(data, "Ệ");
    strcat(data, ",Phường A,ward\n");
    import_batch_t b;
    import_batch_init(&b);
    problems_t p = {0};
    read_str(&b, "u.csv", data, &p);
    const problem_t *it = find_problem(&p, "u.csv", 2, "code");
    cr_assert_not_null(it);
    cr_expect_eq(strlen(it->message), 511, "cut to the buffer");
    cr_expect(text_valid_utf8(it->message, strlen(it->message), NULL), "%s", it->message);
    problems_add(&p, "u.csv\xff", 3, "f\xe1", "bad \xc3");
    cr_expect_str_eq(p.items[p.n - 1].file, "u.csv?");
    cr_expect_str_eq(p.items[p.n - 1].field, "f?");
    cr_expect_str_eq(p.items[p.n - 1].message, "bad ?");
    problems_clear(&p);
    import_batch_free(&b);
}
