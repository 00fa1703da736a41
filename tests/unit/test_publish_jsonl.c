/* test_publish_jsonl.c - unit tests for services/publish/publish_jsonl.c
 *
 * Good lines of both types (task by id and by plan, measurement by value
 * and by ratio, nulls as absent, CRLF and a byte order mark), blank lines,
 * and each kind of bad line with its exact "FILE:LINE: field: what"
 * problems: unknown type, missing type or key, wrong JSON types, unknown
 * fields, progress not an integer or out of range, bad formats, invalid
 * UTF-8, not JSON, not an object, duplicate fields, several problems on one
 * line.
 */
#include "publish_jsonl.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static problems_t problems;

static void setup(void)
{
    memset(&problems, 0, sizeof problems);
}

static void teardown(void)
{
    problems_clear(&problems);
}

TestSuite(publish_jsonl, .init = setup, .fini = teardown);

static int read_line(unsigned line, const char *text, publish_line_t *out)
{
    return publish_jsonl_read("f.jsonl", line, text, strlen(text), out, &problems);
}

/* Problem i, formatted. */
static const char *problem(size_t i)
{
    static char buf[1024];
    cr_assert_lt(i, problems.n, "only %zu problems", problems.n);
    publish_problem_format(&problems.items[i], buf, sizeof buf);
    return buf;
}

/* The line is refused with exactly these problems (NULL-terminated). */
static void refused(unsigned line, const char *text, const char *expected[])
{
    publish_line_t l;
    problems_clear(&problems);
    cr_assert_eq(read_line(line, text, &l), -1, "accepted: %s", text);
    size_t n = 0;
    for (; expected[n]; n++) {
        const char *got = problem(n);
        cr_expect_str_eq(got, expected[n], "got \"%s\" for %s", got, text);
    }
    for (size_t i = n; i < problems.n; i++)
        cr_expect_fail("unexpected problem: %s", problem(i));
    cr_assert_eq(problems.n, n, "%zu problems for %s", problems.n, text);
    cr_assert_null(l.key);
}

Test(publish_jsonl, a_task_update_by_id_with_every_field)
{
    publish_line_t l;
    const char *text =
        "{\"type\":\"task_update\",\"key\":\"K1\",\"task_id\":12,\"progress\":50,"
        "\"status\":\"done\",\"completed_at\":\"2024-06-28T16:00:00+07:00\","
        "\"evidence\":[\"12/BC-UBND\",\"https://example.vn/x\"],\"note\":\"Đã tổ chức đối thoại\"}";
    cr_assert_eq(read_line(1, text, &l), 1, "%s", problems.n ? problem(0) : "");
    cr_assert_eq(l.type, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE);
    cr_assert_str_eq(l.key, "K1");
    cr_assert(l.update.has_task_id);
    cr_assert_eq(l.update.task_id, 12);
    cr_assert(l.update.has_progress);
    cr_assert_eq(l.update.progress, 50);
    cr_assert_str_eq(l.update.status, "done");
    cr_assert_str_eq(l.update.completed_at, "2024-06-28T16:00:00+07:00");
    cr_assert_eq(l.update.n_evidence, 2);
    cr_assert_str_eq(l.update.evidence[1], "https://example.vn/x");
    cr_assert_str_eq(l.update.note, "Đã tổ chức đối thoại");
    cr_assert_null(l.update.plan_number);
    cr_assert_eq(publish_line_payload(&l), &l.update.base);
    /* It packs as a TaskUpdate. */
    size_t len = protobuf_c_message_get_packed_size(publish_line_payload(&l));
    uint8_t buf[512];
    cr_assert_lt(len, sizeof buf);
    protobuf_c_message_pack(publish_line_payload(&l), buf);
    Partrack__TaskUpdate *u = partrack__task_update__unpack(NULL, len, buf);
    cr_assert_not_null(u);
    cr_assert_eq(u->task_id, 12);
    partrack__task_update__free_unpacked(u, NULL);
    publish_line_clear(&l);
    cr_assert_null(l.key);
    cr_assert_eq(problems.n, 0);
}

