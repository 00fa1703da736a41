/* test_registry_targets.c - plans' targets: import, list and cascade
 *
 * Against the sample city, through the real CLI and registry: the city's
 * plan (HN), Hà Đông's plan implementing it, and two ward plans implementing
 * Hà Đông's. Targets are imported from files (explicit columns and plan
 * sentences), re-imported (unchanged, changed: audited and evented), copied
 * down the cascade with per-unit overrides, and refused whole when a file or
 * an override is wrong.
 */
#include "events.pb-c.h"
#include "harness.h"
#include "msg.h"
#include "rpc.h"
#include "targets.pb-c.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static harness_service_t registry;
static char db[64];

static const char task_table[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                                 "1\tXây dựng kế hoạch CCHC\tVăn phòng UBND\tTháng 12/2024\n";

static void import_plan(const char *unit, const char *number, const char *implements)
{
    harness_run_t r;
    const char *file = harness_write_temp("plan.tsv", task_table, strlen(task_table));
    int rc = harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", unit, "--year",
                         "2024", "--number", number, "--title", "Kế hoạch CCHC năm 2024",
                         implements ? "--implements" : NULL, implements, NULL);
    cr_assert_eq(rc, 0, "plan %s of %s: %s", number, unit, r.err);
    harness_run_free(&r);
}

static void start(void)
{
    snprintf(db, sizeof db, "targets_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start");
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "sample import failed: %s", r.err);
    harness_run_free(&r);
    import_plan("HN", "6745/KH-UBND", NULL);
    import_plan("HN.HADONG", "99/KH-UBND", "6745/KH-UBND");
    import_plan("HN.HADONG.PHULAM", "104/KH-UBND", "99/KH-UBND");
    import_plan("HN.HADONG.BIENGIANG", "50/KH-UBND", "99/KH-UBND");
}

static void stop(void)
{
    harness_service_stop(&registry, SIGTERM);
}

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* Runs `partrack target ...` with a file written from `content` (if not
 * NULL) in place of the word FILE; returns the exit status, output in *r. */
static int target(harness_run_t *r, const char *content, const char *a1, const char *a2,
                  const char *a3, const char *a4, const char *a5, const char *a6)
{
    const char *file = content ? harness_write_temp("targets.csv", content, strlen(content)) : NULL;
    const char *args[] = {a1, a2, a3, a4, a5, a6};
    for (int i = 0; i < 6; i++)
        if (args[i] && strcmp(args[i], "FILE") == 0)
            args[i] = file;
    return harness_cli(r, registry.endpoint, "target", args[0], args[1], args[2], args[3], args[4],
                       args[5], NULL);
}

/* The value of the target `code` of plan `number`, or -1. */
static long value_of(const char *number, const char *code)
{
    char query[512];
    snprintf(query, sizeof query,
             "SELECT t.value FROM registry.target t JOIN registry.plan p ON p.id = t.plan_id "
             "WHERE p.number = '%s' AND t.code = '%s'",
             number, code);
    return sql(query);
}

static const char city_targets[] =
    "code,area,indicator,comparator,value,unit,sentence\n"
    "sipas,VIII,Chỉ số SIPAS,>=,85,%,\n"
    ",,,,,,Phấn đấu 100% hồ sơ TTHC được trả kết quả giải quyết đúng hạn\n"
    "online_rate,III,Tỷ lệ hồ sơ trực tuyến,,40-50,%,\n";

TestSuite(targets, .init = start, .fini = stop, .timeout = 90);

