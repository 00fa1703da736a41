/* cli_plan_manifest.c - `partrack plan import --manifest FILE`: many plans at once
 *
 * At the start of a year the Home Affairs office loads every unit's plan. A
 * manifest (CSV or TSV with a header) lists them, one plan a row:
 *   file        the plan's task table, relative to the manifest's folder
 *   unit, year, number, title     as for one plan
 *   issued      optional, YYYY-MM-DD
 *   implements  optional, the higher plans' numbers separated by '|'
 * The manifest is checked whole before anything is sent (every problem as
 * manifest:line: field: what). Plans then go to the registry in parts of at
 * most PART_BYTES, each part one transaction: all its plans or none. When
 * everything fits one part (a whole city of ordinary plans does) the import
 * is all or nothing; otherwise the parts are said, and a refused part stops
 * the import with the parts before it kept: `--skip-imported` then lets the
 * same manifest be run again, skipping the plans already there.
 */
#include "cli_plan_manifest.h"

#include "csv.h"
#include "plans.pb-c.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MANIFEST_BYTES (4u << 20)
#define MAX_PLAN_BYTES     (16u << 20)
#define PART_BYTES         (12u << 20) /* under the registry's 16 MiB message cap */

typedef struct {
    unsigned line;
    char *file, *unit, *number, *title, *issued;
    int year;
    char **implements;
    size_t nimplements;
    char *data; /* the table file's bytes */
    size_t len;
} manifest_row_t;

typedef struct {
    manifest_row_t *rows;
    size_t n;
} manifest_t;

static void manifest_free(manifest_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        manifest_row_t *r = &m->rows[i];
        free(r->file);
        free(r->unit);
        free(r->number);
        free(r->title);
        free(r->issued);
        for (size_t k = 0; k < r->nimplements; k++)
            free(r->implements[k]);
        free(r->implements);
        free(r->data);
    }
    free(m->rows);
}

enum { COL_FILE, COL_UNIT, COL_YEAR, COL_NUMBER, COL_TITLE, COL_ISSUED, COL_IMPLEMENTS, NCOLS };
static const char *const column_names[NCOLS] = {"file",  "unit",   "year",      "number",
                                                "title", "issued", "implements"};

static char *cell(const csv_row_t *row, int col)
{
    if (col < 0 || (size_t)col >= row->ncells)
        return NULL;
    const char *s = row->cells[col];
    while (*s == ' ')
        s++;
    return *s ? strdup(s) : NULL;
}

static void split_implements(manifest_row_t *r, const char *text)
{
    char *copy = strdup(text), *save = NULL;
    for (char *p = copy ? strtok_r(copy, "|", &save) : NULL; p; p = strtok_r(NULL, "|", &save)) {
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        while (n && p[n - 1] == ' ')
            p[--n] = '\0';
        if (!n)
            continue;
        char **grown = realloc(r->implements, (r->nimplements + 1) * sizeof *grown);
        if (!grown)
            break;
        r->implements = grown;
        r->implements[r->nimplements++] = strdup(p);
    }
    free(copy);
}

/* Reads the manifest and every table it names; prints every problem.
 * Returns the number of problems (0: all read). */
