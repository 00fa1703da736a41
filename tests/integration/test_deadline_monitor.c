/* test_deadline_monitor.c - the deadline service on a controlled clock
 *
 * The real registry and deadline service on a fresh database, the sample
 * city, and one plan of Phú Lãm with deadlines chosen around the calendar's
 * hard places: Tết 2024 (9/2 falls in the holiday: due 15/2), the 30/4-1/5
 * holiday (27/4 is off: due 2/5; Saturday 4/5 is a working day, so three
 * working days overdue ends on Monday 6/5), a monthly report, a continuous
 * task and one waiting for its event. Time moves only by `partrack clock
 * set` (PARTRACK_DEADLINE_CLOCK=manual), so every transition is checked at
 * the instant it must happen, exactly once, across restarts and a SIGKILL.
 */
#include "deadline.pb-c.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_service_t registry, deadline;
static char db[64];

static const char plan[] =
    "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
    "1\tBáo cáo kết quả 6 tháng\tVăn phòng UBND\ttrước ngày 05/7/2024\n"
    "2\tKế hoạch kiểm tra CCHC\tBộ phận Một cửa\ttrước ngày 10/02/2024\n"
    "3\tRà soát thủ tục hành chính\tBộ phận Một cửa\ttrước ngày 28/4/2024\n"
    "4\tBáo cáo tình hình giải quyết hồ sơ\tBộ phận Một cửa\tHàng tháng\n"
    "5\tCông khai thủ tục hành chính\tVăn phòng UBND\tThường xuyên\n"
    "6\tTriển khai phần mềm mới\tVăn phòng UBND\tSau khi Sở Nội vụ triển khai\n"
    "7\tTrả lời kiến nghị của cử tri\tVăn phòng UBND\tTrong 05 ngày làm việc kể từ khi nhận "
    "được văn bản\n";

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* Runs partrack against the deadline service; returns the exit status. */
static int dl(harness_run_t *r, const char *a1, const char *a2, const char *a3, const char *a4,
              const char *a5)
{
    return harness_cli(r, registry.endpoint, "--deadline", deadline.endpoint, a1, a2, a3, a4, a5,
                       NULL);
}

/* Sets the clock; returns the transitions the service says it emitted. */
static long clock_set(const char *when)
{
    harness_run_t r;
    int rc = dl(&r, "clock", "set", when, "--json", NULL);
    cr_assert_eq(rc, 0, "clock set %s: %s", when, r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_not_null(out, "%s", r.out);
    long n = (long)json_integer_value(json_object_get(out, "transitions"));
    json_decref(out);
    harness_run_free(&r);
    return n;
}

/* Transitions recorded for task `ordinal` of the plan at `level`. */
static long transitions(const char *ordinal, int level)
{
    char query[512];
    snprintf(query, sizeof query,
             "SELECT count(*) FROM deadline.transition x JOIN deadline.occurrence o ON o.id = "
             "x.occurrence_id JOIN deadline.task t ON t.task_id = o.task_id WHERE t.ordinal = "
             "'%s' AND x.level = %d",
             ordinal, level);
    return sql(query);
}

/* The instant (UTC+7, "YYYY-MM-DD HH24:MI") task `ordinal` reached `level`. */
static char *reached_at(const char *ordinal, int level)
{
    static char out[64];
    char query[512];
    snprintf(query, sizeof query,
             "SELECT to_char(x.at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MI')::bigint FROM "
             "deadline.transition x JOIN deadline.occurrence o ON o.id = x.occurrence_id JOIN "
             "deadline.task t ON t.task_id = o.task_id WHERE t.ordinal = '%s' AND x.level = %d "
             "ORDER BY o.seq LIMIT 1",
             ordinal, level);
    snprintf(out, sizeof out, "%ld", sql(query));
    return out;
}

static void wait_tasks(long n)
{
    for (int i = 0; i < harness_scale(250) && sql("SELECT count(*) FROM deadline.task") < n; i++)
        usleep(20000);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.task"), n,
                 "the deadline service took in "
                 "the tasks");
}

static void start(void)
{
    snprintf(db, sizeof db, "deadline_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    cr_assert_eq(harness_deadline_start(&deadline, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_POLL_MS=50", NULL),
                 0, "deadline service did not start (log %s)", deadline.log);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "sample import failed: %s", r.err);
    harness_run_free(&r);
    clock_set("2024-01-01");
    const char *file = harness_write_temp("deadline-plan.tsv", plan, strlen(plan));
    rc = harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                     "--year", "2024", "--number", "104/KH-UBND", "--title", "Kế hoạch CCHC 2024",
                     NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    wait_tasks(7);
}

static void stop(void)
{
    harness_service_stop(&deadline, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(deadline, .init = start, .fini = stop, .timeout = 120);

Test(deadline, occurrences_follow_the_calendar)
{
    /* 1 + 1 + 1 + 12 monthly due occurrences, one stale watch, two waiting tasks. */
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence WHERE kind = 'due'"), 15);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence WHERE kind = 'stale'"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.task WHERE waiting"), 2);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '2' AND o.nominal = '2024-02-09' "
                     "AND o.effective = '2024-02-15'"),
                 1, "9/2/2024 is in Tết: due on Thursday 15/2");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.transition"), 0,
                 "on 1/1 everything is long-term");
    /* The list is cut at --limit; the total counts everything open: 15 due
     * occurrences and the 2 waiting tasks. */
    harness_run_t r;
    int rc = dl(&r, "due", "--limit", "2", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_array_size(json_object_get(out, "items")), 2, "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(out, "total")), 17, "%s", r.out);
    json_decref(out);
    harness_run_free(&r);
}

