/* seed_envelope.c - writes the seed corpus of fuzz_envelope
 *
 *   fuzz_seed_envelope DIR
 *
 * Writes into DIR, for every message type fuzz_envelope knows (the kinds[]
 * table, included from the harness): frame-NAME, a packed Envelope around a
 * payload with every field set (strings in Vietnamese, numbers, enums at
 * their first declared value, one item in each repeated field, nested
 * messages filled the same way), as a service receives it; and
 * payload-NAME, the byte that selects the type followed by the payload
 * alone (the harness's second use of an input). Then the JSON lines of
 * `partrack publish` (publish_jsonl.h's examples and some refused ones),
 * and real ingest messages with the formats the registry reads. Run once by
 * hand when message types change; the files are committed
 * (tests/fuzz/corpus/envelope) and merged with what the fuzzer finds.
 */
#define LLVMFuzzerTestOneInput fuzz_envelope_one
#define LLVMFuzzerInitialize   fuzz_envelope_init
#include "fuzz_envelope.c"

#include <errno.h>

/* Everything the filled messages point to, freed at the end. */
static void *arena[65536];
static size_t narena;

static void *keep(void *p)
{
    fuzz_check(p != NULL && narena < sizeof arena / sizeof arena[0], "seed arena");
    arena[narena++] = p;
    return p;
}

static void fill(ProtobufCMessage *m, int depth);

static void fill_value(const ProtobufCFieldDescriptor *f, void *member, int depth, unsigned n)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: *(int32_t *)member = 2024 + (int32_t)n; break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: *(uint32_t *)member = 7 + n; break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: *(int64_t *)member = 1719567000000LL + n; break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: *(uint64_t *)member = 42 + n; break;
    case PROTOBUF_C_TYPE_FLOAT: *(float *)member = 18.67f; break;
    case PROTOBUF_C_TYPE_DOUBLE: *(double *)member = 18.67 + n; break;
    case PROTOBUF_C_TYPE_BOOL: *(protobuf_c_boolean *)member = 1; break;
    case PROTOBUF_C_TYPE_ENUM:
        *(int *)member = ((const ProtobufCEnumDescriptor *)f->descriptor)->values[0].value;
        break;
    case PROTOBUF_C_TYPE_STRING: {
        static const char *const texts[] = {"HN.HADONG.PHULAM", "Phường Phú Lãm",
                                            "2024-06-28T16:00:00+07:00", "104/KH-UBND",
                                            "Quý II/2024"};
        *(char **)member = (char *)texts[(f->id + n) % 5];
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData *b = member;
        b->data = (uint8_t *)"STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n";
        b->len = strlen((const char *)b->data);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *d = f->descriptor;
        ProtobufCMessage *sub = keep(calloc(1, d->sizeof_message));
        d->message_init(sub);
        if (depth < 4)
            fill(sub, depth + 1);
        *(ProtobufCMessage **)member = sub;
        break;
    }
    }
}

static size_t value_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 8;
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    default: return 4;
    }
}

/* Sets every field of m: one value each, two items in repeated fields. */
static void fill(ProtobufCMessage *m, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    char *base = (char *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            char *items = keep(calloc(2, value_size(f)));
            for (unsigned k = 0; k < 2; k++)
                fill_value(f, items + k * value_size(f), depth, k);
            *(size_t *)(base + f->quantifier_offset) = 2;
            *(void **)(base + f->offset) = items;
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
            f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
            *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
        fill_value(f, base + f->offset, depth, 0);
    }
}

static void put(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fuzz_seed_envelope: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void put_text(const char *dir, const char *name, const char *text)
{
    put(dir, name, (const uint8_t *)text, strlen(text));
}

/* The type's name in lower case without MSG_ ("unit_import"). */
static void type_name(Partrack__MessageType type, char *out, size_t len)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&partrack__message_type__descriptor, (int)type);
    snprintf(out, len, "%s", v->name + 4);
    for (char *p = out; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
}

