/* test_registry_plans.c - importing a real plan and working its tasks
 *
 * Seed 002's appendix tables are imported as Phú Lãm's plan against the
 * sample city through the real CLI and registry: tasks land with their units
 * resolved in the ward's context, unresolved names are listed and kept, a
 * second import of the number is refused unless --replace, a dry run or a
 * rejected file changes nothing, and task updates and reschedules are
 * recorded with their audit rows and events.
 */
#include "events.pb-c.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static harness_service_t registry;
static char db[64];

static void start(void)
{
    snprintf(db, sizeof db, "plans_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "sample import failed: %s", r.err);
    harness_run_free(&r);
}

static void stop(void)
{
    harness_service_stop(&registry, SIGTERM);
}

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* The payload of the last event of a type (and an extra condition),
 * decoded; the test fails if there is none. Free with
 * protobuf_c_message_free_unpacked. */
static void *event_payload(const char *type, const char *condition,
                           const ProtobufCMessageDescriptor *descriptor)
{
    char query[1024];
    snprintf(query, sizeof query,
             "SELECT payload FROM registry.event_log WHERE type = '%s' %s ORDER BY seq DESC "
             "LIMIT 1",
             type, condition);
    size_t len;
    uint8_t *bytes = harness_sql_bytes(db, query, &len);
    cr_assert_not_null(bytes, "no %s event", type);
    ProtobufCMessage *msg = protobuf_c_message_unpack(descriptor, NULL, len, bytes);
    free(bytes);
    cr_assert_not_null(msg, "%s payload does not decode", type);
    return msg;
}

/* Imports seed 002 as plan 104/KH-UBND of Phú Lãm; extra CLI arguments may
 * follow (up to 2). Returns the exit status and fills *r. */
static int import_seed(harness_run_t *r, const char *extra1, const char *extra2)
{
    return harness_cli(
        r, registry.endpoint, "plan", "import", harness_source("tests/fixtures/plans/seed002.txt"),
        "--unit", "HN.HADONG.PHULAM", "--year", "2024", "--number", "104/KH-UBND", "--title",
        "Cải thiện, nâng cao Chỉ số CCHC phường Phú Lãm năm 2024", "--json", extra1, extra2, NULL);
}

TestSuite(plans, .init = start, .fini = stop, .timeout = 60);

Test(plans, seed_002_imports_with_units_resolved)
{
    harness_run_t r;
    int rc = import_seed(&r, NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_not_null(out, "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(out, "tables")), 2);
    cr_assert_eq(json_integer_value(json_object_get(out, "tasks")), 33);
    long assigned = json_integer_value(json_object_get(out, "assigned"));
    cr_assert_geq(assigned, 30, "most tasks get their lead unit (%ld)", assigned);
    /* Names that do not resolve are listed with their line, and kept. */
    json_t *unresolved = json_object_get(out, "unresolved");
    long nunresolved = (long)json_array_size(unresolved);
    cr_assert_gt(nunresolved, 0);
    cr_assert_gt(json_integer_value(json_object_get(json_array_get(unresolved, 0), "line")), 0);
    json_decref(out);
    harness_run_free(&r);

    cr_assert_eq(sql("SELECT count(*) FROM registry.task"), 33);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task WHERE NOT assigned"), 33 - assigned);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_unresolved"), nunresolved,
                 "every listed name is kept with its task");
    /* Task 3 ("Tổ chức đối thoại ...") is led by Phú Lãm's one-stop shop. */
    cr_assert_eq(sql("SELECT count(*) FROM registry.task t JOIN registry.task_unit u ON "
                     "u.task_id = t.id WHERE t.ordinal = '3' AND t.table_no = 1 AND u.role = "
                     "'lead' AND u.unit_code = 'HN.HADONG.PHULAM.MC'"),
                 1);
    /* A unit that leads a task is not also cooperating on it, even when a
     * cooperating group ("các bộ phận chuyên môn") includes it. */
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_unit l JOIN registry.task_unit c ON "
                     "c.task_id = l.task_id AND c.unit_code = l.unit_code WHERE l.role = 'lead' "
                     "AND c.role = 'cooperating'"),
                 0);
    cr_assert_gt(sql("SELECT count(*) FROM registry.task_unit WHERE role = 'cooperating' AND "
                     "how = 'group'"),
                 0, "the seed has cooperating groups");
    /* Deadlines went through the deadline library: "Quý II, Quý IV/2024"
     * is due 01/07/2024 (30/06 is a Sunday). */
    cr_assert_eq(sql("SELECT count(*) FROM registry.task WHERE ordinal = '3' AND table_no = 1 "
                     "AND schedule->'due'->>0 = '2024-07-01'"),
                 1);
    /* One PlanIssued and one TaskAssigned per task, gap-free. */
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'PlanIssued'"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskAssigned'"), 33);
    cr_assert_eq(sql("SELECT max(seq) - count(*) FROM registry.event_log"), 0);
    Partrack__PlanIssued *issued =
        event_payload("PlanIssued", "", &partrack__plan_issued__descriptor);
    cr_assert_str_eq(issued->number, "104/KH-UBND");
    cr_assert_str_eq(issued->unit, "HN.HADONG.PHULAM");
    cr_assert_eq(issued->tasks, 33);
    cr_assert_not(issued->has_replaces);
    protobuf_c_message_free_unpacked(&issued->base, NULL);
    /* The event carries what a consumer needs: units and deadline. */
    Partrack__TaskAssigned *assigned_ev = event_payload(
        "TaskAssigned",
        /* the events follow PlanIssued in task id order */
        "AND seq = (SELECT seq FROM registry.event_log WHERE type = 'PlanIssued') + (SELECT "
        "count(*) FROM registry.task WHERE id <= (SELECT id FROM registry.task WHERE ordinal = "
        "'3' AND table_no = 1))",
        &partrack__task_assigned__descriptor);
    cr_assert_str_eq(assigned_ev->plan_number, "104/KH-UBND");
    cr_assert_str_eq(assigned_ev->reason, "imported");
    cr_assert_eq(assigned_ev->n_lead, 1);
    cr_assert_str_eq(assigned_ev->lead[0], "HN.HADONG.PHULAM.MC");
    cr_assert_str_eq(assigned_ev->deadline_text, "Quý II, Quý IV/2024");
    cr_assert_eq(assigned_ev->year, 2024);
    protobuf_c_message_free_unpacked(&assigned_ev->base, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE entity = 'plan'"), 1);

    rc = harness_cli(&r, registry.endpoint, "plan", "show", "104/KH-UBND", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *plan = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_array_size(json_object_get(plan, "tasks")), 33);
    json_decref(plan);
    harness_run_free(&r);
}