Test(targets, import_sets_the_plans_own_targets_and_reimport_changes_only_what_differs)
{
    harness_run_t r;
    int rc = target(&r, city_targets, "import", "FILE", "--plan", "6745/KH-UBND", "--json", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    json_t *list = json_object_get(out, "targets");
    cr_assert_eq(json_array_size(list), 3);
    json_t *on_time = json_array_get(list, 1);
    cr_assert_str_eq(json_string_value(json_object_get(on_time, "code")), "on_time_rate",
                     "the code comes from the sentence");
    cr_assert_str_eq(json_string_value(json_object_get(on_time, "comparator")), ">=");
    cr_assert_str_eq(json_string_value(json_object_get(on_time, "action")), "created");
    json_t *online = json_array_get(list, 2);
    cr_assert_str_eq(json_string_value(json_object_get(online, "comparator")), "range");
    cr_assert_eq(json_real_value(json_object_get(online, "value_high")), 50.0);
    json_decref(out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.target"), 3);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TargetSet'"), 3);
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE entity = 'target' AND action = "
                     "'created'"),
                 3);

    /* The same file again changes nothing; a new value is one change. */
    rc = target(&r, city_targets, "import", "FILE", "--plan", "6745/KH-UBND", NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "0 created, 0 changed, 3 unchanged"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TargetSet'"), 3);
    rc = target(&r, "code,indicator,comparator,value,unit\nsipas,Chỉ số SIPAS,>=,90,%\n", "import",
                "FILE", "--plan", "6745/KH-UBND", NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(value_of("6745/KH-UBND", "sipas"), 90);
    cr_assert_eq(sql("SELECT count(*) FROM registry.target"), 3, "targets not in a file stay");
    cr_assert_eq(sql("SELECT count(*) FROM registry.audit WHERE entity = 'target' AND action = "
                     "'changed' AND (before->>'value')::float = 85 AND (after->>'value')::float "
                     "= 90"),
                 1);
    size_t len;
    uint8_t *bytes =
        harness_sql_bytes(db,
                          "SELECT payload FROM registry.event_log WHERE type = 'TargetSet' "
                          "ORDER BY seq DESC LIMIT 1",
                          &len);
    cr_assert_not_null(bytes);
    Partrack__TargetSet *ev = partrack__target_set__unpack(NULL, len, bytes);
    free(bytes);
    cr_assert_not_null(ev);
    cr_assert_str_eq(ev->code, "sipas");
    cr_assert_eq(ev->value, 90.0);
    cr_assert_str_eq(ev->plan_number, "6745/KH-UBND");
    cr_assert_str_eq(ev->origin, "own");
    partrack__target_set__free_unpacked(ev, NULL);
}

Test(targets, a_bad_file_is_refused_whole_with_line_and_field)
{
    harness_run_t r;
    cr_assert_eq(target(&r, city_targets, "import", "FILE", "--plan", "6745/KH-UBND", NULL, NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    long events = sql("SELECT count(*) FROM registry.event_log");
    int rc = target(&r,
                    "code,indicator,comparator,value,unit,sentence\n"
                    "sipas,Chỉ số SIPAS,>=,70,%,\n"
                    "x,,,,,Đẩy mạnh cải cách hành chính\n",
                    "import", "FILE", "--plan", "6745/KH-UBND", NULL, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, ":3: sentence:"), "the problem names line and field: %s", r.err);
    harness_run_free(&r);
    cr_assert_eq(value_of("6745/KH-UBND", "sipas"), 85, "the good row was not applied either");
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);

    rc = target(&r, city_targets, "import", "FILE", "--plan", "1/KH-KHONGCO", NULL, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "no plan 1/KH-KHONGCO"), "%s", r.err);
    harness_run_free(&r);

    /* A dry run shows the change and keeps nothing. */
    rc = target(&r, "code,indicator,comparator,value,unit\nsipas,Chỉ số SIPAS,>=,99,%\n", "import",
                "FILE", "--plan", "6745/KH-UBND", "--dry-run", NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "dry run") && strstr(r.out, "1 changed"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(value_of("6745/KH-UBND", "sipas"), 85);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);
}

