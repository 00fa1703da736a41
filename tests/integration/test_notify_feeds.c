/* test_notify_feeds.c - every head's feed, from the deadline service's and
 * the registry's events
 *
 * The real registry, deadline service (manual clock) and notify service on
 * one fresh database with the sample city and a plan of Phú Lãm. The clock
 * moves past a due date: the section's people hear it is due soon, its head
 * that it is due and overdue, the ward's chairman when it is escalated, a
 * follower everything; texts in Vietnamese with dd/mm/yyyy; every feed
 * numbered 1..n with no gap, in event order, also within one batch of many
 * events; nothing told twice, also across a SIGKILL.
 */
#include "db.h"
#include "events.h"
#include "events.pb-c.h"
#include "harness.h"
#include "keyfile.h"
#include "notify.pb-c.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static harness_service_t registry, deadline, notify;
static char db[64];

static const char plan[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                           "1\tTổ chức đối thoại với cá nhân, tổ chức về TTHC\tBộ phận Một "
                           "cửa\ttrước ngày 01/7/2024\n"
                           "2\tRà soát thủ tục hành chính\tVăn phòng UBND\ttrước ngày 20/7/2024\n";

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

static void clock_set(const char *when)
{
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "clock", "set",
                         when, NULL);
    cr_assert_eq(rc, 0, "clock set %s: %s", when, r.err);
    harness_run_free(&r);
}

/* Waits until `query` (a count) reaches n. */
static void wait_for(const char *query, long n)
{
    for (int i = 0; i < harness_scale(500) && sql(query) < n; i++)
        usleep(20000);
    cr_assert_eq(sql(query), n, "%s", query);
}

/* Entries of a person of a kind. */
static long entries(const char *person, const char *kind)
{
    char query[256];
    snprintf(query, sizeof query,
             "SELECT count(*) FROM notify.entry WHERE person_id = '%s' AND kind = '%s'", person,
             kind);
    return sql(query);
}

static void start(void)
{
    snprintf(db, sizeof db, "notify_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    cr_assert_eq(harness_deadline_start(&deadline, db, "PARTRACK_DEADLINE_CLOCK=manual",
                                        "PARTRACK_DEADLINE_POLL_MS=50", NULL),
                 0, "deadline service did not start");
    char reg[128], dl[128], dle[128];
    snprintf(reg, sizeof reg, "PARTRACK_REGISTRY_EVENTS=%s", registry.events);
    snprintf(dl, sizeof dl, "PARTRACK_DEADLINE_EVENTS=%s", deadline.events);
    snprintf(dle, sizeof dle, "PARTRACK_DEADLINE_ENDPOINT=%s", deadline.endpoint);
    cr_assert_eq(harness_notify_start(&notify, db, reg, dl, dle, "PARTRACK_NOTIFY_POLL_MS=50",
                                      "PARTRACK_DIGEST_CHECK_SECONDS=1", NULL),
                 0, "notify did not start (log %s)", notify.log);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    clock_set("2024-06-01");
    /* Lê Thu Loan (head of the ward office) follows the one-stop section. */
    sql("INSERT INTO notify.follow (person_id, unit_code) VALUES ('P00124', "
        "'HN.HADONG.PHULAM.MC') RETURNING 1");
    const char *file = harness_write_temp("notify-plan.tsv", plan, strlen(plan));
    rc = harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                     "--year", "2024", "--number", "104/KH-UBND", "--title", "Kế hoạch CCHC 2024",
                     NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    wait_for("SELECT count(*) FROM deadline.task", 2);
}