Test(deadline, every_level_once_at_its_instant)
{
    /* 3/2: January's report went due soon (24/1), due (31/1), overdue (1/2). */
    cr_assert_eq(clock_set("2024-02-03"), 3);
    cr_assert_str_eq(reached_at("4", 1), "202401240000");
    cr_assert_str_eq(reached_at("4", 2), "202401310000");
    cr_assert_str_eq(reached_at("4", 3), "202402010000");
    cr_assert_eq(transitions("4", 4), 0);
    /* Written in the order they fell due. */
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT x.at, lag(x.at) OVER (ORDER BY x.id) AS prev "
                     "FROM deadline.transition x) s WHERE at < prev"),
                 0);
    /* 10/2: the Tết task is due soon (8/2); January's report escalated after
     * three working days overdue (1/2, 2/2, 5/2: at 6/2 00:00). */
    cr_assert_eq(clock_set("2024-02-10"), 2);
    cr_assert_str_eq(reached_at("2", 1), "202402080000");
    cr_assert_str_eq(reached_at("4", 4), "202402060000");
    cr_assert_eq(transitions("2", 2), 0, "not due before its last working day");
    /* The same time again emits nothing. */
    cr_assert_eq(clock_set("2024-02-10"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.event_log WHERE type = 'DueTransition'"),
                 sql("SELECT count(*) FROM deadline.transition"));

    /* 30/4-1/5: due 2/5; overdue from 3/5; Saturday 4/5 is a working day, so
     * the third working day overdue ends on Monday 6/5. */
    clock_set("2024-05-06T12:00");
    cr_assert_str_eq(reached_at("3", 3), "202405030000");
    cr_assert_eq(transitions("3", 4), 0);
    clock_set("2024-05-07");
    cr_assert_str_eq(reached_at("3", 4), "202405070000");

    /* What `partrack due` says of the Tết task on 14/2. */
    harness_run_t r;
    clock_set("2024-02-14T09:00");
    int rc = dl(&r, "due", "--unit", "HN.HADONG.PHULAM.MC", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    json_t *items = json_object_get(out, "items");
    bool seen = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(it, "ordinal")), "2") != 0)
            continue;
        seen = true;
        cr_assert_str_eq(json_string_value(json_object_get(it, "due_date")), "2024-02-15");
        cr_assert_str_eq(json_string_value(json_object_get(it, "level")), "due_soon");
    }
    cr_assert(seen, "%s", r.out);
    json_decref(out);
    harness_run_free(&r);
}