static void put_message(const char *dir, const char *name, Partrack__MessageType type,
                        const char *key, const ProtobufCMessage *payload)
{
    size_t len;
    uint8_t *frame = msg_pack(type, "corr-1", key, payload, &len);
    fuzz_check(frame != NULL, "memory");
    put(dir, name, frame, len);
    free(frame);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    for (size_t k = 0; k < NKINDS; k++) {
        char name[64], file[96];
        type_name(kinds[k].type, name, sizeof name);
        ProtobufCMessage *m = NULL;
        if (kinds[k].payload) {
            m = keep(calloc(1, kinds[k].payload->sizeof_message));
            kinds[k].payload->message_init(m);
            fill(m, 0);
        }
        snprintf(file, sizeof file, "frame-%s", name);
        put_message(dir, file, kinds[k].type, "key-1", m);
        if (m) {
            size_t len = protobuf_c_message_get_packed_size(m);
            uint8_t *buf = malloc(len + 1);
            fuzz_check(buf != NULL, "memory");
            buf[0] = (uint8_t)k;
            protobuf_c_message_pack(m, buf + 1);
            snprintf(file, sizeof file, "payload-%s", name);
            put(dir, file, buf, len + 1);
            free(buf);
        }
    }

    /* Published messages as publishers send them. */
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = 12;
    u.has_progress = 1;
    u.progress = 100;
    u.status = "done";
    u.completed_at = "2024-06-28T16:00:00+07:00";
    put_message(dir, "ingest-update-done", T(INGEST_TASK_UPDATE), "k-1", &u.base);
    u.completed_at = "2024-06-28";
    put_message(dir, "ingest-update-date", T(INGEST_TASK_UPDATE), "k-2", &u.base);
    u.completed_at = "2024-06-28 16:00:05.250Z";
    put_message(dir, "ingest-update-space", T(INGEST_TASK_UPDATE), "k-3", &u.base);
    Partrack__TaskUpdate v = PARTRACK__TASK_UPDATE__INIT;
    v.plan_number = "104/KH-UBND";
    v.plan_unit = "HN.HADONG.PHULAM";
    v.ordinal = "II.3";
    v.has_progress = 1;
    v.progress = 50;
    char *evidence[] = {"12/BC-UBND", "https://dvc.hanoi.gov.vn/x"};
    v.n_evidence = 2;
    v.evidence = evidence;
    v.note = "Đã hoàn thành 50% khối lượng";
    put_message(dir, "ingest-update-by-ordinal", T(INGEST_TASK_UPDATE), "k-4", &v.base);
    Partrack__Measurement me = PARTRACK__MEASUREMENT__INIT;
    me.unit = "HN.HADONG.PHULAM";
    me.indicator = "dossiers_online_l3";
    me.period = "2024";
    me.has_numerator = me.has_denominator = 1;
    me.numerator = 762;
    me.denominator = 4080;
    put_message(dir, "ingest-measurement-ratio", T(INGEST_MEASUREMENT), "k-5", &me.base);
    Partrack__Measurement mv = PARTRACK__MEASUREMENT__INIT;
    mv.unit = "HN.HADONG.PHULAM";
    mv.indicator = "sipas.satisfaction";
    mv.period = "2024-Q1";
    mv.has_value = 1;
    mv.value = 18.7;
    put_message(dir, "ingest-measurement-value", T(INGEST_MEASUREMENT), "k-6", &mv.base);

    /* Lines of `partrack publish` files. */
    put_text(dir, "jsonl-update-id",
             "{\"type\":\"task_update\",\"key\":\"K\",\"task_id\":12,\"progress\":50,"
             "\"status\":\"done\",\"completed_at\":\"2024-06-28T16:00:00+07:00\","
             "\"evidence\":[\"12/BC-UBND\"],\"note\":\"xong\"}");
    put_text(dir, "jsonl-update-ordinal",
             "{\"type\":\"task_update\",\"key\":\"K2\",\"plan_number\":\"104/KH-UBND\","
             "\"plan_unit\":\"HN.HADONG.PHULAM\",\"ordinal\":\"II.3\",\"progress\":50}");
    put_text(dir, "jsonl-measurement-ratio",
             "{\"type\":\"measurement\",\"key\":\"K3\",\"unit\":\"HN.HADONG.PHULAM\","
             "\"indicator\":\"dossiers_online_l3\",\"period\":\"2024\",\"numerator\":762,"
             "\"denominator\":4080}");
    put_text(dir, "jsonl-measurement-value",
             "\xEF\xBB\xBF{\"type\":\"measurement\",\"key\":\"K4\",\"unit\":\"HN\","
             "\"indicator\":\"x.y_z\",\"period\":\"2024-H2\",\"value\":18.7,"
             "\"numerator\":null}\r");
    put_text(dir, "jsonl-refused",
             "{\"type\":\"task_update\",\"key\":\"\",\"task_id\":0,\"progress\":101.5,"
             "\"status\":\"xong\",\"completed_at\":\"2024-02-30\",\"colour\":1}");
    put_text(dir, "jsonl-refused-2",
             "{\"type\":\"measurement\",\"key\":\"K\",\"unit\":\"\",\"indicator\":\"Bad\","
             "\"period\":\"2024-13\",\"numerator\":1,\"denominator\":0}");
    put_text(dir, "jsonl-not-object", "[1,2,3]");

    for (size_t i = 0; i < narena; i++)
        free(arena[i]);
    return 0;
}
