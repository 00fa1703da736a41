/* fuzz_plan_table.c - libFuzzer harness for the plan-table reader
 *
 * Each input is a plan file (pasted text or CSV, any bytes) read by
 * plan_table_read as `partrack plan parse` and the registry's plan import
 * read it, for a plan year 2023-2026 picked from its length, over the
 * shipped working-day calendar. Beyond the sanitizers it checks what the
 * import relies on:
 *   - a refused file has a reason naming the file; a read one has a
 *     delimiter the reader knows, at least one table and one task, and
 *     stays within the limits of plan_table.h;
 *   - tables come in line order, each task and area within the file's
 *     lines, tasks of a table in line order;
 *   - every text (titles, cells, names, extra columns, warnings) is valid
 *     UTF-8, so it can be stored and sent (protobuf strings are checked);
 *   - a task has its schedule exactly when it has a deadline cell; its lead
 *     and cooperating names are what plan_split_names makes of the cells,
 *     none empty; its group is a group row of its table;
 *   - warnings are sorted by line, within the file, at most
 *     PLAN_TABLE_MAX_WARNINGS plus the one that counts the rest;
 *   - the document can be written as JSON (plan_json.h).
 * A broken invariant aborts.
 */
#include "fuzz_support.h"
#include "plan_json.h"
#include "plan_table.h"
#include "text.h"
#include "workcal.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static workcal_t *fuzz_cal;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_cal = fuzz_calendar_load("fuzz_plan_table");
    return 0;
}

static void check_text(const char *s, const char *what)
{
    if (s)
        fuzz_check(text_valid_utf8(s, strlen(s), NULL), what);
}

static void check_names(const char *cell, char **names, size_t n, const char *what)
{
    fuzz_check(cell || n == 0, what);
    if (!cell)
        return;
    char **again = NULL;
    int count = plan_split_names(cell, &again);
    fuzz_check(count >= 0 && (size_t)count == n, what);
    for (size_t i = 0; i < n; i++) {
        fuzz_check(names[i] && *names[i] && strcmp(names[i], again[i]) == 0, what);
        check_text(names[i], what);
        free(again[i]);
    }
    free(again);
}

static void check_task(const plan_table_t *t, const plan_task_t *k, unsigned lines)
{
    fuzz_check(k->line >= t->line && k->line <= lines, "a task's line is in its table");
    check_text(k->ordinal, "ordinal UTF-8");
    check_text(k->title, "title UTF-8");
    check_text(k->lead_text, "lead UTF-8");
    check_text(k->cooperating_text, "cooperating UTF-8");
    check_text(k->product, "product UTF-8");
    check_text(k->deadline_text, "deadline UTF-8");
    check_text(k->source, "source UTF-8");
    check_text(k->requirement, "requirement UTF-8");
    fuzz_check((k->schedule != NULL) == (k->deadline_text != NULL), "a schedule iff a deadline");
    check_names(k->lead_text, k->lead, k->nlead, "lead names as split");
    check_names(k->cooperating_text, k->cooperating, k->ncooperating, "cooperating names");
    for (size_t e = 0; e < k->nextra; e++) {
        fuzz_check(k->extra[e].name && k->extra[e].value, "an extra column has name and value");
        check_text(k->extra[e].name, "extra name UTF-8");
        check_text(k->extra[e].value, "extra value UTF-8");
    }
    if (k->area) {
        bool found = false;
        for (size_t a = 0; a < t->nareas && !found; a++)
            found = t->areas[a].ordinal && strcmp(t->areas[a].ordinal, k->area) == 0;
        fuzz_check(found, "a task's group is a group row of its table");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int year = 2023 + (int)(size % 4);
    char err[1024] = "";
    plan_doc_t *doc =
        plan_table_read("plan.txt", (const char *)data, size, year, fuzz_cal, err, sizeof err);
    if (!doc) {
        fuzz_check(strncmp(err, "plan.txt", 8) == 0 && err[8] != '\0', "a refused file says why");
        check_text(err, "the reason is UTF-8");
        return 0;
    }
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    fuzz_check(doc->delimiter == '\t' || doc->delimiter == ',' || doc->delimiter == ';',
               "delimiter");
    fuzz_check(doc->ntables >= 1 && doc->ntables <= PLAN_TABLE_MAX_TABLES, "tables");
    size_t tasks = 0, areas = 0;
    for (size_t i = 0; i < doc->ntables; i++) {
        const plan_table_t *t = &doc->tables[i];
        fuzz_check(t->line >= 1 && t->line <= lines, "a table's line exists");
        fuzz_check(i == 0 || t->line > doc->tables[i - 1].line, "tables in line order");
        check_text(t->title, "table title UTF-8");
        for (size_t a = 0; a < t->nareas; a++) {
            fuzz_check(t->areas[a].line >= t->line && t->areas[a].line <= lines, "an area's line");
            check_text(t->areas[a].ordinal, "area ordinal UTF-8");
            check_text(t->areas[a].title, "area title UTF-8");
        }
        for (size_t k = 0; k < t->ntasks; k++) {
            check_task(t, &t->tasks[k], lines);
            fuzz_check(k == 0 || t->tasks[k].line > t->tasks[k - 1].line, "tasks in line order");
        }
        tasks += t->ntasks;
        areas += t->nareas;
    }
    fuzz_check(tasks >= 1 && tasks <= PLAN_TABLE_MAX_TASKS, "tasks within limits");
    fuzz_check(areas <= PLAN_TABLE_MAX_AREAS, "areas within limits");
    fuzz_check(doc->nwarnings <= PLAN_TABLE_MAX_WARNINGS + 1, "warnings within limits");
    for (size_t w = 0; w < doc->nwarnings; w++) {
        fuzz_check(doc->warnings[w].message != NULL, "a warning has a message");
        check_text(doc->warnings[w].message, "warning UTF-8");
        fuzz_check(doc->warnings[w].line <= lines, "a warning's line exists");
        fuzz_check(w == 0 || doc->warnings[w].line >= doc->warnings[w - 1].line ||
                       (w == doc->nwarnings - 1 && doc->warnings[w].line == 0),
                   "warnings sorted by line");
    }
    json_t *j = plan_doc_to_json(doc, "plan.txt", year);
    fuzz_check(j != NULL, "JSON made");
    char *s = json_dumps(j, 0);
    fuzz_check(s != NULL, "JSON dumped");
    free(s);
    json_decref(j);
    plan_doc_destroy(&doc);
    fuzz_check(doc == NULL, "destroy clears the pointer");
    return 0;
}