Test(deadline, done_on_time_or_late_and_the_counts)
{
    long task2 = sql("SELECT task_id FROM deadline.task WHERE ordinal = '2'");
    long task1 = sql("SELECT task_id FROM deadline.task WHERE ordinal = '1'");
    char id2[24], id1[24];
    snprintf(id2, sizeof id2, "%ld", task2);
    snprintf(id1, sizeof id1, "%ld", task1);
    harness_run_t r;
    cr_assert_eq(harness_cli(&r, registry.endpoint, "task", "update", id2, "--status", "done",
                             "--completed", "2024-02-15T16:00:00+07:00", NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(harness_cli(&r, registry.endpoint, "task", "update", id1, "--status", "done",
                             "--completed", "2024-07-05T08:00:00+07:00", NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    for (int i = 0;
         i < harness_scale(100) && sql("SELECT count(*) FROM deadline.occurrence WHERE state = "
                                       "'done'") < 2;
         i++)
        usleep(20000);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '2' AND o.outcome = 'on_time'"),
                 1, "done on 15/2 before 24:00: on time");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '1' AND o.outcome = 'late'"),
                 1, "done on 5/7, due 4/7: late");
    /* No level is reached by a done occurrence. */
    clock_set("2024-08-01");
    cr_assert_eq(transitions("2", 1), 0);

    int rc = dl(&r, "status", "--json", NULL, NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    json_t *total = json_object_get(out, "total");
    cr_assert_eq(json_integer_value(json_object_get(total, "done_on_time")), 1, "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(total, "done_late")), 1);
    /* By 1/8: task 3 and seven monthly reports (Jan-Jul) are overdue. */
    cr_assert_eq(json_integer_value(json_object_get(total, "open_overdue")), 8, "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(total, "open_within")), 5);
    cr_assert_eq(json_integer_value(json_object_get(total, "waiting")), 2);
    json_decref(out);
    harness_run_free(&r);
}

/* The OccurrenceClosed event of the newest one of that outcome; NULL if none. */
static Partrack__OccurrenceClosed *closed_event(const char *outcome)
{
    char query[256];
    size_t len = 0;
    for (int i = 0; i < harness_scale(100); i++) {
        long n = sql("SELECT count(*) FROM deadline.events WHERE type = 'OccurrenceClosed'");
        for (long k = 0; k < n; k++) {
            snprintf(query, sizeof query,
                     "SELECT payload FROM deadline.events WHERE type = 'OccurrenceClosed' ORDER "
                     "BY seq DESC OFFSET %ld LIMIT 1",
                     k);
            uint8_t *buf = harness_sql_bytes(db, query, &len);
            Partrack__OccurrenceClosed *ev =
                buf ? partrack__occurrence_closed__unpack(NULL, len, buf) : NULL;
            free(buf);
            if (ev && strcmp(ev->outcome, outcome) == 0)
                return ev;
            if (ev)
                partrack__occurrence_closed__free_unpacked(ev, NULL);
        }
        usleep(20000);
    }
    return NULL;
}

Test(deadline, closed_occurrences_are_events_and_outcomes)
{
    long task2 = sql("SELECT task_id FROM deadline.task WHERE ordinal = '2'");
    long task3 = sql("SELECT task_id FROM deadline.task WHERE ordinal = '3'");
    long task4 = sql("SELECT task_id FROM deadline.task WHERE ordinal = '4'");
    char id2[24], id3[24], id4[24];
    snprintf(id2, sizeof id2, "%ld", task2);
    snprintf(id3, sizeof id3, "%ld", task3);
    snprintf(id4, sizeof id4, "%ld", task4);
    harness_run_t r;
    cr_assert_eq(harness_cli(&r, registry.endpoint, "task", "update", id2, "--status", "done",
                             "--completed", "2024-02-15T16:00:00+07:00", NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    Partrack__OccurrenceClosed *ev = closed_event("on_time");
    cr_assert_not_null(ev, "an OccurrenceClosed for task 2");
    cr_assert_eq(ev->task_id, task2);
    cr_assert_str_eq(ev->plan_number, "104/KH-UBND");
    cr_assert_str_eq(ev->plan_unit, "HN.HADONG.PHULAM");
    cr_assert_str_eq(ev->due_date, "2024-02-15");
    cr_assert_str_eq(ev->completed_at, "2024-02-15T16:00:00+07:00");
    cr_assert_eq(ev->n_lead, 1);
    cr_assert_str_eq(ev->lead[0], "HN.HADONG.PHULAM.MC");
    cr_assert_eq(ev->year, 2024);
    partrack__occurrence_closed__free_unpacked(ev, NULL);

    /* One period of the monthly report, late: January's, done on 2/2. */
    cr_assert_eq(harness_cli(&r, registry.endpoint, "task", "update", id4, "--completed",
                             "2024-02-02T09:00:00+07:00", NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    ev = closed_event("late");
    cr_assert_not_null(ev, "an OccurrenceClosed for January's report");
    cr_assert_eq(ev->task_id, task4);
    cr_assert_eq(ev->seq, 1);
    partrack__occurrence_closed__free_unpacked(ev, NULL);

    /* Cancelled: no completion time. */
    cr_assert_eq(
        harness_cli(&r, registry.endpoint, "task", "update", id3, "--status", "cancelled", NULL), 0,
        "%s", r.err);
    harness_run_free(&r);
    ev = closed_event("cancelled");
    cr_assert_not_null(ev, "an OccurrenceClosed for the cancelled task");
    cr_assert_eq(ev->task_id, task3);
    cr_assert_null(ev->completed_at);
    partrack__occurrence_closed__free_unpacked(ev, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.events WHERE type = 'OccurrenceClosed'"), 3,
                 "one event per occurrence closed, none for the stale watch");

    /* The documented view says the same, with the service's clock. */
    cr_assert_eq(sql("SELECT count(*) FROM deadline.outcomes WHERE state = 'done' AND outcome = "
                     "'on_time' AND due_date = '2024-02-15' AND plan_number = '104/KH-UBND'"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.outcomes WHERE state = 'cancelled'"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.outcomes"), 15, "due occurrences only");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.outcomes WHERE as_of = '2024-01-01 "
                     "00:00+07'"),
                 15, "as of the manual clock");
}

Test(deadline, an_acknowledgement_stops_the_escalation)
{
    clock_set("2024-05-02T10:00");
    long occ = sql("SELECT o.id FROM deadline.occurrence o JOIN deadline.task t ON t.task_id = "
                   "o.task_id WHERE t.ordinal = '3'");
    char id[24];
    snprintf(id, sizeof id, "%ld", occ);
    harness_run_t r;
    int rc = dl(&r, "due", "ack", id, "--level", "due");
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    clock_set("2024-05-20");
    cr_assert_eq(transitions("3", 3), 1, "it still went overdue");
    cr_assert_eq(transitions("3", 4), 0, "the parent unit's head is not told");
    /* An acknowledgement of a level not reached is refused. */
    long later = sql("SELECT o.id FROM deadline.occurrence o JOIN deadline.task t ON t.task_id = "
                     "o.task_id WHERE t.ordinal = '4' AND o.seq = 12");
    snprintf(id, sizeof id, "%ld", later);
    rc = dl(&r, "due", "ack", id, "--level", "overdue");
    cr_assert_eq(rc, 1, "%s", r.out);
    harness_run_free(&r);
}

Test(deadline, a_continuous_task_goes_stale_and_an_update_restarts_it)
{
    clock_set("2024-03-31");
    cr_assert_eq(transitions("5", 5), 0);
    clock_set("2024-04-02");
    cr_assert_eq(transitions("5", 5), 1, "a quarter without an update");
    long task5 = sql("SELECT task_id FROM deadline.task WHERE ordinal = '5'");
    char id[24];
    snprintf(id, sizeof id, "%ld", task5);
    harness_run_t r;
    cr_assert_eq(harness_cli(&r, registry.endpoint, "task", "update", id, "--progress", "30",
                             "--note", "Đã công khai", NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    for (int i = 0;
         i < harness_scale(100) && sql("SELECT count(*) FROM deadline.occurrence WHERE kind = "
                                       "'stale' AND level = 0") < 1;
         i++)
        usleep(20000);
    clock_set("2024-06-30");
    cr_assert_eq(transitions("5", 5), 1, "the update restarted the quarter");
    clock_set("2024-07-03");
    cr_assert_eq(transitions("5", 5), 2);
}

Test(deadline, missed_transitions_come_once_each_after_downtime)
{
    clock_set("2024-01-30");
    long before = sql("SELECT count(*) FROM deadline.transition");
    harness_service_stop(&deadline, SIGTERM);
    /* Two days pass while the service is down. */
    cr_assert_eq(sql("UPDATE deadline.clock SET now = '2024-02-01 12:00+07' RETURNING 1"), 1);
    cr_assert_eq(harness_service_restart(&deadline), 0, "log %s", deadline.log);
    for (int i = 0;
         i < harness_scale(100) && sql("SELECT count(*) FROM deadline.transition") == before; i++)
        usleep(20000);
    harness_pause(200);
    /* January's report: due on 31/1 and overdue on 1/2, each once, in order. */
    cr_assert_eq(transitions("4", 2), 1);
    cr_assert_eq(transitions("4", 3), 1);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.event_log WHERE type = 'DueTransition'"),
                 sql("SELECT count(*) FROM deadline.transition"));
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT x.at, lag(x.at) OVER (ORDER BY x.id) AS prev "
                     "FROM deadline.transition x) s WHERE at < prev"),
                 0, "written in the order they fell due");
    long after = sql("SELECT count(*) FROM deadline.transition");
    /* Restarting again replays nothing. */
    harness_service_stop(&deadline, SIGTERM);
    cr_assert_eq(harness_service_restart(&deadline), 0);
    harness_pause(300);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.transition"), after);
}

Test(deadline, sigkill_in_the_middle_of_a_batch_loses_and_repeats_nothing)
{
    harness_service_stop(&deadline, SIGTERM);
    cr_assert_eq(sql("UPDATE deadline.clock SET now = '2024-12-31 12:00+07' RETURNING 1"), 1);
    /* Hold the event counter: the sweep blocks inside its transaction. */
    PGconn *hold = harness_pg(db);
    PQclear(PQexec(hold, "BEGIN"));
    PQclear(PQexec(hold, "SELECT * FROM deadline.event_counter FOR UPDATE"));
    cr_assert_eq(harness_service_restart(&deadline), 0);
    bool blocked = false;
    for (int i = 0; i < harness_scale(250) && !blocked; i++) {
        blocked = sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                      "'partrack-deadline' AND wait_event_type = 'Lock'") > 0;
        usleep(20000);
    }
    cr_assert(blocked, "the sweep did not reach the event counter");
    harness_service_stop(&deadline, SIGKILL);
    PQclear(PQexec(hold, "ROLLBACK"));
    PQfinish(hold);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.transition"), 0,
                 "the killed batch left nothing");
    cr_assert_eq(harness_service_restart(&deadline), 0);
    for (int i = 0;
         i < harness_scale(250) && sql("SELECT count(*) FROM deadline.occurrence WHERE next_at <= "
                                       "'2024-12-31 12:00+07'") > 0;
         i++)
        usleep(20000);
    harness_pause(200);
    /* Every level of every occurrence reached by 31/12, once. */
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT occurrence_id, level FROM deadline.transition "
                     "GROUP BY 1, 2 HAVING count(*) > 1) d"),
                 0);
    cr_assert_eq(transitions("4", 4), 11, "January to November escalated, once each");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.event_log WHERE type = 'DueTransition'"),
                 sql("SELECT count(*) FROM deadline.transition"));
    cr_assert_eq(sql("SELECT max(seq) - count(*) FROM deadline.event_log"), 0, "gap-free");
}

Test(deadline, a_triggered_event_task_starts_its_clock)
{
    long task7 = sql("SELECT task_id FROM deadline.task WHERE ordinal = '7'");
    char id[24];
    snprintf(id, sizeof id, "%ld", task7);
    harness_run_t r;
    /* The letter arrives on Wednesday 7/2/2024; five working days after it,
     * Tết included, end on Wednesday 21/2. */
    int rc = harness_cli(&r, registry.endpoint, "task", "trigger", id, "--on", "2024-02-07", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    for (int i = 0;
         i < harness_scale(100) && sql("SELECT count(*) FROM deadline.task WHERE ordinal = '7' AND "
                                       "NOT waiting") < 1;
         i++)
        usleep(20000);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '7' AND o.effective = "
                     "'2024-02-21' AND o.label = '5 ngày làm việc kể từ ngày 07/02/2024'"),
                 1);
    clock_set("2024-02-21T08:00");
    cr_assert_str_eq(reached_at("7", 1), "202402140000");
    cr_assert_str_eq(reached_at("7", 2), "202402210000");
    /* Once only, and only for a task that waits for an event. */
    rc = harness_cli(&r, registry.endpoint, "task", "trigger", id, "--on", "2024-02-08", NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, "already triggered on 2024-02-07"), "%s", r.err);
    harness_run_free(&r);
    snprintf(id, sizeof id, "%ld", sql("SELECT task_id FROM deadline.task WHERE ordinal = '1'"));
    rc = harness_cli(&r, registry.endpoint, "task", "trigger", id, "--on", "2024-02-08", NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, "does not wait for an event"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskTriggered'"), 1);
    /* An update on a waiting task is the first sign its event happened: task
     * 6 ("Sau khi Sở Nội vụ triển khai", no period) is due the day the
     * update was recorded (the registry's day, UTC+7), once. */
    snprintf(id, sizeof id, "%ld", sql("SELECT task_id FROM deadline.task WHERE ordinal = '6'"));
    rc = harness_cli(&r, registry.endpoint, "task", "update", id, "--progress", "10", "--note",
                     "Sở Nội vụ đã triển khai", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "task", "update", id, "--progress", "20", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    for (int i = 0;
         i < harness_scale(100) && sql("SELECT count(*) FROM deadline.task WHERE ordinal = '6' AND "
                                       "NOT waiting") < 1;
         i++)
        usleep(20000);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id JOIN registry.task rt ON rt.id = t.task_id WHERE "
                     "t.ordinal = '6' AND o.nominal = rt.triggered_on AND rt.triggered_on = "
                     "(now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskTriggered'"), 2);
}

