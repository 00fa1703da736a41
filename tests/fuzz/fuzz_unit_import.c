/* fuzz_unit_import.c - libFuzzer harness for the unit and people file reader
 *
 * The input is one or two files read into one batch, as `partrack unit
 * import a.csv b.csv` does (services/registry/unit_import.c over the CSV
 * reader, services/common/csv.c): the bytes before the first NUL are the
 * first file, those after it the second (a file with a NUL is refused
 * anyway), so duplicates across files are reached too. Nothing touches a
 * database. Beyond the sanitizers it checks what the registry relies on
 * before it stores anything (unit_store_import looks only at rows whose
 * line has no problem):
 *   - an unusable file says why (a problem), and every problem names one of
 *     the batch's files and a line that exists in it, in valid UTF-8 (the
 *     registry sends problems back in protobuf strings);
 *   - every kept row names its file and a line of it, in order, and has its
 *     key (code, id); every stored string is valid UTF-8 and already clean
 *     (NFC, white space collapsed: text_clean changes nothing);
 *   - a unit row whose line has no problem has a valid code, a name, a
 *     canonical kind, a valid parent code (not itself) and date, and a code
 *     no earlier row of the batch has; aliases are non-empty;
 *   - a person row without a problem has a valid id, a name, a valid unit
 *     code, a unit when it is a head, and an id no earlier row has.
 * These hold only while every problem was kept (fewer than PROBLEMS_MAX);
 * past the cap the row checks are skipped. A broken invariant aborts.
 */
#include "csv.h"
#include "fuzz_support.h"
#include "problems.h"
#include "text.h"
#include "unit_import.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines a file has (a last line without its newline counts). */
static unsigned count_lines(const char *data, size_t len)
{
    unsigned n = 1;
    for (size_t i = 0; i < len; i++)
        n += data[i] == '\n';
    return n;
}

static void check_clean(const char *s, const char *what)
{
    if (!s)
        return;
    fuzz_check(text_valid_utf8(s, strlen(s), NULL), what);
    char *c = text_clean(s);
    fuzz_check(c != NULL && strcmp(c, s) == 0, what);
    free(c);
}

static bool has_problem(const problems_t *p, const char *file, unsigned line)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].line == line && strcmp(p->items[i].file, file) == 0)
            return true;
    return false;
}

static bool person_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return false;
    return true;
}

static void check_units(const import_batch_t *b, const problems_t *p)
{
    for (size_t i = 0; i < b->nunits; i++) {
        const import_unit_t *u = &b->units[i];
        fuzz_check(u->code != NULL, "a kept unit row has a code");
        check_clean(u->code, "unit code clean");
        check_clean(u->name, "unit name clean");
        check_clean(u->parent, "unit parent clean");
        check_clean(u->valid_from, "unit valid_from clean");
        if (u->kind) {
            const char *k = import_kind_canonical(u->kind);
            fuzz_check(k && strcmp(k, u->kind) == 0, "unit kind is canonical");
        }
        for (size_t a = 0; a < u->naliases; a++) {
            fuzz_check(u->aliases[a] && *u->aliases[a], "alias not empty");
            check_clean(u->aliases[a], "alias clean");
        }
        if (p->dropped || has_problem(p, u->file, u->line))
            continue;
        fuzz_check(import_code_valid(u->code), "unit without problem: valid code");
        fuzz_check(u->name != NULL, "unit without problem: a name");
        fuzz_check(u->kind != NULL, "unit without problem: a kind");
        fuzz_check(!u->parent || import_code_valid(u->parent),
                   "unit without problem: valid parent");
        fuzz_check(!u->parent || strcmp(u->parent, u->code) != 0,
                   "unit without problem: own parent");
        fuzz_check(!u->valid_from || import_date_valid(u->valid_from),
                   "unit without problem: valid date");
        for (size_t j = 0; j < i; j++)
            fuzz_check(strcmp(b->units[j].code, u->code) != 0, "unit without problem: new code");
    }
}