Test(plans, second_import_is_refused_unless_replace)
{
    harness_run_t r;
    cr_assert_eq(import_seed(&r, NULL, NULL), 0, "%s", r.err);
    harness_run_free(&r);
    long events = sql("SELECT count(*) FROM registry.event_log");
    int rc = import_seed(&r, NULL, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "already imported") && strstr(r.err, "--replace"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);

    rc = import_seed(&r, "--replace", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan WHERE replaced_at IS NULL"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan"), 2, "the replaced plan is kept");
    rc =
        harness_cli(&r, registry.endpoint, "task", "list", "--plan", "104/KH-UBND", "--json", NULL);
    json_t *list = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(list, "total")), 33,
                 "lists show the current plan only");
    json_decref(list);
    harness_run_free(&r);
}

Test(plans, dry_run_and_bad_files_change_nothing)
{
    harness_run_t r;
    int rc = import_seed(&r, "--dry-run", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\"dry_run\": true"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'PlanIssued'"), 0);

    const char garbage[] = "\x01\x02\x03\xff\xfe binary \x00 junk";
    const char *path = harness_write_temp("garbage.bin", garbage, sizeof garbage - 1);
    rc = harness_cli(&r, registry.endpoint, "plan", "import", path, "--unit", "HN.HADONG.PHULAM",
                     "--year", "2024", "--number", "1/KH", "--title", "x", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "plan", "import",
                     harness_source("tests/fixtures/plans/seed002.txt"), "--unit", "HN.NOPE",
                     "--year", "2024", "--number", "1/KH", "--title", "x", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "unknown unit HN.NOPE"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan"), 0);
}

Test(plans, tasks_are_updated_searched_and_audited)
{
    harness_run_t r;
    cr_assert_eq(import_seed(&r, NULL, NULL), 0, "%s", r.err);
    harness_run_free(&r);
    /* Accent-insensitive search finds "Tổ chức đối thoại ...". */
    int rc =
        harness_cli(&r, registry.endpoint, "task", "list", "--search", "DOI THOAI", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *list = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(list, "total")), 1, "%s", r.out);
    json_int_t id = json_integer_value(
        json_object_get(json_array_get(json_object_get(list, "tasks"), 0), "id"));
    json_decref(list);
    harness_run_free(&r);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", (long long)id);

    rc = harness_cli(&r, registry.endpoint, "task", "update", id_text, "--progress", "40", "--note",
                     "Đã họp", "--evidence", "BB-01", "--evidence", "BB-02", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "task", "update", id_text, "--status", "done",
                     "--completed", "2024-06-28", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *task = json_loads(r.out, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(task, "status")), "done");
    cr_assert_eq(json_integer_value(json_object_get(task, "progress")), 100);
    cr_assert_eq(json_array_size(json_object_get(task, "updates")), 2);
    cr_assert_eq(json_array_size(json_object_get(
                     json_array_get(json_object_get(task, "updates"), 0), "evidence")),
                 2);
    json_decref(task);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE entity = 'task'"), 2);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskUpdated'"), 2);
    Partrack__TaskUpdated *updated =
        event_payload("TaskUpdated", "", &partrack__task_updated__descriptor);
    cr_assert_eq(updated->task_id, id);
    cr_assert_str_eq(updated->status, "done");
    cr_assert_str_eq(updated->previous_status, "open");
    cr_assert_eq(updated->progress, 100);
    cr_assert(updated->completed_at && strncmp(updated->completed_at, "2024-06-2", 9) == 0, "%s",
              updated->completed_at);
    protobuf_c_message_free_unpacked(&updated->base, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task WHERE (completed_at AT TIME ZONE "
                     "'Asia/Ho_Chi_Minh')::date = '2024-06-28'"),
                 1);

    /* Bad updates are refused and change nothing. */
    rc =
        harness_cli(&r, registry.endpoint, "task", "update", id_text, "--status", "finished", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "task", "update", "999999", "--progress", "10", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update"), 2);
    /* The unit's list holds the task. */
    rc = harness_cli(&r, registry.endpoint, "task", "list", "--unit", "HN.HADONG.PHULAM.MC",
                     "--json", NULL);
    cr_assert(strstr(r.out, id_text), "%s", r.out);
    harness_run_free(&r);
}