Test(deadline, a_calendar_change_moves_due_dates_and_their_levels)
{
    /* 4/7/2024 is task 1's last day; on its morning the task is due. */
    clock_set("2024-07-04T09:00");
    cr_assert_eq(transitions("1", 2), 1);
    /* An official notice makes 4/7 a day off (a drill: it was not). */
    json_error_t jerr;
    json_t *doc =
        json_load_file(harness_source("services/deadline/data/calendar-vn.json"), 0, &jerr);
    cr_assert_not_null(doc, "%s", jerr.text);
    json_t *off =
        json_object_get(json_object_get(json_object_get(doc, "years"), "2024"), "days_off");
    json_array_append_new(off, json_pack("{s:s, s:s}", "date", "2024-07-04", "name", "Nghỉ thử"));
    char *text = json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    const char *file = harness_write_temp("calendar.json", text, strlen(text));
    free(text);
    harness_run_t r;
    int rc = dl(&r, "calendar", "import", file, "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(out, "moved")), 1, "%s", r.out);
    json_decref(out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '1' AND o.effective = '2024-07-05' "
                     "AND o.level = 1"),
                 1, "due on Friday 5/7 now, so only due soon on the 4th");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.event_log WHERE type = 'DueRecomputed'"), 1);
    /* The moved date reaches `due` again, at its new instant. */
    clock_set("2024-07-05T08:00");
    cr_assert_eq(transitions("1", 2), 2);
    /* The imported calendar survives a restart. */
    harness_service_stop(&deadline, SIGTERM);
    cr_assert_eq(harness_service_restart(&deadline), 0);
    FILE *log = fopen(deadline.log, "r");
    char line[1024];
    bool imported = false;
    while (log && fgets(line, sizeof line, log))
        imported |= strstr(line, "source=imported") != NULL;
    if (log)
        fclose(log);
    cr_assert(imported, "the restarted service runs on the imported calendar");
    /* A document that is not a calendar is refused and changes nothing. */
    const char *bad = harness_write_temp("bad.json", "{\"format\": 2}", 13);
    rc = dl(&r, "calendar", "import", bad, NULL, NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, "format"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.calendar WHERE name LIKE '%calendar.json'"), 1);
}

/* Requests a consultation; returns its id. */
static long consult(const char *to, const char *due)
{
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "consult", "request", "--from",
                         "HN.HADONG.PHULAM.VP", "--to", to, "--subject",
                         "Góp ý dự thảo Kế hoạch CCHC năm 2025", "--due", due, "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    long id = (long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    harness_run_free(&r);
    return id;
}

static long deemed(void)
{
    return sql("SELECT count(*) FROM deadline.event_log WHERE type = 'ConsultationDeemedAgreed'");
}

Test(deadline, a_consultation_without_an_answer_is_deemed_agreed_once)
{
    clock_set("2024-03-01");
    long silent = consult("HN.HADONG.NV", "2024-03-15");
    long answered = consult("HN.HADONG.TP", "2024-03-15");
    /* Due on a day off (30/4): it ends with Thursday 2/5. */
    long holiday = consult("HN.HADONG.TCKH", "2024-04-30");
    char id[24];
    snprintf(id, sizeof id, "%ld", answered);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "consult", "answer", id, "--text",
                         "Thống nhất với dự thảo", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "consult", "answer", id, "--text", "Lần nữa", NULL);
    cr_assert_eq(rc, 1, "answered once");
    harness_run_free(&r);
    for (int i = 0;
         i < harness_scale(100) && sql("SELECT count(*) FROM deadline.consultation WHERE state = "
                                       "'answered'") < 1;
         i++)
        usleep(20000);
    clock_set("2024-03-15T23:59");
    cr_assert_eq(deemed(), 0, "not before 24:00 of the due date");
    clock_set("2024-03-16");
    cr_assert_eq(deemed(), 1);
    char query[256];
    snprintf(query, sizeof query,
             "SELECT count(*) FROM deadline.consultation WHERE id = %ld AND state = "
             "'deemed_agreed'",
             silent);
    cr_assert_eq(sql(query), 1);
    clock_set("2024-05-02T23:00");
    cr_assert_eq(deemed(), 1, "30/4 and 1/5 are days off: the holiday one ends with 2/5");
    clock_set("2024-05-03");
    cr_assert_eq(deemed(), 2);
    snprintf(query, sizeof query,
             "SELECT count(*) FROM registry.consultation WHERE id = %ld AND effective_due = "
             "'2024-05-02'",
             holiday);
    cr_assert_eq(sql(query), 1);
    clock_set("2024-06-01");
    cr_assert_eq(deemed(), 2, "once each");
    /* The registry shows the answer. */
    rc = harness_cli(&r, registry.endpoint, "consult", "show", id, "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(out, "answer")), "Thống nhất với dự thảo");
    json_decref(out);
    harness_run_free(&r);
    /* Bad requests are refused. */
    rc = harness_cli(&r, registry.endpoint, "consult", "request", "--from", "HN.HADONG.PHULAM.VP",
                     "--to", "HN.KHONGCO", "--subject", "x", "--due", "2024-03-15", NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, "to: HN.KHONGCO is not a unit"), "%s", r.err);
    harness_run_free(&r);
}