Test(targets, cascade_copies_down_every_level_and_keeps_own_targets_and_overrides)
{
    harness_run_t r;
    cr_assert_eq(target(&r, city_targets, "import", "FILE", "--plan", "6745/KH-UBND", NULL, NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    /* Phú Lãm set its own SIPAS target before the cascade. */
    cr_assert_eq(target(&r, "code,indicator,comparator,value,unit\nsipas,Chỉ số SIPAS,>=,92,%\n",
                        "import", "FILE", "--plan", "104/KH-UBND", NULL, NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    /* Hà Đông is given 45-55% online instead of the city's 40-50%. */
    int rc = target(
        &r, "for,code,indicator,value,unit\nHN.HADONG,online_rate,Tỷ lệ trực tuyến,45-55,%\n",
        "cascade", "--plan", "6745/KH-UBND", "--overrides", "FILE", "--json");
    cr_assert_eq(rc, 0, "%s", r.err);
    json_t *out = json_loads(r.out, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(out, "plans")), 3,
                 "Hà Đông's plan and both wards' plans");
    json_decref(out);
    harness_run_free(&r);
    cr_assert_eq(value_of("99/KH-UBND", "sipas"), 85);
    cr_assert_eq(value_of("99/KH-UBND", "online_rate"), 45);
    cr_assert_eq(value_of("50/KH-UBND", "online_rate"), 45, "the wards get the district's value");
    cr_assert_eq(value_of("104/KH-UBND", "sipas"), 92, "a unit's own target is kept");
    cr_assert_eq(value_of("50/KH-UBND", "sipas"), 85);
    cr_assert_eq(sql("SELECT count(*) FROM registry.target t JOIN registry.target s ON s.id = "
                     "t.copied_from JOIN registry.plan p ON p.id = s.plan_id WHERE p.number = "
                     "'99/KH-UBND'"),
                 5, "the wards' copies come from the district's plan (3 + 2 besides own)");
    cr_assert_eq(sql("SELECT count(*) FROM registry.target WHERE origin = 'overridden'"), 1);

    /* The city raises SIPAS; a second cascade without overrides refreshes
     * the copies and keeps Hà Đông's override and Phú Lãm's own target. */
    cr_assert_eq(target(&r, "code,indicator,comparator,value,unit\nsipas,Chỉ số SIPAS,>=,88,%\n",
                        "import", "FILE", "--plan", "6745/KH-UBND", NULL, NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    rc = target(&r, NULL, "cascade", "--plan", "6745/KH-UBND", NULL, NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "kept"), "%s", r.out);
    harness_run_free(&r);
    cr_assert_eq(value_of("99/KH-UBND", "sipas"), 88);
    cr_assert_eq(value_of("50/KH-UBND", "sipas"), 88);
    cr_assert_eq(value_of("104/KH-UBND", "sipas"), 92);
    cr_assert_eq(value_of("99/KH-UBND", "online_rate"), 45);

    rc = target(&r, NULL, "list", "--plan", "50/KH-UBND", NULL, NULL, NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "copied from 99/KH-UBND of HN.HADONG"), "%s", r.out);
    harness_run_free(&r);
}

Test(targets, a_wrong_override_refuses_the_whole_cascade)
{
    harness_run_t r;
    cr_assert_eq(target(&r, city_targets, "import", "FILE", "--plan", "6745/KH-UBND", NULL, NULL),
                 0, "%s", r.err);
    harness_run_free(&r);
    long events = sql("SELECT count(*) FROM registry.event_log");
    int rc = target(&r,
                    "for,code,indicator,comparator,value,unit\n"
                    "HN.HADONG,sipas,Chỉ số SIPAS,>=,80,%\n"
                    "HN.TAYHO,sipas,Chỉ số SIPAS,>=,80,%\n"
                    "HN.HADONG,par_index,Chỉ số CCHC,>=,80,%\n",
                    "cascade", "--plan", "6745/KH-UBND", "--overrides", "FILE", NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, ":3: for: HN.TAYHO has no plan implementing"), "%s", r.err);
    cr_assert(strstr(r.err, ":4: code: par_index is not a target"), "%s", r.err);
    harness_run_free(&r);
    cr_assert_eq(sql("SELECT count(*) FROM registry.target"), 3, "nothing was copied");
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);

    /* A plan nobody implements has nothing to cascade to. */
    rc = target(&r, NULL, "cascade", "--plan", "50/KH-UBND", NULL, NULL, NULL);
    cr_assert_eq(rc, 1, "%s", r.err);
    cr_assert(strstr(r.err, "no plan implements 50/KH-UBND"), "%s", r.err);
    harness_run_free(&r);
}

/* Sends a target import of `content` with rpc_call under `key`. */
static msg_envelope_t *import_with_key(void *ctx, const char *content, const char *key)
{
    Partrack__ImportFile file = PARTRACK__IMPORT_FILE__INIT;
    file.name = "t.csv";
    file.content.data = (uint8_t *)content;
    file.content.len = strlen(content);
    Partrack__PlanShowRequest plan = PARTRACK__PLAN_SHOW_REQUEST__INIT;
    plan.number = "6745/KH-UBND";
    Partrack__TargetImportRequest req = PARTRACK__TARGET_IMPORT_REQUEST__INIT;
    req.file = &file;
    req.plan = &plan;
    char errbuf[256];
    msg_envelope_t *env =
        rpc_call(ctx, registry.endpoint, PARTRACK__MESSAGE_TYPE__MSG_TARGET_IMPORT, &req.base, key,
                 10000, errbuf, sizeof errbuf);
    cr_assert_not_null(env, "no reply: %s", errbuf);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_TARGET_IMPORT_REPLY, "reply type %d",
                 (int)env->type);
    return env;
}

Test(targets, a_repeated_request_gets_the_first_reply_and_changes_nothing)
{
    void *ctx = zmq_ctx_new();
    msg_envelope_t *first = import_with_key(ctx, city_targets, "targets-key-1");
    long events = sql("SELECT count(*) FROM registry.event_log");
    msg_envelope_t *again = import_with_key(ctx, city_targets, "targets-key-1");
    cr_assert_eq(again->payload.len, first->payload.len);
    cr_assert(memcmp(again->payload.data, first->payload.data, first->payload.len) == 0,
              "the stored reply is sent again as it was");
    Partrack__TargetImportReply *r =
        partrack__target_import_reply__unpack(NULL, again->payload.len, again->payload.data);
    cr_assert_not_null(r);
    cr_assert_eq(r->n_changes, 3);
    cr_assert_str_eq(r->changes[0]->action, "created", "the first reply, not a new one");
    partrack__target_import_reply__free_unpacked(r, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log"), events);
    msg_close(&first);
    msg_close(&again);
    zmq_ctx_term(ctx);
}