Test(publish_jsonl, a_task_update_by_plan_with_nulls_crlf_and_a_bom)
{
    publish_line_t l;
    const char *text = "\xEF\xBB\xBF{\"type\":\"task_update\",\"key\":\"K2\",\"plan_number\":"
                       "\"104/KH-UBND\",\"plan_unit\":\"HN.HADONG.PHULAM\",\"ordinal\":\"II.3\","
                       "\"task_id\":null,\"status\":\"open\",\"note\":null,\"completed_at\":"
                       "\"2024-06-28\"}\r";
    cr_assert_eq(read_line(1, text, &l), 1, "%s", problems.n ? problem(0) : "");
    cr_assert_not(l.update.has_task_id);
    cr_assert_str_eq(l.update.plan_number, "104/KH-UBND");
    cr_assert_str_eq(l.update.plan_unit, "HN.HADONG.PHULAM");
    cr_assert_str_eq(l.update.ordinal, "II.3");
    cr_assert_not(l.update.has_progress);
    cr_assert_null(l.update.note);
    publish_line_clear(&l);
    /* Times as the registry reads them. */
    const char *times[] = {"2024-06-28T16:00", "2024-06-28 16:00:59", "2024-06-28T16:00:00.25Z",
                           "2024-02-29T00:00:00-01:30"};
    for (size_t i = 0; i < 4; i++) {
        char line[256];
        snprintf(
            line, sizeof line,
            "{\"type\":\"task_update\",\"key\":\"t%zu\",\"task_id\":1,\"completed_at\":\"%s\"}", i,
            times[i]);
        cr_assert_eq(read_line(2, line, &l), 1, "%s: %s", times[i], problems.n ? problem(0) : "");
        publish_line_clear(&l);
    }
}

Test(publish_jsonl, measurements_by_ratio_and_by_value)
{
    publish_line_t l;
    cr_assert_eq(read_line(3,
                           "{\"type\":\"measurement\",\"key\":\"M1\",\"unit\":\"HN.HADONG.PHULAM\","
                           "\"indicator\":\"dossiers_online_l3\",\"period\":\"2024\","
                           "\"numerator\":762,\"denominator\":4080}",
                           &l),
                 1, "%s", problems.n ? problem(0) : "");
    cr_assert_eq(l.type, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT);
    cr_assert_str_eq(l.measurement.unit, "HN.HADONG.PHULAM");
    cr_assert_str_eq(l.measurement.indicator, "dossiers_online_l3");
    cr_assert_str_eq(l.measurement.period, "2024");
    cr_assert(l.measurement.has_numerator && l.measurement.has_denominator);
    cr_assert_float_eq(l.measurement.numerator, 762, 1e-9);
    cr_assert_float_eq(l.measurement.denominator, 4080, 1e-9);
    cr_assert_not(l.measurement.has_value);
    cr_assert_eq(publish_line_payload(&l), &l.measurement.base);
    publish_line_clear(&l);
    const char *periods[] = {"2024-Q1", "2024-H2", "2024-06", "2024-12"};
    for (size_t i = 0; i < 4; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "{\"type\":\"measurement\",\"key\":\"M%zu\",\"unit\":\"HN\",\"indicator\":"
                 "\"sipas.score\",\"period\":\"%s\",\"value\":88.5,\"numerator\":null}",
                 i, periods[i]);
        cr_assert_eq(read_line(4, line, &l), 1, "%s: %s", periods[i], problems.n ? problem(0) : "");
        cr_assert(l.measurement.has_value);
        cr_assert_float_eq(l.measurement.value, 88.5, 1e-9);
        publish_line_clear(&l);
    }
}

Test(publish_jsonl, blank_lines_are_nothing)
{
    publish_line_t l;
    cr_assert_eq(read_line(5, "", &l), 0);
    cr_assert_eq(read_line(6, "  \t\r", &l), 0);
    cr_assert_eq(problems.n, 0);
}

Test(publish_jsonl, type_and_key_are_required)
{
    refused(7, "{\"key\":\"K\",\"task_id\":1,\"progress\":5}",
            (const char *[]){"f.jsonl:7: type: missing: \"task_update\" or \"measurement\"", NULL});
    refused(8, "{\"type\":\"measurment\",\"key\":\"K\",\"unit\":\"HN\"}",
            (const char *[]){"f.jsonl:8: type: \"measurment\" is not task_update or measurement",
                             NULL});
    refused(9, "{\"type\":7,\"key\":\"K\"}",
            (const char *[]){"f.jsonl:9: type: must be a string, not an integer", NULL});
    refused(10, "{\"type\":\"task_update\",\"task_id\":1,\"progress\":5}",
            (const char *[]){"f.jsonl:10: key: missing: each line needs its own idempotency key",
                             NULL});
    refused(11, "{\"type\":\"task_update\",\"key\":\"\",\"task_id\":1,\"progress\":5}",
            (const char *[]){"f.jsonl:11: key: must not be empty", NULL});
    char line[512], key[130];
    memset(key, 'k', 129);
    key[129] = '\0';
    snprintf(line, sizeof line,
             "{\"type\":\"task_update\",\"key\":\"%s\",\"task_id\":1,\"note\":\"x\"}", key);
    refused(12, line, (const char *[]){"f.jsonl:12: key: is 129 bytes long, at most 128", NULL});
    refused(13, "{\"type\":\"task_update\",\"key\":12,\"task_id\":1,\"note\":\"x\"}",
            (const char *[]){"f.jsonl:13: key: must be a string, not an integer", NULL});
}