Test(deadline, a_late_link_of_a_report_chain_shows_the_deadline_it_threatens)
{
    char t2[24], t3[24];
    snprintf(t2, sizeof t2, "%ld", sql("SELECT task_id FROM deadline.task WHERE ordinal = '2'"));
    snprintf(t3, sizeof t3, "%ld", sql("SELECT task_id FROM deadline.task WHERE ordinal = '3'"));
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "task", "feed", t2, "--into", t3, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "task", "feed", t3, "--into", t2, NULL);
    cr_assert_eq(rc, 1, "a chain does not loop");
    cr_assert(strstr(r.err, "does not loop"), "%s", r.err);
    harness_run_free(&r);
    for (int i = 0; i < harness_scale(100) && sql("SELECT count(*) FROM deadline.task_feed") < 1;
         i++)
        usleep(20000);
    /* 16/2: task 2 (due 15/2) is overdue; it feeds task 3, due 2/5. */
    clock_set("2024-02-16T09:00");
    rc = dl(&r, "due", "--overdue", "--json", NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    json_t *items = json_object_get(out, "items");
    bool seen = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(it, "ordinal")), "2") != 0)
            continue;
        seen = true;
        json_t *th = json_object_get(it, "threatens");
        cr_assert(json_is_object(th), "%s", r.out);
        cr_assert_str_eq(json_string_value(json_object_get(th, "due_date")), "2024-05-02");
        cr_assert_str_eq(json_string_value(json_object_get(th, "ordinal")), "3");
    }
    cr_assert(seen, "%s", r.out);
    json_decref(out);
    harness_run_free(&r);
    /* The overdue transition tells it too. */
    size_t len;
    uint8_t *bytes = harness_sql_bytes(db,
                                       "SELECT e.payload FROM deadline.event_log e ORDER BY seq "
                                       "DESC LIMIT 1",
                                       &len);
    cr_assert_not_null(bytes);
    Partrack__DueTransition *ev = partrack__due_transition__unpack(NULL, len, bytes);
    free(bytes);
    cr_assert_not_null(ev);
    cr_assert_str_eq(ev->level, "overdue");
    cr_assert_str_eq(ev->ordinal, "2");
    cr_assert_not_null(ev->threatens);
    cr_assert_str_eq(ev->threatens->due_date, "2024-05-02");
    partrack__due_transition__free_unpacked(ev, NULL);
}