static void check_people(const import_batch_t *b, const problems_t *p)
{
    for (size_t i = 0; i < b->npeople; i++) {
        const import_person_t *x = &b->people[i];
        fuzz_check(x->id != NULL, "a kept person row has an id");
        check_clean(x->id, "person id clean");
        check_clean(x->name, "person name clean");
        check_clean(x->unit, "person unit clean");
        check_clean(x->role, "person role clean");
        check_clean(x->contact, "person contact clean");
        if (p->dropped || has_problem(p, x->file, x->line))
            continue;
        fuzz_check(person_id_ok(x->id), "person without problem: valid id");
        fuzz_check(x->name != NULL, "person without problem: a name");
        fuzz_check(!x->unit || import_code_valid(x->unit), "person without problem: valid unit");
        fuzz_check(!x->is_head || x->unit, "person without problem: a head has a unit");
        for (size_t j = 0; j < i; j++)
            fuzz_check(strcmp(b->people[j].id, x->id) != 0, "person without problem: new id");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    const char *names[2] = {"a.csv", "b.csv"};
    const char *parts[2] = {text, nul ? nul + 1 : NULL};
    size_t lens[2] = {nul ? (size_t)(nul - text) : size, nul ? size - (size_t)(nul - text) - 1 : 0};
    size_t nparts = nul ? 2 : 1;

    static problems_t problems; /* large: not on the stack */
    problems_clear(&problems);
    import_batch_t batch;
    import_batch_init(&batch);
    unsigned lines[2] = {0, 0};
    for (size_t f = 0; f < nparts; f++) {
        size_t before = problems.n + problems.dropped;
        int rc = import_read_file(&batch, names[f], parts[f], lens[f], &problems);
        fuzz_check(rc == 0 || rc == -1, "import_read_file returns 0 or -1");
        if (rc < 0)
            fuzz_check(problems.n + problems.dropped > before, "an unusable file has a problem");
        fuzz_check(batch.nfiles == f + 1 && strcmp(batch.files[f], names[f]) == 0,
                   "file names kept");
        lines[f] = count_lines(parts[f], lens[f]);
    }
    for (size_t i = 0; i < problems.n; i++) {
        const problem_t *p = &problems.items[i];
        fuzz_check(p->message != NULL, "a problem has a message");
        /* problems travel in UnitImportReply and ErrorReply: protobuf strings */
        fuzz_check(text_valid_utf8(p->message, strlen(p->message), NULL), "a problem is UTF-8");
        fuzz_check(!p->field || text_valid_utf8(p->field, strlen(p->field), NULL),
                   "a problem's field is UTF-8");
        size_t f = 0;
        while (f < nparts && strcmp(p->file, names[f]) != 0)
            f++;
        fuzz_check(f < nparts, "a problem names a file of the batch");
        fuzz_check(p->line <= lines[f], "a problem's line exists");
    }
    for (size_t i = 0; i < batch.nunits + batch.npeople; i++) {
        const char *file =
            i < batch.nunits ? batch.units[i].file : batch.people[i - batch.nunits].file;
        unsigned line =
            i < batch.nunits ? batch.units[i].line : batch.people[i - batch.nunits].line;
        size_t f = 0;
        while (f < nparts && file != batch.files[f])
            f++;
        fuzz_check(f < nparts, "a row points at its file's name in the batch");
        fuzz_check(line >= 2 && line <= lines[f], "a row's line is after the header and exists");
    }
    for (size_t i = 1; i < batch.nunits; i++)
        fuzz_check(batch.units[i].file != batch.units[i - 1].file ||
                       batch.units[i].line > batch.units[i - 1].line,
                   "unit rows in line order");
    for (size_t i = 1; i < batch.npeople; i++)
        fuzz_check(batch.people[i].file != batch.people[i - 1].file ||
                       batch.people[i].line > batch.people[i - 1].line,
                   "person rows in line order");
    check_units(&batch, &problems);
    check_people(&batch, &problems);
    import_batch_free(&batch);
    fuzz_check(batch.nunits == 0 && batch.files == NULL, "batch freed");
    problems_clear(&problems);
    return 0;
}