static void stop(void)
{
    harness_service_stop(&notify, SIGTERM);
    harness_service_stop(&deadline, SIGTERM);
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(notify, .init = start, .fini = stop, .timeout = 120);

Test(notify, each_level_reaches_the_right_people_once)
{
    /* A new task: the heads of the lead units hear of it, and the follower. */
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'assigned'", 3);
    cr_assert_eq(entries("P00127", "assigned"), 1, "head of the one-stop section");
    cr_assert_eq(entries("P00124", "assigned"), 2, "head of the office, and follower");
    /* 25/6: task 1 (due Monday 1/7) is due soon: everyone of the section. */
    clock_set("2024-06-25T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'due_soon'", 5);
    for (int p = 127; p <= 130; p++) {
        char id[16];
        snprintf(id, sizeof id, "P00%d", p);
        cr_assert_eq(entries(id, "due_soon"), 1, "%s", id);
    }
    cr_assert_eq(entries("P00124", "due_soon"), 1, "the follower");
    /* 5/7 09:00: due, overdue, and escalated (3 working days: 2, 3, 4/7). */
    clock_set("2024-07-05T09:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'escalated'", 2);
    cr_assert_eq(entries("P00127", "due"), 1);
    cr_assert_eq(entries("P00127", "overdue"), 1);
    cr_assert_eq(entries("P00127", "escalated"), 0, "the section's head is not escalated to");
    cr_assert_eq(entries("P00121", "escalated"), 1, "the ward's chairman is");
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE person_id = 'P00121' AND kind = "
                     "'escalated' AND text = 'Nhiệm vụ “Tổ chức đối thoại với cá nhân, tổ chức về "
                     "TTHC” (Kế hoạch 104/KH-UBND) của Bộ phận Tiếp nhận và trả kết quả đã quá "
                     "hạn 3 ngày làm việc (hạn 01/07/2024).'"),
                 1);
    /* Every feed: 1..n, no gap, no repeat. */
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT person_id FROM notify.entry GROUP BY "
                     "person_id HAVING max(seq) <> count(*) OR min(seq) <> 1) g"),
                 0);
    cr_assert_eq(sql("SELECT count(*) FROM notify.feed_head h WHERE last_seq <> (SELECT "
                     "count(*) FROM notify.entry e WHERE e.person_id = h.person_id)"),
                 0);
}

Test(notify, a_sigkill_loses_and_repeats_nothing)
{
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'assigned'", 3);
    harness_service_stop(&notify, SIGKILL);
    /* Events pile up while notify is down. */
    clock_set("2024-07-30T09:00");
    wait_for("SELECT count(*) FROM deadline.event_log WHERE type = 'DueTransition'", 8);
    cr_assert_eq(harness_service_restart(&notify), 0);
    /* Escalated: the chairman for both tasks, the follower for task 1. */
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'escalated'", 3);
    /* Both tasks went through every level: 4 + 1 people due soon each for
     * task 1, 3 + 0 for task 2 (the office; its head follows nothing). */
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'due_soon'"), 5 + 3);
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT person_id, dedupe FROM notify.entry GROUP BY "
                     "1, 2 HAVING count(*) > 1) d"),
                 0);
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT person_id FROM notify.entry GROUP BY "
                     "person_id HAVING max(seq) <> count(*)) g"),
                 0);
    /* A restart replays nothing. */
    long before = sql("SELECT count(*) FROM notify.entry");
    harness_service_stop(&notify, SIGTERM);
    cr_assert_eq(harness_service_restart(&notify), 0);
    harness_pause(300);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry"), before);
}

/* The id of task `ordinal` of plan 104/KH-UBND. */
static long task_id(const char *ordinal)
{
    char query[256];
    snprintf(query, sizeof query,
             "SELECT t.id FROM registry.task t JOIN registry.plan p ON p.id = t.plan_id WHERE "
             "p.number = '104/KH-UBND' AND t.ordinal = '%s'",
             ordinal);
    return sql(query);
}

/* `partrack task update` on task `ordinal` of the plan with args. */
static void task_update(const char *ordinal, const char *a, const char *b, const char *c,
                        const char *d)
{
    char id[24];
    snprintf(id, sizeof id, "%ld", task_id(ordinal));
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "task", "update", id, a, b, c, d, NULL);
    cr_assert_eq(rc, 0, "task update %s: %s", id, r.err);
    harness_run_free(&r);
}