/* The data window of the due item of `plan` with `ordinal` due on `due`,
 * as "FROM..TO" with "!" when clipped, "-" when it has none. */
static const char *window_of(json_t *items, const char *ordinal, const char *due)
{
    static char out[64];
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(it, "ordinal")), ordinal) != 0 ||
            strcmp(json_string_value(json_object_get(it, "due_date")), due) != 0)
            continue;
        json_t *w = json_object_get(it, "data_window");
        if (!json_is_object(w))
            return "-";
        snprintf(out, sizeof out, "%s..%s%s", json_string_value(json_object_get(w, "from")),
                 json_string_value(json_object_get(w, "to")),
                 json_is_true(json_object_get(w, "clipped")) ? "!" : "");
        return out;
    }
    cr_assert_fail("no item %s due %s", ordinal, due);
    return NULL;
}

Test(deadline, a_periodic_report_covers_its_cut_off_window)
{
    static const char reports[] =
        "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
        "1\tBáo cáo CCHC định kỳ\tVăn phòng UBND\tQuý I, 6 tháng, quý III và năm\n"
        "2\tCác bộ phận báo cáo kết quả thực hiện\tBộ phận Một cửa\ttrước ngày 05 tháng cuối "
        "quý\n"
        "3\tTổ chức đối thoại với cá nhân, tổ chức\tVăn phòng UBND\tQuý II/2024\n";
    const char *file = harness_write_temp("reports.tsv", reports, strlen(reports));
    harness_run_t r;
    int rc =
        harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                    "--year", "2024", "--number", "105/KH-UBND", "--title", "Chế độ báo cáo", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    wait_tasks(10);
    rc = dl(&r, "due", "--plan", "105/KH-UBND", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    json_t *items = json_object_get(out, "items");
    /* Seed 000 §III's four windows (due dates moved off the weekends). */
    cr_assert_str_eq(window_of(items, "1", "2024-04-01"), "2023-12-15..2024-03-14");
    cr_assert_str_eq(window_of(items, "1", "2024-07-01"), "2023-12-15..2024-06-14");
    cr_assert_str_eq(window_of(items, "1", "2024-09-30"), "2024-06-15..2024-09-14");
    cr_assert_str_eq(window_of(items, "1", "2024-12-31"), "2023-12-15..2024-12-14");
    /* Sent before the 5th: the data stop on the 3rd. */
    cr_assert_str_eq(window_of(items, "2", "2024-03-04"), "2023-12-15..2024-03-03!");
    /* Not a report: no window. */
    cr_assert_str_eq(window_of(items, "3", "2024-07-01"), "-");
    json_decref(out);
    harness_run_free(&r);
    rc = dl(&r, "due", "--plan", "105/KH-UBND", NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "số liệu / data: 15/12/2023 - 14/03/2024"), "%s", r.out);
    harness_run_free(&r);
}