Test(publish_jsonl, unknown_fields_are_refused)
{
    refused(14,
            "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"progres\":5,\"note\":\"x\"}",
            (const char *[]){"f.jsonl:14: progres: unknown field of a task_update (its fields: "
                             "type, key, task_id, plan_number, plan_unit, ordinal, progress, "
                             "status, completed_at, evidence, note)",
                             NULL});
    refused(15,
            "{\"type\":\"measurement\",\"key\":\"K\",\"unit\":\"HN\",\"indicator\":\"x\","
            "\"period\":\"2024\",\"value\":1,\"task_id\":3}",
            (const char *[]){"f.jsonl:15: task_id: unknown field of a measurement (its fields: "
                             "type, key, unit, indicator, period, value, numerator, denominator)",
                             NULL});
}

Test(publish_jsonl, wrong_json_types)
{
    refused(16, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":\"12\",\"progress\":\"50\"}",
            (const char *[]){
                "f.jsonl:16: task_id: must be an integer (the task's id), not a string",
                "f.jsonl:16: progress: must be an integer from 0 to 100, not a string", NULL});
    refused(17,
            "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"evidence\":\"12/BC\","
            "\"note\":5}",
            (const char *[]){"f.jsonl:17: evidence: must be an array of strings, not a string",
                             "f.jsonl:17: note: must be a string, not an integer", NULL});
    refused(18,
            "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"evidence\":[\"a\",3,\"\"]}",
            (const char *[]){"f.jsonl:18: evidence[1]: must be a string, not an integer",
                             "f.jsonl:18: evidence[2]: must not be empty", NULL});
    refused(19,
            "{\"type\":\"measurement\",\"key\":\"K\",\"unit\":[\"HN\"],\"indicator\":\"x\","
            "\"period\":2024,\"value\":\"1\"}",
            (const char *[]){"f.jsonl:19: unit: must be a string, not an array",
                             "f.jsonl:19: period: must be a string, not an integer",
                             "f.jsonl:19: value: must be a number, not a string", NULL});
}

Test(publish_jsonl, progress_must_be_an_integer_from_0_to_100)
{
    refused(20, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"progress\":50.5}",
            (const char *[]){"f.jsonl:20: progress: must be a whole number from 0 to 100, not 50.5",
                             NULL});
    refused(21, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"progress\":101}",
            (const char *[]){"f.jsonl:21: progress: must be from 0 to 100, not 101", NULL});
    refused(22, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"progress\":true}",
            (const char *[]){"f.jsonl:22: progress: must be an integer from 0 to 100, not "
                             "true/false",
                             NULL});
}

Test(publish_jsonl, which_task_and_what_to_change)
{
    refused(23, "{\"type\":\"task_update\",\"key\":\"K\",\"progress\":5}",
            (const char *[]){"f.jsonl:23: task_id: missing: name the task by task_id, or by "
                             "plan_number, plan_unit and ordinal",
                             NULL});
    refused(24,
            "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"plan_number\":\"1/KH\","
            "\"progress\":5}",
            (const char *[]){"f.jsonl:24: task_id: give task_id, or plan_number, plan_unit and "
                             "ordinal, not both",
                             NULL});
    refused(25, "{\"type\":\"task_update\",\"key\":\"K\",\"plan_number\":\"1/KH\",\"progress\":5}",
            (const char *[]){
                "f.jsonl:25: plan_unit: missing (plan_number, plan_unit and ordinal go together)",
                "f.jsonl:25: ordinal: missing (plan_number, plan_unit and ordinal go together)",
                NULL});
    refused(26, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":0,\"note\":\"x\"}",
            (const char *[]){"f.jsonl:26: task_id: must be a positive id, not 0", NULL});
    refused(27, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":4,\"note\":null}",
            (const char *[]){"f.jsonl:27: nothing to update: give progress, status, "
                             "completed_at, evidence or note",
                             NULL});
    refused(
        28, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":4,\"status\":\"finished\"}",
        (const char *[]){"f.jsonl:28: status: \"finished\" is not open, done or cancelled", NULL});
    refused(29,
            "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":4,\"completed_at\":\"28/6/2024\"}",
            (const char *[]){"f.jsonl:29: completed_at: \"28/6/2024\" is not a time "
                             "(2024-06-28T16:00:00+07:00, RFC 3339) or a date (2024-06-28)",
                             NULL});
    refused(
        30,
        "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":4,\"completed_at\":\"2023-02-29\"}",
        (const char *[]){"f.jsonl:30: completed_at: \"2023-02-29\" is not a time "
                         "(2024-06-28T16:00:00+07:00, RFC 3339) or a date (2024-06-28)",
                         NULL});
    /* found by fuzzing: the registry took these and stored no completion time */
    refused(
        30,
        "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":4,\"completed_at\":\"0224-06-28\"}",
        (const char *[]){"f.jsonl:30: completed_at: 0224-06-28 is before 1970", NULL});
    refused(30,
            "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":4,\"completed_at\":"
            "\"1970-01-01T06:59:59+07:00\"}",
            (const char *[]){"f.jsonl:30: completed_at: 1970-01-01T06:59:59+07:00 is before 1970",
                             NULL});
    refused(30,
            "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":4,\"completed_at\":"
            "\"2024-06-28T-6:00\"}",
            (const char *[]){"f.jsonl:30: completed_at: \"2024-06-28T-6:00\" is not a time "
                             "(2024-06-28T16:00:00+07:00, RFC 3339) or a date (2024-06-28)",
                             NULL});
}