Test(notify, a_task_done_cancelled_or_reopened_is_news_progress_is_not)
{
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'assigned'", 3);
    task_update("1", "--progress", "40", NULL, NULL);
    task_update("1", "--status", "done", "--completed", "2024-06-28");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'task_done'", 2);
    cr_assert_eq(entries("P00127", "task_done"), 1, "head of the lead section");
    cr_assert_eq(entries("P00124", "task_done"), 1, "the section's follower");
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE person_id = 'P00127' AND kind = "
                     "'task_done' AND text LIKE 'Nhiệm vụ “Tổ chức đối thoại với cá nhân, tổ "
                     "chức về TTHC” (Kế hoạch 104/KH-UBND) của Bộ phận Tiếp nhận và trả kết "
                     "quả đã hoàn thành (ngày 28/06/2024, cập nhật bởi %'"),
                 1);
    /* Done again (a correction of the date) is no new status: no entry. */
    task_update("1", "--status", "done", "--completed", "2024-06-27");
    task_update("1", "--status", "open", NULL, NULL);
    task_update("2", "--status", "cancelled", NULL, NULL);
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'task_reopened'", 2);
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'task_cancelled'", 1);
    cr_assert_eq(entries("P00124", "task_cancelled"), 1, "head of the office");
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'task_done'"), 2);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind NOT IN ('assigned', "
                     "'task_done', 'task_reopened', 'task_cancelled')"),
                 0, "progress alone tells no one");
}

Test(notify, a_task_imported_late_is_escalated_at_once)
{
    /* Imported on 1/6 with a due date in March: its one transition (to
     * escalated) comes from the import, and reaches the chairman. */
    static const char late[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                               "1\tCập nhật danh mục TTHC\tBộ phận Tư pháp\ttrước ngày "
                               "31/3/2024\n";
    const char *file = harness_write_temp("late.tsv", late, strlen(late));
    harness_run_t r;
    int rc =
        harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                    "--year", "2024", "--number", "12/KH-UBND", "--title", "Kiểm soát TTHC", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'escalated' AND person_id = "
             "'P00121'",
             1);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'escalated' AND text LIKE "
                     "'%của Bộ phận Tư pháp - Hộ tịch đã quá hạn%'"),
                 1);
}

/* Appends a TaskUpdated as the registry writes it, in the producer's open
 * transaction; returns its sequence number. */
static int64_t append_update(db_t *producer, long task, const char *lead, int64_t update_id,
                             bool done)
{
    Partrack__TaskUpdated u = PARTRACK__TASK_UPDATED__INIT;
    char *leads[] = {(char *)lead};
    u.task_id = task;
    u.update_id = update_id;
    u.actor = "test";
    u.recorded_at = "2024-06-03T09:00:00+07:00";
    u.status = done ? "done" : "open";
    u.previous_status = done ? "open" : "done";
    u.title = "Nhiệm vụ thử";
    u.plan_number = "104/KH-UBND";
    u.n_lead = 1;
    u.lead = leads;
    uint8_t buf[1024];
    cr_assert_leq(partrack__task_updated__get_packed_size(&u), sizeof buf);
    size_t len = partrack__task_updated__pack(&u, buf);
    int64_t seq = 0;
    cr_assert_eq(events_append(producer, "registry", "TaskUpdated", lead, buf, len, &seq), 0, "%s",
                 db_error(producer));
    return seq;
}