/* Reschedules task `ordinal` of the plan with the registry. */
static void reschedule(const char *ordinal, const char *deadline)
{
    char query[256], id[24];
    snprintf(query, sizeof query, "SELECT task_id FROM deadline.task WHERE ordinal = '%s'",
             ordinal);
    snprintf(id, sizeof id, "%ld", sql(query));
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "task", "reschedule", id, "--deadline", deadline,
                         "--reason", "Văn bản gia hạn", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
}

/* Waits until the deadline service has written `n` DueRecomputed events. */
static void wait_recomputed(long n)
{
    const char *q = "SELECT count(*) FROM deadline.event_log WHERE type = 'DueRecomputed'";
    for (int i = 0; i < harness_scale(250) && sql(q) < n; i++)
        usleep(20000);
    cr_assert_eq(sql(q), n);
}

Test(deadline, a_changed_deadline_moves_its_occurrences)
{
    /* 26/4: task 3 (due Thursday 2/5, after the holiday) is due soon. */
    clock_set("2024-04-26T09:00");
    cr_assert_eq(transitions("3", 1), 1);
    /* Extended to 31/5: due 30/5, no longer due soon; told once. */
    reschedule("3", "trước ngày 31/5/2024");
    wait_recomputed(1);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '3' AND o.state = 'open' AND "
                     "o.effective = '2024-05-30' AND o.level = 0 AND o.next_level = 1"),
                 1);
    size_t len;
    uint8_t *bytes = harness_sql_bytes(db,
                                       "SELECT payload FROM deadline.event_log WHERE type = "
                                       "'DueRecomputed' ORDER BY seq DESC LIMIT 1",
                                       &len);
    cr_assert_not_null(bytes);
    Partrack__DueRecomputed *ev = partrack__due_recomputed__unpack(NULL, len, bytes);
    free(bytes);
    cr_assert_not_null(ev);
    cr_assert_str_eq(ev->old_due_date, "2024-05-02");
    cr_assert_str_eq(ev->new_due_date, "2024-05-30");
    cr_assert_str_eq(ev->reason, "deadline_changed");
    cr_assert_str_eq(ev->level, "long_term");
    partrack__due_recomputed__free_unpacked(ev, NULL);
    /* The new date reaches due soon again, at its own instant. */
    clock_set("2024-05-23T09:00");
    cr_assert_eq(transitions("3", 1), 2);
    cr_assert_eq(transitions("3", 2), 0, "not due yet");
    /* Brought forward into the past (task 1, due 4/7, now by 20/5): it
     * keeps its level and the sweep emits each level it reached, in order. */
    reschedule("1", "trước ngày 20/5/2024");
    wait_recomputed(2);
    for (int i = 0; i < harness_scale(250) && transitions("1", 3) < 1; i++)
        usleep(20000);
    cr_assert_eq(transitions("1", 1), 1);
    cr_assert_eq(transitions("1", 2), 1);
    cr_assert_eq(transitions("1", 3), 1);
    /* Before 20/5 (a Sunday, 19/5, moved to Monday 20/5): due soon from
     * 13/5, due from 20/5, overdue from 24:00 of 20/5. */
    cr_assert_str_eq(reached_at("1", 1), "202405130000");
    cr_assert_str_eq(reached_at("1", 2), "202405200000");
    cr_assert_str_eq(reached_at("1", 3), "202405210000");
    /* A monthly report made quarterly: its first four occurrences move to
     * the quarters, the other eight are removed (each told once). */
    reschedule("4", "Hàng quý");
    wait_recomputed(2 + 4 + 8);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '4' AND o.state = 'open'"),
                 4);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '4' AND o.state = 'cancelled'"),
                 8);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '4' AND o.seq = 2 AND "
                     "o.effective = '2024-07-01' AND o.label = 'kỳ quý II/2024' AND o.level = 0"),
                 1, "February's occurrence is now the second quarter's, not yet due soon");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.task WHERE ordinal = '4' AND kind = "
                     "'recurring' AND deadline_text = 'Hàng quý'"),
                 1);
    /* Nothing was emitted twice. */
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT occurrence_id, level, at FROM "
                     "deadline.transition GROUP BY 1, 2, 3 HAVING count(*) > 1) d"),
                 0);
}

