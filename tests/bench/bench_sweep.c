/* bench_sweep.c - what a deadline sweep costs: with nothing due, and with
 * 10,000 transitions due at once, over a million open occurrences
 *
 * usage: bench_sweep CONNINFO [OCCURRENCES] [DUE]
 *
 * On an empty database: applies the deadline schema, loads OCCURRENCES open
 * occurrences (default 1,000,000) of tasks spread over 1,000 units, DUE of
 * them (default 10,000) reaching their next level at T and the rest months
 * later. Then times monitor_sweep at T - 1 s (idle: the median of 21 runs)
 * and at T (every due one moves, records its transition, writes its event),
 * and, as the same run's baseline, one INSERT of DUE rows from unnest into a
 * plain table (the database's floor for one batched write). The last line is
 * JSON: occurrences, transitions, seconds, transitions_per_s, idle_sweep_ms,
 * baseline_rows_per_s.
 */
#include "bench_stats.h"
#include "db.h"
#include "due_levels.h"
#include "migrate.h"
#include "monitor_sweep.h"
#include "workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const migration_t deadline_migrations[];
extern const int deadline_migrations_count;

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(db_t *db, const char *sql)
{
    if (db_run(db, sql) != DB_OK) {
        fprintf(stderr, "bench_sweep: %s\n  %s\n", db_error(db), sql);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_sweep CONNINFO [OCCURRENCES] [DUE]\n");
        return 2;
    }
    long total = argc > 2 ? atol(argv[2]) : 1000000, due = argc > 3 ? atol(argv[3]) : 10000;
    char err[1024], sql[2048];
    db_t *db = db_new(argv[1], "bench_sweep");
    workcal_t *cal = workcal_load_default(err, sizeof err);
    if (!db || !cal || db_ensure(db, 10000) != DB_OK) {
        fprintf(stderr, "bench_sweep: %s\n", cal ? db_error(db) : err);
        return 1;
    }
    int applied;
    if (migrate_apply(db, "deadline", deadline_migrations, deadline_migrations_count, &applied, err,
                      sizeof err) < 0) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        return 1;
    }
    /* T: 00:00 of Monday 1/7/2024, UTC+7; due on Sunday 30/6 moved to 1/7. */
    date_t effective = date_from_ymd(2024, 7, 1);
    int64_t at[DUE_LEVELS];
    due_level_instants(cal, effective, &DUE_POLICY_DEFAULT, at);
    int64_t t = at[DUE_DUE];
    fprintf(stderr, "loading %ld occurrences (%ld due at once)...\n", total, due);
    double load = seconds();
    long tasks = total / 10;
    snprintf(sql, sizeof sql,
             "INSERT INTO deadline.task (task_id, top_code, plan_id, plan_number, plan_unit, "
             "year, ordinal, title, lead, deadline_text, kind) SELECT i, 'B', i / 100, (i / 100) "
             "|| '/KH-UBND', 'B.W' || (i %% 1000), 2024, (i %% 100)::text, 'Nhiệm vụ số ' || i, "
             "ARRAY['B.W' || (i %% 1000) || '.VP'], 'Hàng tháng', 'recurring' FROM "
             "generate_series(1, %ld) i",
             tasks);
    run(db, sql);
    /* Ten occurrences a task; the first `due` reach `due` at T, the rest in
     * the autumn. */
    snprintf(sql, sizeof sql,
             "INSERT INTO deadline.occurrence (task_id, seq, nominal, effective, label, level, "
             "next_level, next_at) SELECT 1 + (n - 1) / 10, 1 + (n - 1) %% 10, "
             "CASE WHEN n <= %ld THEN DATE '2024-06-30' ELSE DATE '2024-10-31' END, "
             "CASE WHEN n <= %ld THEN DATE '2024-07-01' ELSE DATE '2024-10-31' END, 'kỳ', 1, 2, "
             "CASE WHEN n <= %ld THEN to_timestamp(%lld) ELSE to_timestamp(%lld) + interval "
             "'120 days' END FROM generate_series(1, %ld) n",
             due, due, due, (long long)t, (long long)t, total);
    run(db, sql);
    run(db, "ANALYZE deadline.task");
    run(db, "ANALYZE deadline.occurrence");
    fprintf(stderr, "loaded in %.1f s\n", seconds() - load);

    /* Idle: nothing has reached its next level a second before T. */
    double idle[21];
    int64_t last = 0;
    for (int i = 0; i < 21; i++) {
        size_t n = 0;
        double start = seconds();
        if (monitor_sweep(db, cal, &DUE_POLICY_DEFAULT, t - 1, 1000, &n, &last) < 0 || n) {
            fprintf(stderr, "bench_sweep: idle sweep failed: %s\n", db_error(db));
            return 1;
        }
        idle[i] = (seconds() - start) * 1000;
    }
    qsort(idle, 21, sizeof idle[0], bench_cmp_double);

    size_t moved = 0;
    double start = seconds();
    if (monitor_sweep(db, cal, &DUE_POLICY_DEFAULT, t, 1000, &moved, &last) < 0) {
        fprintf(stderr, "bench_sweep: sweep failed: %s\n", db_error(db));
        return 1;
    }
    double busy = seconds() - start;

    /* Baseline: the same number of rows in one batched INSERT. */
    run(db, "CREATE TEMP TABLE baseline (a bigint, b smallint, c timestamptz)");
    snprintf(sql, sizeof sql,
             "INSERT INTO baseline SELECT a, 3, to_timestamp(%lld) FROM unnest((SELECT "
             "array_agg(g) FROM generate_series(1, %ld) g)) a",
             (long long)t, due);
    start = seconds();
    run(db, sql);
    double base = seconds() - start;

    printf("occurrences %ld, due at once %ld\n", total, due);
    printf("idle sweep: median %.2f ms (min %.2f, max %.2f)\n", idle[10], idle[0], idle[20]);
    printf("busy sweep: %zu transitions in %.3f s (%.0f/s)\n", moved, busy, moved / busy);
    printf("baseline, one INSERT of %ld rows: %.3f s (%.0f rows/s); sweep/baseline time %.1f\n",
           due, base, due / base, busy / base);
    printf("{\"occurrences\": %ld, \"transitions\": %zu, \"seconds\": %.3f, \"transitions_per_s\": "
           "%.0f, \"idle_sweep_ms\": %.2f, \"baseline_rows_per_s\": %.0f}\n",
           total, moved, busy, moved / busy, idle[10], due / base);
    workcal_destroy(&cal);
    db_destroy(&db);
    return moved == (size_t)due ? 0 : 1;
}