Test(notify, a_batch_of_many_events_numbers_each_feed_in_event_order_and_tells_a_subject_once)
{
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'assigned'", 3);
    harness_service_stop(&notify, SIGTERM);
    /* 300 updates in one registry transaction, so that notify meets them in
     * one batch: tasks 1 (the one-stop section: its head P00127 and its
     * follower P00124) and 2 (the office: its head P00124) in turn, each
     * done, then open again, and so on; then the 11th update again (the
     * same update: the same subject). */
    long t1 = task_id("1"), t2 = task_id("2");
    db_t *producer = db_new(harness_db_url(db), "test-notify-producer");
    cr_assert_not_null(producer);
    cr_assert_eq(db_ensure(producer, 5000), DB_OK, "%s", db_error(producer));
    cr_assert_eq(db_begin(producer), DB_OK, "%s", db_error(producer));
    int64_t first_of_repeated = 0;
    for (int i = 0; i < 300; i++) {
        bool one = i % 2 == 0;
        int64_t seq = append_update(producer, one ? t1 : t2,
                                    one ? "HN.HADONG.PHULAM.MC" : "HN.HADONG.PHULAM.VP", 900000 + i,
                                    (i / 2) % 2 == 0);
        if (i == 10)
            first_of_repeated = seq;
    }
    append_update(producer, t1, "HN.HADONG.PHULAM.MC", 900000 + 10, false);
    cr_assert_eq(db_commit(producer), DB_OK, "%s", db_error(producer));
    db_destroy(&producer);
    cr_assert_eq(harness_service_restart(&notify), 0);

    const char *news = "SELECT count(*) FROM notify.entry WHERE kind IN ('task_done', "
                       "'task_reopened')";
    wait_for(news, 150 + 300);
    cr_assert_eq(sql("SELECT count(DISTINCT created_at) FROM notify.entry WHERE kind IN "
                     "('task_done', 'task_reopened')"),
                 1, "written in one transaction");
    cr_assert_eq(entries("P00127", "task_done") + entries("P00127", "task_reopened"), 150);
    cr_assert_eq(entries("P00124", "task_done") + entries("P00124", "task_reopened"), 300);
    /* The repeated update: one entry each, from its first event. */
    char query[256];
    snprintf(query, sizeof query,
             "SELECT count(*) FROM notify.entry WHERE dedupe = 'task:%ld:update:900010' AND "
             "source = 'registry:%lld'",
             t1, (long long)first_of_repeated);
    cr_assert_eq(sql(query), 2);
    snprintf(query, sizeof query,
             "SELECT count(*) FROM notify.entry WHERE dedupe = 'task:%ld:update:900010'", t1);
    cr_assert_eq(sql(query), 2, "the repeat made no entry");
    /* Every feed: 1..n with no gap, numbered in event order. */
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT person_id FROM notify.entry GROUP BY "
                     "person_id HAVING max(seq) <> count(*) OR min(seq) <> 1) g"),
                 0);
    cr_assert_eq(sql("SELECT count(*) FROM notify.feed_head h WHERE last_seq <> (SELECT "
                     "count(*) FROM notify.entry e WHERE e.person_id = h.person_id)"),
                 0);
    cr_assert_eq(sql("SELECT count(*) FROM (SELECT split_part(source, ':', 2)::bigint AS event, "
                     "lag(split_part(source, ':', 2)::bigint) OVER (PARTITION BY person_id ORDER "
                     "BY seq) AS before FROM notify.entry WHERE source LIKE 'registry:%') o WHERE "
                     "before >= event"),
                 0, "a person's entries in the order of their events");
}

/* A key for a person, registered as `partrack person key` would. */
static void person_key(const char *person, keyfile_t *k)
{
    cr_assert_eq(keyfile_generate(k), 0);
    char query[256];
    snprintf(query, sizeof query,
             "INSERT INTO notify.person_key (person_id, public_key) VALUES ('%s', '%s') "
             "ON CONFLICT (person_id) DO UPDATE SET public_key = EXCLUDED.public_key RETURNING 1",
             person, k->public_key);
    cr_assert_eq(sql(query), 1);
}

static void *feed_reader(const keyfile_t *k)
{
    size_t len;
    uint8_t *key = harness_sql_bytes(db, "SELECT public_key::bytea FROM notify.feed_key", &len);
    cr_assert_not_null(key);
    char server[41];
    snprintf(server, sizeof server, "%.*s", (int)len, (const char *)key);
    free(key);
    return harness_curve_dealer(notify.feed, server, k->public_key, k->secret_key);
}

static void ask(void *s, uint64_t since, uint32_t credit)
{
    Partrack__FeedRequest r = PARTRACK__FEED_REQUEST__INIT;
    r.has_since = 1;
    r.since = since;
    r.credit = credit;
    cr_assert(
        harness_send_envelope(s, PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST, &r.base, "ask", 0));
}

/* The next entry within ms (its seq, kind into kind), or 0. */
static uint64_t next_entry(void *s, int ms, char kind[32])
{
    Partrack__Envelope *env = harness_recv_envelope(s, ms);
    if (!env)
        return 0;
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_FEED_ENTRY, "type %d", env->type);
    Partrack__FeedEntry *e =
        partrack__feed_entry__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_not_null(e);
    uint64_t seq = e->seq;
    snprintf(kind, 32, "%s", e->kind);
    partrack__feed_entry__free_unpacked(e, NULL);
    partrack__envelope__free_unpacked(env, NULL);
    return seq;
}