static int manifest_read(const char *path, manifest_t *m)
{
    size_t len;
    char *data = cli_read_file(path, MAX_MANIFEST_BYTES, &len);
    if (!data)
        return 1;
    char *dir_copy = strdup(path);
    const char *dir = dir_copy ? dirname(dir_copy) : ".";
    csv_t *csv = csv_new(data, len, 0);
    int problems = 0, cols[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        cols[c] = -1;
    csv_row_t row;
    char err[256];
    int got = csv ? csv_next(csv, &row, err, sizeof err) : -1;
    if (got <= 0) {
        fprintf(stderr, "%s: %s\n", path, got < 0 ? err : "empty manifest");
        problems++;
        goto out;
    }
    for (size_t k = 0; k < row.ncells; k++) {
        int found = -1;
        for (int c = 0; c < NCOLS; c++)
            if (strcasecmp(row.cells[k], column_names[c]) == 0)
                found = c;
        if (found < 0) {
            fprintf(stderr,
                    "%s:%u: %s: unknown column (the columns are file, unit, year, number, "
                    "title, issued, implements)\n",
                    path, row.line, row.cells[k]);
            problems++;
        } else {
            cols[found] = (int)k;
        }
    }
    for (int c = 0; c <= COL_TITLE; c++)
        if (cols[c] < 0) {
            fprintf(stderr, "%s:%u: %s: the column is missing\n", path, row.line, column_names[c]);
            problems++;
        }
    if (problems)
        goto out;
    while ((got = csv_next(csv, &row, err, sizeof err)) == 1) {
        manifest_row_t *grown = realloc(m->rows, (m->n + 1) * sizeof *grown);
        if (!grown) {
            problems++;
            break;
        }
        m->rows = grown;
        manifest_row_t *r = &m->rows[m->n++];
        memset(r, 0, sizeof *r);
        r->line = row.line;
        r->file = cell(&row, cols[COL_FILE]);
        r->unit = cell(&row, cols[COL_UNIT]);
        r->number = cell(&row, cols[COL_NUMBER]);
        r->title = cell(&row, cols[COL_TITLE]);
        r->issued = cell(&row, cols[COL_ISSUED]);
        char *year = cell(&row, cols[COL_YEAR]), *end = NULL;
        r->year = year ? (int)strtol(year, &end, 10) : 0;
        if (!year || *end || r->year < 1900 || r->year > 2200) {
            fprintf(stderr, "%s:%u: year: \"%s\" is not a year between 1900 and 2200\n", path,
                    row.line, year ? year : "");
            problems++;
        }
        free(year);
        char *implements = cell(&row, cols[COL_IMPLEMENTS]);
        if (implements)
            split_implements(r, implements);
        free(implements);
        const char *missing = !r->file     ? "file"
                              : !r->unit   ? "unit"
                              : !r->number ? "number"
                              : !r->title  ? "title"
                                           : NULL;
        if (missing) {
            fprintf(stderr, "%s:%u: %s: empty\n", path, row.line, missing);
            problems++;
            continue;
        }
        for (size_t k = 0; k + 1 < m->n; k++)
            if (strcmp(m->rows[k].unit, r->unit) == 0 && m->rows[k].year == r->year &&
                strcmp(m->rows[k].number, r->number) == 0) {
                fprintf(stderr,
                        "%s:%u: number: %s of %s for %d is listed twice (first at line "
                        "%u)\n",
                        path, row.line, r->number, r->unit, r->year, m->rows[k].line);
                problems++;
            }
        if (r->file[0] != '/') {
            char full[4096];
            snprintf(full, sizeof full, "%s/%s", dir, r->file);
            free(r->file);
            r->file = strdup(full);
        }
        if (!r->file || !(r->data = cli_read_file(r->file, MAX_PLAN_BYTES, &r->len))) {
            fprintf(stderr, "%s:%u: file: cannot read %s\n", path, row.line,
                    r->file ? r->file : "(out of memory)");
            problems++;
        }
    }
    if (got < 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        problems++;
    }
    if (!problems && m->n == 0) {
        fprintf(stderr, "%s: no plan listed\n", path);
        problems++;
    }
out:
    csv_destroy(&csv);
    free(dir_copy);
    free(data);
    return problems;
}

/* Sends rows [from, to) as one batch; prints each plan's outcome. */
static int send_part(cli_t *cli, manifest_t *m, size_t from, size_t to, bool dry_run,
                     bool skip_imported, bool json, json_t *out, unsigned *tasks, size_t *skipped)
{
    size_t n = to - from;
    Partrack__ImportFile *files = calloc(n, sizeof *files);
    Partrack__PlanImportRequest *plans = calloc(n, sizeof *plans);
    Partrack__PlanImportRequest **ptrs = calloc(n, sizeof *ptrs);
    if (!files || !plans || !ptrs) {
        free(files);
        free(plans);
        free(ptrs);
        fprintf(stderr, "partrack: out of memory\n");
        return CLI_REFUSED;
    }
    for (size_t i = 0; i < n; i++) {
        manifest_row_t *r = &m->rows[from + i];
        partrack__import_file__init(&files[i]);
        files[i].name = r->file;
        files[i].content.data = (uint8_t *)r->data;
        files[i].content.len = r->len;
        partrack__plan_import_request__init(&plans[i]);
        plans[i].file = &files[i];
        plans[i].unit = r->unit;
        plans[i].year = r->year;
        plans[i].number = r->number;
        plans[i].title = r->title;
        plans[i].issued_on = r->issued;
        plans[i].implements = r->implements;
        plans[i].n_implements = r->nimplements;
        ptrs[i] = &plans[i];
    }
    Partrack__PlanImportBatchRequest req = PARTRACK__PLAN_IMPORT_BATCH_REQUEST__INIT;
    req.plans = ptrs;
    req.n_plans = n;
    req.has_dry_run = 1;
    req.dry_run = dry_run;
    req.has_skip_imported = 1;
    req.skip_imported = skip_imported;
    Partrack__PlanImportBatchReply *r = NULL;
    int rc = cli_call(cli, cli->registry, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_BATCH, &req.base,
                      true, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_BATCH_REPLY,
                      &partrack__plan_import_batch_reply__descriptor, (ProtobufCMessage **)&r);
    free(files);
    free(plans);
    free(ptrs);
    if (rc != CLI_OK)
        return rc;
    for (size_t i = 0; i < r->n_plans && i < n; i++) {
        const Partrack__PlanImportReply *p = r->plans[i];
        const manifest_row_t *row = &m->rows[from + i];
        *tasks += p->skipped ? 0 : p->tasks;
        *skipped += p->skipped;
        if (json) {
            json_array_append_new(out,
                                  json_pack("{s:s, s:s, s:i, s:I, s:b, s:i, s:i, s:i, s:i}", "unit",
                                            row->unit, "number", row->number, "year", row->year,
                                            "plan_id", (json_int_t)p->plan_id, "skipped",
                                            p->skipped, "tasks", (int)p->tasks, "assigned",
                                            (int)p->assigned, "unresolved", (int)p->n_unresolved,
                                            "deadlines_unparsed", (int)p->deadlines_unparsed));
        } else if (p->skipped) {
            printf("  skipped  %s %s (already imported)\n", row->unit, row->number);
        } else if (p->n_unresolved || p->deadlines_unparsed || p->assigned < p->tasks) {
            printf("  %s %s: %u tasks, %u assigned, %zu names unresolved, %u deadlines not "
                   "understood (plan show for details)\n",
                   row->unit, row->number, p->tasks, p->assigned, p->n_unresolved,
                   p->deadlines_unparsed);
        }
    }
    partrack__plan_import_batch_reply__free_unpacked(r, NULL);
    return CLI_OK;
}

int cli_plan_import_manifest(cli_t *cli, const char *path, bool dry_run, bool skip_imported,
                             bool json)
{
    manifest_t m = {0};
    if (manifest_read(path, &m) > 0) {
        fprintf(stderr, "partrack: manifest refused, nothing was sent\n");
        manifest_free(&m);
        return CLI_REFUSED;
    }
    /* Parts of at most PART_BYTES (a plan bigger than that goes alone). */
    size_t nparts = 0, *ends = calloc(m.n + 1, sizeof *ends), bytes = 0;
    for (size_t i = 0; ends && i < m.n; i++) {
        if (bytes && bytes + m.rows[i].len > PART_BYTES) {
            ends[nparts++] = i;
            bytes = 0;
        }
        bytes += m.rows[i].len + 1024;
    }
    if (ends)
        ends[nparts++] = m.n;
    json_t *out = json ? json_array() : NULL;
    unsigned tasks = 0;
    size_t skipped = 0;
    int rc = ends ? CLI_OK : CLI_REFUSED;
    if (nparts > 1 && !json)
        printf("%zu plans in %zu parts, each imported whole or not at all\n", m.n, nparts);
    size_t from = 0, done_parts = 0;
    for (size_t p = 0; rc == CLI_OK && p < nparts; p++) {
        rc = send_part(cli, &m, from, ends[p], dry_run, skip_imported, json, out, &tasks, &skipped);
        if (rc == CLI_OK) {
            done_parts++;
            from = ends[p];
        }
    }
    if (rc != CLI_OK && done_parts > 0)
        fprintf(stderr,
                "partrack: parts 1-%zu (manifest rows up to line %u) were %s; run the same "
                "manifest again with --skip-imported after fixing the problem\n",
                done_parts, m.rows[from - 1].line, dry_run ? "checked" : "imported");
    if (rc == CLI_OK) {
        if (json)
            cli_print_json(json_pack("{s:b, s:i, s:o}", "dry_run", dry_run, "tasks", (int)tasks,
                                     "plans", out));
        else
            printf("%s%zu plans, %u tasks imported%s", dry_run ? "dry run, nothing changed: " : "",
                   m.n - skipped, tasks, skipped ? "" : "\n");
        if (skipped && !json)
            printf("; %zu skipped (already imported)\n", skipped);
    } else {
        json_decref(out);
    }
    free(ends);
    manifest_free(&m);
    return rc;
}