Test(plans, merged_units_hand_their_open_tasks_to_the_successor)
{
    harness_run_t r;
    cr_assert_eq(import_seed(&r, NULL, NULL), 0, "%s", r.err);
    harness_run_free(&r);
    /* One task of the one-stop shop is done before the merge: it stays. */
    long done_id = sql("SELECT min(task_id) FROM registry.task_unit WHERE unit_code = "
                       "'HN.HADONG.PHULAM.MC' AND role = 'lead'");
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%ld", done_id);
    cr_assert_eq(
        harness_cli(&r, registry.endpoint, "task", "update", id_text, "--status", "done", NULL), 0,
        "%s", r.err);
    harness_run_free(&r);
    long open_mc = sql("SELECT count(*) FROM registry.task_unit tu JOIN registry.task t ON t.id = "
                       "tu.task_id WHERE tu.unit_code = 'HN.HADONG.PHULAM.MC' AND t.status = "
                       "'open'");
    cr_assert_gt(open_mc, 0);
    cr_assert_eq(harness_cli(&r, registry.endpoint, "unit", "merge", "HN.HADONG.PHULAM.MC",
                             "--into", "HN.HADONG.PHULAM.VP", "--on", "2025-07-01", NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_unit tu JOIN registry.task t ON t.id = "
                     "tu.task_id WHERE tu.unit_code = 'HN.HADONG.PHULAM.MC' AND t.status = "
                     "'open'"),
                 0, "no open task is left with the merged unit");
    char query[256];
    snprintf(query, sizeof query,
             "SELECT count(*) FROM registry.task_unit WHERE task_id = %ld AND unit_code = "
             "'HN.HADONG.PHULAM.MC' AND role = 'lead'",
             done_id);
    cr_assert_eq(sql(query), 1, "the done task stays with the unit that did it");
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE action = 'reassigned'"), open_mc,
                 "each moved assignment is audited");
    /* Consumers learn the new units: one TaskAssigned per moved task, and
     * the merge itself as UnitReorganized. */
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskAssigned' AND "
                     "seq > (SELECT max(seq) FROM registry.event_log WHERE type = 'TaskUpdated')"),
                 sql("SELECT count(DISTINCT entity_id) FROM registry.audit WHERE action = "
                     "'reassigned'"));
    Partrack__TaskAssigned *moved =
        event_payload("TaskAssigned", "", &partrack__task_assigned__descriptor);
    cr_assert_str_eq(moved->reason, "reassigned");
    bool to_successor = false;
    for (size_t i = 0; i < moved->n_lead; i++)
        to_successor |= strcmp(moved->lead[i], "HN.HADONG.PHULAM.VP") == 0;
    for (size_t i = 0; i < moved->n_cooperating; i++)
        to_successor |= strcmp(moved->cooperating[i], "HN.HADONG.PHULAM.VP") == 0;
    cr_assert(to_successor, "the moved task names the successor");
    protobuf_c_message_free_unpacked(&moved->base, NULL);
    Partrack__UnitReorganized *merged = event_payload("UnitReorganized",
                                                      "AND unit_code = "
                                                      "'HN.HADONG.PHULAM.MC'",
                                                      &partrack__unit_reorganized__descriptor);
    cr_assert_str_eq(merged->change, "merged");
    cr_assert_str_eq(merged->on_date, "2025-07-01");
    cr_assert_str_eq(merged->unit->successor, "HN.HADONG.PHULAM.VP");
    protobuf_c_message_free_unpacked(&merged->base, NULL);
}