Test(notify, a_person_reads_their_feed_with_credit_and_acknowledges)
{
    wait_for("SELECT count(*) FROM notify.entry WHERE person_id = 'P00127'", 1);
    keyfile_t k, other;
    person_key("P00127", &k);
    person_key("P00128", &other);
    void *s = feed_reader(&k);
    char kind[32];
    /* Credit 5, one stored entry (the new task): it comes at once. */
    ask(s, 0, 5);
    cr_assert_eq(next_entry(s, 5000, kind), 1);
    cr_assert_str_eq(kind, "assigned");
    cr_assert_eq(next_entry(s, 300, kind), 0, "nothing else yet");
    /* New entries come live while credit lasts: due soon, due, overdue (at
     * 07:00, before the reader's daily digest at 07:30: digests are looked
     * for every second, and one would come live before the reply to the
     * acknowledgement if the test were slow, as it is under valgrind). */
    clock_set("2024-07-02T07:00");
    cr_assert_eq(next_entry(s, 5000, kind), 2);
    cr_assert_str_eq(kind, "due_soon");
    cr_assert_eq(next_entry(s, 5000, kind), 3);
    cr_assert_eq(next_entry(s, 5000, kind), 4);
    cr_assert_str_eq(kind, "overdue");
    /* Acknowledging the overdue entry stops the escalation to the chairman. */
    Partrack__FeedAck a = PARTRACK__FEED_ACK__INIT;
    a.seq = 4;
    cr_assert(harness_send_envelope(s, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK, &a.base, "ack", 0));
    Partrack__Envelope *env = harness_recv_envelope(s, 10000);
    cr_assert_not_null(env);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK_REPLY);
    Partrack__FeedAckReply *ar =
        partrack__feed_ack_reply__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_eq(ar->acknowledged, 4);
    cr_assert_eq(ar->escalations_stopped, 2, "due and overdue");
    partrack__feed_ack_reply__free_unpacked(ar, NULL);
    partrack__envelope__free_unpacked(env, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM deadline.occurrence o JOIN deadline.task t ON "
                     "t.task_id = o.task_id WHERE t.ordinal = '1' AND o.acked_level >= 3"),
                 1);
    clock_set("2024-07-10");
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE person_id = 'P00121' AND kind = "
                     "'escalated' AND text LIKE '%Tổ chức đối thoại%'"),
                 0, "acknowledged: no escalation");
    zmq_close(s);
    /* Another person's key reads only that person's feed. */
    s = feed_reader(&other);
    ask(s, 0, 100);
    uint64_t seq, n = 0;
    while ((seq = next_entry(s, 1000, kind)) > 0)
        cr_assert_eq(seq, ++n);
    cr_assert_eq((long)n, sql("SELECT count(*) FROM notify.entry WHERE person_id = 'P00128'"));
    zmq_close(s);
    /* A replaced key is refused at the handshake. */
    keyfile_t old = k;
    person_key("P00127", &k);
    s = feed_reader(&old);
    Partrack__FeedRequest r = PARTRACK__FEED_REQUEST__INIT;
    r.credit = 10;
    harness_send_envelope(s, PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST, &r.base, "old", 0);
    cr_assert_null(harness_recv_envelope(s, 1500));
    zmq_close(s);
}