Test(deadline, a_plan_can_have_its_own_due_soon_days)
{
    harness_run_t r;
    int rc = dl(&r, "due", "policy", "--plan", "104/KH-UBND", "--json");
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(out, "soon_days")), 7, "%s", r.out);
    cr_assert(json_is_true(json_object_get(out, "plan_default")), "%s", r.out);
    cr_assert_str_eq(json_string_value(json_object_get(out, "plan_unit")), "HN.HADONG.PHULAM");
    json_decref(out);
    harness_run_free(&r);
    /* Two weeks' notice for this plan. */
    rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "due", "policy",
                     "--plan", "104/KH-UBND", "--soon-days", "14", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    out = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(out, "soon_days")), 14, "%s", r.out);
    cr_assert(json_is_false(json_object_get(out, "plan_default")), "%s", r.out);
    cr_assert_gt(json_integer_value(json_object_get(out, "recomputed")), 0, "%s", r.out);
    json_decref(out);
    harness_run_free(&r);
    /* Task 3, due 2/5, is due soon from 18/4 now (7 days: from 25/4). */
    clock_set("2024-04-20");
    cr_assert_eq(transitions("3", 1), 1);
    cr_assert_str_eq(reached_at("3", 1), "202404180000");
    rc = dl(&r, "due", "--within", "14", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\"level\": \"due_soon\""), "%s", r.out);
    harness_run_free(&r);
    /* Back to the default; refusals. */
    rc = dl(&r, "due", "policy", "--plan", "104/KH-UBND", "--default");
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "(the service's default)"), "%s", r.out);
    harness_run_free(&r);
    rc = dl(&r, "due", "policy", "--plan", "9/KH-XYZ", NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, "--unit"), "%s", r.err);
    harness_run_free(&r);
    rc = dl(&r, "due", "policy", "--plan", "104/KH-UBND", "--soon-days");
    cr_assert_eq(rc, 2, "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "due", "policy",
                     "--plan", "104/KH-UBND", "--soon-days", "91", NULL);
    cr_assert_eq(rc, 2, "%s", r.err);
    harness_run_free(&r);
    /* Set before a plan exists (with its unit), it holds when it arrives. */
    rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "due", "policy",
                     "--plan", "106/KH-UBND", "--unit", "HN.HADONG.PHULAM", "--soon-days", "3",
                     NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    static const char later[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                                "1\tKiểm tra công vụ\tVăn phòng UBND\ttrước ngày 31/5/2024\n";
    const char *file = harness_write_temp("later.tsv", later, strlen(later));
    rc = harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                     "--year", "2024", "--number", "106/KH-UBND", "--title", "Kiểm tra", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    wait_tasks(8);
    cr_assert_eq(sql("SELECT due_soon_days FROM deadline.task WHERE plan_number = '106/KH-UBND'"),
                 3);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.plan_number = '106/KH-UBND' AND o.next_level "
                     "= 1 AND o.next_at = '2024-05-27 00:00+07'"),
                 1, "due Thursday 30/5: due soon 3 days before");
}

Test(deadline, two_instances_emit_each_transition_once)
{
    /* 40 more monthly tasks: 480 occurrences. */
    char *table = malloc(64 * 1024);
    cr_assert_not_null(table);
    int n = snprintf(table, 64 * 1024, "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n");
    for (int i = 1; i <= 40; i++)
        n += snprintf(table + n, 64 * 1024 - (size_t)n,
                      "%d\tTổng hợp số liệu tháng, mục %d\tVăn phòng UBND\tHàng tháng\n", i, i);
    const char *file = harness_write_temp("monthly.tsv", table, (size_t)n);
    free(table);
    harness_run_t r;
    int rc =
        harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                    "--year", "2024", "--number", "107/KH-UBND", "--title", "Tổng hợp", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    wait_tasks(47);
    /* Two instances on small batches, both polling the manual clock. */
    harness_service_t second;
    cr_assert_eq(harness_deadline_start(&second, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_POLL_MS=10", "PARTRACK_DEADLINE_BATCH=5",
                                        NULL),
                 0, "second instance did not start (log %s)", second.log);
    sql("UPDATE deadline.clock SET now = '2024-07-02 09:00+07'");
    const char *pending = "SELECT count(*) FROM deadline.occurrence WHERE next_at <= '2024-07-02 "
                          "09:00+07'";
    for (int i = 0; i < harness_scale(1500) && sql(pending) > 0; i++)
        usleep(20000);
    cr_assert_eq(sql(pending), 0, "both instances swept everything due");
    harness_service_stop(&second, SIGTERM);
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT occurrence_id, level FROM deadline.transition "
                     "GROUP BY 1, 2 HAVING count(*) > 1) d"),
                 0, "no level twice");
    cr_assert_eq(sql("SELECT count(*) FROM deadline.transition"),
                 sql("SELECT count(*) FROM deadline.event_log WHERE type = 'DueTransition'"),
                 "one event per transition");
    /* January to May of the 40 tasks (June's is due 1/7, escalated on 4/7):
     * every level, once. */
    cr_assert_eq(sql("SELECT count(*) FROM deadline.transition x JOIN deadline.occurrence o ON "
                     "o.id = x.occurrence_id JOIN deadline.task t ON t.task_id = o.task_id "
                     "WHERE t.plan_number = '107/KH-UBND' AND o.effective < '2024-06-20'"),
                 40 * 5 * 4);
}