/* Imports a one-task plan of `unit` numbered `number`, citing `implements`. */
static void import_small(const char *unit, const char *number, const char *implements)
{
    const char table[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                         "1\tTriển khai kế hoạch\tVăn phòng UBND\tQuý II/2024\n";
    char name[64];
    snprintf(name, sizeof name, "small-%s.tsv", unit);
    const char *path = harness_write_temp(name, table, sizeof table - 1);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "plan", "import", path, "--unit", unit, "--year",
                         "2024", "--number", number, "--title", "Kế hoạch CCHC năm 2024",
                         implements ? "--implements" : NULL, implements, NULL);
    cr_assert_eq(rc, 0, "%s: %s", unit, r.err);
    harness_run_free(&r);
}

Test(plans, cascade_and_coverage)
{
    /* Two districts use the same number; each ward's citation means its own
     * district's plan. One ward imports before its district does. */
    import_small("HN.HADONG.VANQUAN", "12/KH-UBND", "147/KH-UBND");
    import_small("HN.HADONG", "147/KH-UBND", NULL);
    import_small("HN.TAYHO", "147/KH-UBND", NULL);
    harness_run_t r;
    cr_assert_eq(import_seed(&r, "--implements", "147/KH-UBND"), 0, "%s", r.err);
    harness_run_free(&r);

    int rc = harness_cli(&r, registry.endpoint, "plan", "tree", "147/KH-UBND", "--unit",
                         "HN.HADONG", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *nodes = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_array_size(nodes), 3, "%s", r.out);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(nodes, 0), "unit")),
                     "HN.HADONG");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(nodes, 1), "depth")), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(nodes, 2), "depth")), 1);
    json_decref(nodes);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "plan", "coverage", "147/KH-UBND", "--unit",
                     "HN.HADONG", "--json", NULL);
    cr_assert_eq(rc, 1, "some wards have no plan yet: %s", r.err);
    json_t *cov = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(cov, "covered")), 2, "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(cov, "units_total")), 17, "Hà Đông's wards");
    json_decref(cov);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "plan", "coverage", "147/KH-UBND", "--unit", "HN.TAYHO",
                     "--json", NULL);
    cov = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(cov, "covered")), 0,
                 "Hà Đông's wards do not cover Tây Hồ's plan: %s", r.out);
    json_decref(cov);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "plan", "coverage", "147/KH-UBND", NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, "several units"), "the number alone is ambiguous: %s", r.err);
    harness_run_free(&r);
}