Test(notify, several_readers_each_get_their_own_new_entries_live)
{
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'assigned'", 3);
    /* The one-stop section's head, the office's head (who follows the
     * section), and one of the section's people (no entry yet). */
    keyfile_t head, follower, member;
    person_key("P00127", &head);
    person_key("P00124", &follower);
    person_key("P00128", &member);
    void *a = feed_reader(&head), *b = feed_reader(&follower), *c = feed_reader(&member);
    char kind[32];
    ask(a, 0, 100);
    ask(b, 0, 100);
    ask(c, 0, 100);
    cr_assert_eq(next_entry(a, 5000, kind), 1);
    cr_assert_eq(next_entry(b, 5000, kind), 1);
    cr_assert_eq(next_entry(b, 5000, kind), 2);
    cr_assert_eq(next_entry(c, 300, kind), 0, "nothing for P00128 yet");
    /* Task 1 is due soon: the section's people, and its follower (at
     * 06:00, before anyone's daily digest). */
    clock_set("2024-06-25T06:00");
    cr_assert_eq(next_entry(a, 5000, kind), 2);
    cr_assert_str_eq(kind, "due_soon");
    cr_assert_eq(next_entry(b, 5000, kind), 3);
    cr_assert_str_eq(kind, "due_soon");
    cr_assert_eq(next_entry(c, 5000, kind), 1);
    cr_assert_str_eq(kind, "due_soon");
    cr_assert_eq(next_entry(a, 300, kind), 0);
    cr_assert_eq(next_entry(b, 300, kind), 0);
    cr_assert_eq(next_entry(c, 300, kind), 0);
    zmq_close(a);
    zmq_close(b);
    zmq_close(c);
}

Test(notify, a_daily_digest_at_the_chosen_time_once_a_day)
{
    keyfile_t head, chair, office;
    person_key("P00127", &head);   /* the one-stop section's head: default 07:30 */
    person_key("P00121", &chair);  /* the ward's chairman: 09:00 */
    person_key("P00124", &office); /* the office's head: nothing due this week */
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "--notify", notify.endpoint, "person", "digest",
                         "P00121", "--at", "09:00", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\"09:00\""), "%s", r.out);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "--notify", notify.endpoint, "person", "digest",
                     "P00121", "--at", "25:00", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    harness_run_free(&r);
    /* 3/7 08:00: task 1 (due 1/7) is overdue; the section's head gets the
     * digest, the chairman not yet; the office's head has nothing due
     * within 7 days (task 2 is due 20/7): looked at, no digest. */
    clock_set("2024-07-03T08:00");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = 'P00127'", 1);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = "
                     "'P00127' AND text LIKE 'Tóm tắt ngày 03/07/2024 – Bộ phận Tiếp nhận và trả "
                     "kết quả: 1 nhiệm vụ quá hạn, 0 đến hạn hôm nay, 0 sắp đến hạn. Quá hạn: "
                     "“Tổ chức đối thoại%'"),
                 1);
    wait_for("SELECT count(*) FROM notify.digest_setting WHERE person_id = 'P00124' AND "
             "last_day = '2024-07-03'",
             1);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = "
                     "'P00124'"),
                 0, "nothing to say");
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = "
                     "'P00121'"),
                 0, "09:00 has not come");
    /* 09:30: the chairman heads the ward: its sections' tasks are his too;
     * the section head's digest is not written twice. */
    clock_set("2024-07-03T09:30");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = 'P00121'", 1);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = "
                     "'P00121' AND text LIKE 'Tóm tắt ngày 03/07/2024 – Phường Phú Lãm: 1 nhiệm "
                     "vụ quá hạn, 0 đến hạn hôm nay, 0 sắp đến hạn. Quá hạn: “Tổ chức đối "
                     "thoại%'"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = "
                     "'P00127'"),
                 1, "once a day");
    /* The same by hand: the ward alone leads nothing; with its subtree it
     * has the section's overdue task. */
    rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "due", "--unit",
                     "HN.HADONG.PHULAM", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "Tổ chức đối thoại"), "%s", r.out);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "due", "--unit",
                     "HN.HADONG.PHULAM", "--subtree", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "Tổ chức đối thoại"), "%s", r.out);
    cr_assert(strstr(r.out, "Rà soát thủ tục hành chính"), "%s", r.out);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "--deadline", deadline.endpoint, "due", "--subtree",
                     NULL);
    cr_assert_eq(rc, 2, "--subtree without --unit: %s", r.err);
    harness_run_free(&r);
    /* The next day, again. */
    clock_set("2024-07-04T07:31");
    wait_for("SELECT count(*) FROM notify.entry WHERE kind = 'digest' AND person_id = 'P00127'", 2);
}