Test(publish_jsonl, measurement_rules)
{
    refused(31, "{\"type\":\"measurement\",\"key\":\"K\",\"value\":1}",
            (const char *[]){"f.jsonl:31: unit: missing", "f.jsonl:31: indicator: missing",
                             "f.jsonl:31: period: missing", NULL});
    refused(32,
            "{\"type\":\"measurement\",\"key\":\"K\",\"unit\":\"HN\",\"indicator\":\"Dossiers\","
            "\"period\":\"2024-Q5\",\"numerator\":1}",
            (const char *[]){"f.jsonl:32: indicator: \"Dossiers\" is not an indicator code "
                             "([a-z][a-z0-9_.]*, at most 64 characters)",
                             "f.jsonl:32: period: \"2024-Q5\" is not a period: 2024, 2024-Q1, "
                             "2024-H1 or 2024-06",
                             "f.jsonl:32: denominator: missing (numerator and denominator go "
                             "together)",
                             NULL});
    refused(33,
            "{\"type\":\"measurement\",\"key\":\"K\",\"unit\":\"HN\",\"indicator\":\"x\","
            "\"period\":\"2024-13\",\"value\":1,\"numerator\":1,\"denominator\":0}",
            (const char *[]){"f.jsonl:33: period: \"2024-13\" is not a period: 2024, 2024-Q1, "
                             "2024-H1 or 2024-06",
                             "f.jsonl:33: denominator: must be positive, not 0",
                             "f.jsonl:33: value: give a value, or a numerator and a denominator, "
                             "not both",
                             NULL});
    refused(34,
            "{\"type\":\"measurement\",\"key\":\"K\",\"unit\":\"HN\",\"indicator\":\"x\","
            "\"period\":\"2024\"}",
            (const char *[]){"f.jsonl:34: value: missing: give a value, or a numerator and a "
                             "denominator",
                             NULL});
}

Test(publish_jsonl, lines_that_are_not_json_objects)
{
    refused(35, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"note\":\"\xff\"}",
            (const char *[]){"f.jsonl:35: not valid UTF-8 (byte 53)", NULL});
    refused(36, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1",
            (const char *[]){"f.jsonl:36: not valid JSON: '}' expected near end of file (column "
                             "43)",
                             NULL});
    refused(37, "[1,2]",
            (const char *[]){"f.jsonl:37: not a JSON object but an array (each line is one "
                             "object)",
                             NULL});
    refused(38,
            "{\"type\":\"task_update\",\"key\":\"K\",\"key\":\"L\",\"task_id\":1,\"note\":\"x\"}",
            (const char *[]){"f.jsonl:38: not valid JSON: duplicate object key near '\"key\"' "
                             "(column 37)",
                             NULL});
    refused(39, "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":1,\"note\":\"x\"} {}",
            (const char *[]){"f.jsonl:39: not valid JSON: end of file expected near '{' "
                             "(column 57)",
                             NULL});
}

Test(publish_jsonl, every_problem_of_a_line_is_reported)
{
    refused(40,
            "{\"type\":\"task_update\",\"task_id\":-3,\"progress\":250,\"colour\":\"red\","
            "\"status\":\"closed\"}",
            (const char *[]){"f.jsonl:40: key: missing: each line needs its own idempotency key",
                             "f.jsonl:40: task_id: must be a positive id, not -3",
                             "f.jsonl:40: progress: must be from 0 to 100, not 250",
                             "f.jsonl:40: colour: unknown field of a task_update (its fields: "
                             "type, key, task_id, plan_number, plan_unit, ordinal, progress, "
                             "status, completed_at, evidence, note)",
                             "f.jsonl:40: status: \"closed\" is not open, done or cancelled",
                             NULL});
}

Test(publish_jsonl, problems_format_without_field_or_line)
{
    problems_add(&problems, "x.jsonl", 0, NULL, "empty");
    problems_add(&problems, "x.jsonl", 4, "key", "twice");
    cr_assert_str_eq(problem(0), "x.jsonl: empty");
    cr_assert_str_eq(problem(1), "x.jsonl:4: key: twice");
}