/* Writes a manifest next to the seed's copy; returns its path. */
static const char *write_manifest(const char *content)
{
    return harness_write_temp("manifest.csv", content, strlen(content));
}

Test(plans, a_manifest_imports_many_plans_in_one_transaction)
{
    /* Files are relative to the manifest: write the tables beside it. */
    const char *table = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                        "1\tRà soát TTHC\tBộ phận Một cửa\tQuý III/2024\n"
                        "2\tBáo cáo CCHC\tVăn phòng UBND\tHàng quý\n";
    const char *path = harness_write_temp("bg.tsv", table, strlen(table));
    const char *base = strrchr(path, '/') + 1;
    char manifest[1024];
    snprintf(manifest, sizeof manifest,
             "file,unit,year,number,title,implements\n"
             "%s,HN.HADONG.BIENGIANG,2024,50/KH-UBND,Kế hoạch CCHC 2024,99/KH-UBND\n"
             "%s,HN.HADONG.DONGMAI,2024,61/KH-UBND,Kế hoạch CCHC 2024,\n",
             base, base);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "plan", "import", "--manifest",
                         write_manifest(manifest), "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_array_size(json_object_get(out, "plans")), 2, "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(out, "tasks")), 4);
    json_decref(out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan"), 2);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan_link WHERE implements = '99/KH-UBND'"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_unit tu JOIN registry.task t ON t.id = "
                     "tu.task_id WHERE tu.unit_code = 'HN.HADONG.DONGMAI.MC' AND tu.role = "
                     "'lead'"),
                 1, "names resolve in each plan's own unit");
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskAssigned'"), 4);

    /* Again: refused whole (both already there) unless --skip-imported. */
    long events = sql("SELECT count(*) FROM registry.event_log");
    rc = harness_cli(&r, registry.endpoint, "plan", "import", "--manifest",
                     write_manifest(manifest), NULL);
    cr_assert_eq(rc, 1, "%s", r.out);
    cr_assert(strstr(r.err, "already imported"), "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "plan", "import", "--manifest",
                     write_manifest(manifest), "--skip-imported", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "skipped"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan"), 2);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);
}

Test(plans, a_bad_manifest_or_a_bad_plan_in_it_changes_nothing)
{
    harness_run_t r;
    /* The manifest itself: a missing column, a missing file, a bad year. */
    int rc = harness_cli(&r, registry.endpoint, "plan", "import", "--manifest",
                         write_manifest("file,unit,year,number\nx.tsv,HN,2024,1/KH\n"), NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, ":1: title: the column is missing"), "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "plan", "import", "--manifest",
                     write_manifest("file,unit,year,number,title\n"
                                    "nowhere.tsv,HN,2024,1/KH,T\n"
                                    "nowhere.tsv,HN,20x4,2/KH,T\n"),
                     NULL);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(r.err, ":2: file: cannot read"), "%s", r.err);
    cr_assert(strstr(r.err, ":3: year:"), "%s", r.err);
    cr_assert(strstr(r.err, "nothing was sent"), "%s", r.err);
    harness_run_free(&r);

    /* A good plan and one for a unit that does not exist: neither lands. */
    const char *table = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                        "1\tRà soát TTHC\tBộ phận Một cửa\tQuý III/2024\n";
    const char *path = harness_write_temp("one.tsv", table, strlen(table));
    const char *base = strrchr(path, '/') + 1;
    char manifest[1024];
    snprintf(manifest, sizeof manifest,
             "file,unit,year,number,title\n"
             "%s,HN.HADONG.BIENGIANG,2024,50/KH-UBND,Kế hoạch\n"
             "%s,HN.HADONG.KHONGCO,2024,51/KH-UBND,Kế hoạch\n",
             base, base);
    long events = sql("SELECT count(*) FROM registry.event_log");
    rc = harness_cli(&r, registry.endpoint, "plan", "import", "--manifest",
                     write_manifest(manifest), NULL);
    cr_assert_eq(rc, 1, "%s", r.out);
    cr_assert(strstr(r.err, "no plan of it was imported") && strstr(r.err, "HN.HADONG.KHONGCO"),
              "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.plan"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);
}

/* The id of the one task of a plan imported with import_small. */
static long small_task(const char *unit)
{
    char query[256];
    snprintf(query, sizeof query,
             "SELECT t.id FROM registry.task t JOIN registry.plan p ON p.id = t.plan_id WHERE "
             "p.unit_code = '%s'",
             unit);
    long id = sql(query);
    cr_assert_gt(id, 0, "no task of %s", unit);
    return id;
}

Test(plans, a_reschedule_changes_the_deadline_with_audit_and_event)
{
    import_small("HN.HADONG.VANQUAN", "12/KH-UBND", NULL);
    long id = small_task("HN.HADONG.VANQUAN");
    char id_text[32], query[512];
    snprintf(id_text, sizeof id_text, "%ld", id);
    /* Waiting for an event before: a new deadline restarts the wait. */
    snprintf(query, sizeof query,
             "UPDATE registry.task SET triggered_on = '2024-05-02' WHERE id = %ld RETURNING 1", id);
    cr_assert_eq(sql(query), 1);
    long events = sql("SELECT count(*) FROM registry.event_log");

    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "task", "reschedule", id_text, "--deadline",
                         "  Quý   III/2024 ", "--reason", "Văn bản số 12/UBND-VP gia hạn", "--json",
                         NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *task = json_loads(r.out, 0, NULL);
    cr_assert_not_null(task, "%s", r.out);
    cr_assert_str_eq(json_string_value(json_object_get(task, "deadline_text")), "Quý III/2024",
                     "stored cleaned, as plan cells are");
    json_decref(task);
    harness_run_free(&r);

    /* task show: the new text and its schedule (30/09/2024 is a Monday). */
    rc = harness_cli(&r, registry.endpoint, "task", "show", id_text, "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    task = json_loads(r.out, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(task, "deadline_text")), "Quý III/2024");
    json_t *schedule = json_object_get(task, "schedule");
    cr_assert_str_eq(json_string_value(json_object_get(schedule, "text")), "Quý III/2024");
    cr_assert_str_eq(json_string_value(json_object_get(schedule, "kind")), "once");
    cr_assert_eq(json_array_size(json_object_get(schedule, "due")), 1, "%s", r.out);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(schedule, "due"), 0)),
                     "2024-09-30");
    json_decref(task);
    harness_run_free(&r);
    snprintf(query, sizeof query,
             "SELECT count(*) FROM registry.task WHERE id = %ld AND triggered_on IS NULL AND NOT "
             "deadline_unparsed AND schedule->'due'->>0 = '2024-09-30'",
             id);
    cr_assert_eq(sql(query), 1);

    /* One TaskRescheduled event, under the plan's unit, and nothing else. */
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events + 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskRescheduled' AND "
                     "unit_code = 'HN.HADONG.VANQUAN'"),
                 1);
    Partrack__TaskRescheduled *ev =
        event_payload("TaskRescheduled", "", &partrack__task_rescheduled__descriptor);
    cr_assert_eq(ev->task_id, id);
    cr_assert_str_eq(ev->deadline_text, "Quý III/2024");
    cr_assert_str_eq(ev->previous_text, "Quý II/2024");
    cr_assert_eq(ev->year, 2024);
    cr_assert_str_eq(ev->actor, "cli");
    cr_assert_str_eq(ev->reason, "Văn bản số 12/UBND-VP gia hạn");
    cr_assert_str_eq(ev->plan_number, "12/KH-UBND");
    cr_assert_str_eq(ev->plan_unit, "HN.HADONG.VANQUAN");
    protobuf_c_message_free_unpacked(&ev->base, NULL);

    /* One audit row: the text before, the text and reason after. */
    snprintf(query, sizeof query,
             "SELECT count(*) FROM registry.audit WHERE entity = 'task' AND entity_id = '%ld' "
             "AND action = 'rescheduled' AND actor = 'cli' AND before->>'deadline_text' = "
             "'Quý II/2024' AND after->>'deadline_text' = 'Quý III/2024' AND after->>'reason' = "
             "'Văn bản số 12/UBND-VP gia hạn'",
             id);
    cr_assert_eq(sql(query), 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE action = 'rescheduled'"), 1);

    /* The same text again is refused; without --reason the audit says null. */
    rc = harness_cli(&r, registry.endpoint, "task", "reschedule", id_text, "--deadline",
                     "Quý III/2024", NULL);
    cr_assert_eq(rc, 1, "%s", r.out);
    cr_assert(strstr(r.err, "already \"Quý III/2024\""), "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "task", "reschedule", id_text, "--deadline",
                     "trước ngày 15/8/2024", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "trước ngày 15/8/2024"), "printed like task update: %s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE action = 'rescheduled' AND "
                     "after->'reason' = 'null'::jsonb AND before->>'deadline_text' = "
                     "'Quý III/2024'"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskRescheduled'"), 2);
    ev = event_payload("TaskRescheduled", "", &partrack__task_rescheduled__descriptor);
    cr_assert_str_eq(ev->previous_text, "Quý III/2024");
    cr_assert_null(ev->reason);
    protobuf_c_message_free_unpacked(&ev->base, NULL);
}

Test(plans, an_unreadable_deadline_is_refused_and_changes_nothing)
{
    import_small("HN.HADONG.VANQUAN", "12/KH-UBND", NULL);
    long id = small_task("HN.HADONG.VANQUAN");
    char id_text[32], query[256];
    snprintf(id_text, sizeof id_text, "%ld", id);
    long events = sql("SELECT count(*) FROM registry.event_log");

    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "task", "reschedule", id_text, "--deadline",
                         "Quý V/2024", NULL);
    cr_assert_eq(rc, 1, "%s", r.out);
    cr_assert(strstr(r.err, "reschedule refused") && strstr(r.err, "Quý V/2024") &&
                  strstr(r.err, "there is no quarter"),
              "the parser's reason is shown: %s", r.err);
    harness_run_free(&r);
    rc =
        harness_cli(&r, registry.endpoint, "task", "reschedule", id_text, "--deadline", "  ", NULL);
    cr_assert_eq(rc, 1, "%s", r.out);
    cr_assert(strstr(r.err, "empty"), "%s", r.err);
    harness_run_free(&r);

    snprintf(query, sizeof query,
             "SELECT count(*) FROM registry.task WHERE id = %ld AND deadline_text = 'Quý II/2024' "
             "AND schedule->'due'->>0 = '2024-07-01'",
             id);
    cr_assert_eq(sql(query), 1, "text and schedule unchanged");
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskRescheduled'"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE action = 'rescheduled'"), 0);
}

Test(plans, a_reschedule_needs_an_open_task_and_a_deadline)
{
    import_small("HN.HADONG.VANQUAN", "12/KH-UBND", NULL);
    long id = small_task("HN.HADONG.VANQUAN");
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%ld", id);
    harness_run_t r;
    cr_assert_eq(
        harness_cli(&r, registry.endpoint, "task", "update", id_text, "--status", "done", NULL), 0,
        "%s", r.err);
    harness_run_free(&r);
    long events = sql("SELECT count(*) FROM registry.event_log");

    int rc = harness_cli(&r, registry.endpoint, "task", "reschedule", id_text, "--deadline",
                         "Quý III/2024", NULL);
    cr_assert_eq(rc, 1, "%s", r.out);
    char expected[64];
    snprintf(expected, sizeof expected, "task %ld is done", id);
    cr_assert(strstr(r.err, expected), "%s", r.err);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "task", "reschedule", "999999", "--deadline",
                     "Quý III/2024", NULL);
    cr_assert_eq(rc, 1, "%s", r.out);
    cr_assert(strstr(r.err, "no such task"), "%s", r.err);
    harness_run_free(&r);

    rc = harness_cli(&r, registry.endpoint, "task", "reschedule", id_text, NULL);
    cr_assert_eq(rc, 2, "a missing --deadline is a usage error: %s", r.err);
    cr_assert(strstr(r.err, "--deadline"), "%s", r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, registry.endpoint, "task", "reschedule", "--deadline", "Quý III/2024",
                     NULL);
    cr_assert_eq(rc, 2, "a missing id is a usage error: %s", r.err);
    harness_run_free(&r);

    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE action = 'rescheduled'"), 0);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task WHERE deadline_text = 'Quý II/2024'"), 1);
}
