/* bench_scoring.c - a city's PAR Index: full recompute and one-measurement updates
 *
 * usage: bench_scoring [UNITS] [REPEATS]
 * Generates a scheme of 100 leaves (7 appraised areas of 3 criteria, each
 * with 4-5 sub-criteria of every rule kind: ratios with zero, proportional
 * and banded scoring, a % ratio, bands, deliverables, plan completion,
 * appraised points, deductions and bonuses; and a survey area) and UNITS
 * wards (default 1,000) in 40 districts with a full year of facts, as JSON
 * text, and reads both with the real readers. Then it times, separately:
 *   - reading the scheme, reading the data, binding every unit's facts;
 *   - the full recompute: score_compute of every unit, then score_rank of
 *     all of them (city-wide, one peer group), REPEATS times (default 9);
 *   - the incremental path: one new measurement for one unit
 *     (score_input_set_measurement + score_compute of that unit), alone and
 *     with the re-ranking its rank may need, 1,000 times (a different unit
 *     and value each time);
 *   - the baseline: the same tree walk with nothing but additions (every
 *     unit's leaf values summed into their parents, nodes in scheme order),
 *     and the compute of one unit repeated UNITS times (cache-hot).
 * Prints figures with min and median, then one JSON object on the last line:
 * {"units": N, "leaves": N, "full_ms": median, "incremental_ms": median,
 * "additions_ms": the baseline's median}.
 */
#include "bench_stats.h"
#include "scheme_file.h"
#include "score_compute.h"
#include "score_data.h"
#include "score_rank.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AREAS     7
#define CRITERIA  3
#define INCREMENT 1000

typedef struct {
    char *s;
    size_t len, cap;
} sb_t;

__attribute__((format(printf, 2, 3))) static void sb_put(sb_t *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            fprintf(stderr, "bench_scoring: format error\n");
            exit(1);
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 1 << 16;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            fprintf(stderr, "bench_scoring: out of memory\n");
            exit(1);
        }
        b->s = s;
        b->cap = cap;
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* min and median of xs (sorted in place) */
static void stats(double *xs, size_t n, double *min, double *median)
{
    qsort(xs, n, sizeof *xs, bench_cmp_double);
    *min = xs[0];
    *median = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static double rnd(void) /* [0, 1) */
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* The rule of leaf k (0-based over the appraised leaves), cycling through
 * every kind. Measurement codes: numerators own to the leaf, denominators
 * shared by five leaves (as dossiers_total is). */
static int leaf_kind(int k)
{
    return k % 10;
}

static double leaf_max(int k)
{
    return leaf_kind(k) == 9 ? 0 : 1;
}

static void put_leaf(sb_t *b, int k, const char *code)
{
    sb_put(b, "{\"code\":\"%s\",\"name\":\"Tiêu chí thành phần %s\",\"max\":%g,\"rule\":", code,
           code, leaf_max(k));
    switch (leaf_kind(k)) {
    case 0:
        sb_put(b,
               "{\"kind\":\"ratio\",\"numerator\":\"n%d\",\"denominator\":\"d%d\",\"target\":40,"
               "\"below\":[{\"at_least\":30,\"points\":0.5},{\"at_least\":20,\"points\":0.25}]}",
               k, k % 5);
        break;
    case 1:
        sb_put(b,
               "{\"kind\":\"ratio\",\"numerator\":\"n%d\",\"denominator\":\"d%d\",\"target\":100,"
               "\"below\":\"proportional\"}",
               k, k % 5);
        break;
    case 2: sb_put(b, "{\"kind\":\"ratio\",\"measurement\":\"p%d\",\"target\":90}", k); break;
    case 3:
        sb_put(b,
               "{\"kind\":\"bands\",\"measurement\":\"m%d\",\"bands\":[{\"at_least\":12,"
               "\"points\":1},{\"at_least\":6,\"points\":0.7},{\"above\":3,\"points\":0.4}]}",
               k);
        break;
    case 4:
    case 5:
        sb_put(b, "{\"kind\":\"deliverable\",\"task\":\"t%d\",\"on_time\":1,\"late\":0.5}", k);
        break;
    case 6:
        sb_put(b,
               "{\"kind\":\"plan_completion\",\"plan\":\"k%d\",\"bands\":[{\"above\":90,"
               "\"points\":1},{\"at_least\":70,\"points\":0.5}]}",
               k);
        break;
    case 7:
    case 8: sb_put(b, "{\"kind\":\"manual\"}"); break;
    case 9: sb_put(b, "{\"kind\":\"%s\",\"cap\":0.5}", (k / 10) % 2 ? "bonus" : "deduction"); break;
    }
    sb_put(b, "}");
}

/* 7 areas x 3 criteria; 15 criteria of 5 sub-criteria and 6 of 4 make the
 * 99 appraised leaves; the survey area is the 100th. */
static char *make_scheme(int *nleaves)
{
    sb_t b = {0};
    sb_put(&b, "{\"format\":1,\"code\":\"bench\",\"name\":\"Chỉ số CCHC thử\",\"year\":2024,"
               "\"level\":\"ward\",\"consistency\":[");
    for (int d = 0; d < 5; d++)
        sb_put(&b, "%s{\"parts\":[\"n%d\"],\"at_most\":\"d%d\"}", d ? "," : "", d * 10, d);
    sb_put(&b, "],\"areas\":[");
    int k = 0, criterion = 0;
    for (int a = 1; a <= AREAS; a++) {
        double area_max = 0;
        int first = k;
        for (int c = 0; c < CRITERIA; c++)
            for (int s = 0; s < (criterion + c < 6 ? 4 : 5); s++)
                area_max += leaf_max(first++);
        sb_put(&b, "%s{\"code\":\"%d\",\"name\":\"Lĩnh vực %d\",\"max\":%g,\"children\":[",
               a > 1 ? "," : "", a, a, area_max);
        for (int c = 1; c <= CRITERIA; c++, criterion++) {
            int subs = criterion < 6 ? 4 : 5;
            double max = 0;
            for (int s = 0; s < subs; s++)
                max += leaf_max(k + s);
            sb_put(&b,
                   "%s{\"code\":\"%d.%d\",\"name\":\"Tiêu chí %d.%d\",\"max\":%g,\"children\":[",
                   c > 1 ? "," : "", a, c, a, c, max);
            for (int s = 1; s <= subs; s++, k++) {
                char code[32];
                snprintf(code, sizeof code, "%d.%d.%d", a, c, s);
                if (s > 1)
                    sb_put(&b, ",");
                put_leaf(&b, k, code);
            }
            sb_put(&b, "]}");
        }
        sb_put(&b, "]}");
    }
    sb_put(&b, ",{\"code\":\"8\",\"name\":\"Điều tra xã hội học\",\"max\":30,\"children\":["
               "{\"code\":\"8.1\",\"name\":\"SIPAS\",\"max\":30,\"rule\":{\"kind\":\"survey\"}}]}");
    sb_put(&b, "]}");
    *nleaves = k + 1;
    return b.s;
}

static const char *leaf_code(int k, char *buf, size_t len)
{
    /* the code put_leaf was given for appraised leaf k */
    int criterion = 0, seen = 0;
    for (int a = 1; a <= AREAS; a++)
        for (int c = 1; c <= CRITERIA; c++, criterion++) {
            int subs = criterion < 6 ? 4 : 5;
            if (k < seen + subs) {
                snprintf(buf, len, "%d.%d.%d", a, c, k - seen + 1);
                return buf;
            }
            seen += subs;
        }
    snprintf(buf, len, "?");
    return buf;
}

static char *make_data(int units, int appraised)
{
    static const char *const outcomes[] = {"on_time", "on_time", "on_time", "late", "missing"};
    sb_t b = {0};
    sb_put(&b, "{\"format\":1,\"units\":[");
    for (int u = 0; u < units; u++) {
        sb_put(&b,
               "%s{\"code\":\"B.D%d.W%d\",\"name\":\"Phường Số %d\",\"kind\":\"ward\","
               "\"parent\":\"B.D%d\",\"years\":{\"2024\":{\"measurements\":{",
               u ? "," : "", u % 40, u, u, u % 40);
        double den[5];
        for (int d = 0; d < 5; d++) {
            den[d] = 1000 + floor(4000 * rnd());
            sb_put(&b, "%s\"d%d\":%g", d ? "," : "", d, den[d]);
        }
        for (int k = 0; k < appraised; k++) {
            switch (leaf_kind(k)) {
            case 0:
            case 1: sb_put(&b, ",\"n%d\":%g", k, floor(den[k % 5] * rnd())); break;
            case 2: sb_put(&b, ",\"p%d\":%.2f", k, 60 + 40 * rnd()); break;
            case 3: sb_put(&b, ",\"m%d\":%g", k, floor(13 * rnd())); break;
            }
        }
        sb_put(&b, "},\"deliverables\":{");
        int n = 0;
        for (int k = 0; k < appraised; k++)
            if (leaf_kind(k) == 4 || leaf_kind(k) == 5)
                sb_put(&b, "%s\"t%d\":\"%s\"", n++ ? "," : "", k, outcomes[(int)(5 * rnd())]);
        sb_put(&b, "},\"plans\":{");
        n = 0;
        for (int k = 0; k < appraised; k++)
            if (leaf_kind(k) == 6) {
                int tasks = 20 + (int)(30 * rnd());
                sb_put(&b, "%s\"k%d\":{\"tasks\":%d,\"on_time\":%d}", n++ ? "," : "", k, tasks,
                       tasks - (int)(tasks * 0.3 * rnd()));
            }
        sb_put(&b, "},\"manual\":{");
        n = 0;
        char code[32];
        for (int k = 0; k < appraised; k++)
            if (leaf_kind(k) == 7 || leaf_kind(k) == 8)
                sb_put(&b, "%s\"%s\":{\"points\":%.2f,\"evidence\":\"Biên bản thẩm định\"}",
                       n++ ? "," : "", leaf_code(k, code, sizeof code), rnd());
        sb_put(&b, "},\"adjustments\":{");
        n = 0;
        for (int k = 0; k < appraised; k++)
            if (leaf_kind(k) == 9 && rnd() < 0.3)
                sb_put(&b, "%s\"%s\":[{\"points\":0.25,\"reason\":\"Văn bản số %d\"}]",
                       n++ ? "," : "", leaf_code(k, code, sizeof code), k);
        sb_put(&b, "},\"survey\":%.2f,\"reported\":{\"total\":%.2f,\"areas\":{\"1\":%.2f}}}}}",
               80 + 20 * rnd(), 60 + 40 * rnd(), 10 * rnd());
    }
    sb_put(&b, "]}");
    return b.s;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "bench_scoring: %s: %s\n", what, err);
    exit(1);
}

int main(int argc, char **argv)
{
    int units = argc > 1 ? atoi(argv[1]) : 1000;
    int repeats = argc > 2 ? atoi(argv[2]) : 9;
    if (units < 2 || repeats < 1)
        die("usage", "bench_scoring [UNITS >= 2] [REPEATS >= 1]");
    int nleaves = 0;
    char *scheme_text = make_scheme(&nleaves);
    char *data_text = make_data(units, nleaves - 1);
    char err[1024];

    double t0 = now_ms();
    score_scheme_t *s =
        scheme_file_parse(scheme_text, strlen(scheme_text), "bench.json", err, sizeof err);
    double scheme_ms = now_ms() - t0;
    if (!s)
        die("the generated scheme", err);
    if ((int)s->nleaves != nleaves)
        die("the generated scheme", "leaf count differs");
    problems_t *problems = calloc(1, sizeof *problems);
    if (!problems)
        die("memory", "out of memory");
    t0 = now_ms();
    score_data_t *d = score_data_parse(data_text, strlen(data_text), "bench-data.json", problems,
                                       err, sizeof err);
    double data_ms = now_ms() - t0;
    if (!d || score_data_check(d, s, problems))
        die("the generated data", problems->n ? problems->items[0].message : err);

    score_input_t **in = calloc((size_t)units, sizeof *in);
    score_result_t **out = calloc((size_t)units, sizeof *out);
    score_rank_item_t *items = calloc((size_t)units, sizeof *items);
    if (!in || !out || !items)
        die("memory", "out of memory");
    for (int u = 0; u < units; u++) {
        in[u] = score_input_new(s);
        out[u] = score_result_new(s);
        if (!in[u] || !out[u])
            die("memory", "out of memory");
    }
    t0 = now_ms();
    for (int u = 0; u < units; u++)
        score_input_bind(in[u], &d->units[u].years[0]);
    double bind_ms = now_ms() - t0;

    /* full recompute: every unit, then the city-wide ranking */
    double *full = calloc((size_t)repeats, sizeof *full);
    double *compute_only = calloc((size_t)repeats, sizeof *compute_only);
    if (!full || !compute_only)
        die("memory", "out of memory");
    for (int r = 0; r < repeats; r++) {
        t0 = now_ms();
        for (int u = 0; u < units; u++)
            score_compute(in[u], out[u]);
        compute_only[r] = now_ms() - t0;
        for (int u = 0; u < units; u++)
            items[u] =
                (score_rank_item_t){d->units[u].kind, d->units[u].parent, out[u]->score, 0, 0};
        if (score_rank(items, (size_t)units, SCORE_PEERS_LEVEL) < 0)
            die("memory", "out of memory");
        full[r] = now_ms() - t0;
    }
    size_t checks = 0;
    double total = 0;
    for (int u = 0; u < units; u++) {
        checks += out[u]->nchecks;
        total += out[u]->score;
    }

    /* incremental: one new measurement for one unit, its score, its rank */
    double inc[INCREMENT], inc_rank[INCREMENT];
    int changed_leaves = 0;
    for (int i = 0; i < INCREMENT; i++) {
        int u = (int)(rnd() * units);
        char code[16];
        snprintf(code, sizeof code, "n%d", 10 * (int)(rnd() * (nleaves / 10)));
        double value = floor(1000 * rnd());
        t0 = now_ms();
        changed_leaves += score_input_set_measurement(in[u], code, value);
        score_compute(in[u], out[u]);
        double t1 = now_ms();
        items[u].value = out[u]->score;
        if (score_rank(items, (size_t)units, SCORE_PEERS_LEVEL) < 0)
            die("memory", "out of memory");
        double t2 = now_ms();
        inc[i] = t1 - t0;
        inc_rank[i] = t2 - t0;
    }
    if (changed_leaves < INCREMENT)
        die("the incremental path", "a measurement changed no leaf");

    /* baselines: the same tree walk doing additions only; one unit, hot */
    double *sums = calloc(s->nnodes, sizeof *sums);
    double *vals = malloc((size_t)units * s->nnodes * sizeof *vals);
    if (!sums || !vals)
        die("memory", "out of memory");
    for (size_t i = 0; i < (size_t)units * s->nnodes; i++)
        vals[i] = rnd();
    double raw[16], hot[16], sink = 0;
    int raw_repeats = repeats < 16 ? repeats : 16;
    for (int r = 0; r < raw_repeats; r++) {
        t0 = now_ms();
        for (int u = 0; u < units; u++) {
            const double *v = &vals[(size_t)u * s->nnodes];
            memset(sums, 0, s->nnodes * sizeof *sums);
            for (size_t i = s->nnodes; i-- > 1;)
                sums[s->nodes[i].parent] += score_node_is_leaf(&s->nodes[i]) ? v[i] : sums[i];
            sink += sums[0];
        }
        raw[r] = now_ms() - t0;
        t0 = now_ms();
        for (int u = 0; u < units; u++)
            score_compute(in[0], out[0]);
        hot[r] = now_ms() - t0;
    }

    double full_min, full_med, comp_min, comp_med, inc_min, inc_med, incr_min, incr_med;
    double raw_min, raw_med, hot_min, hot_med;
    stats(full, (size_t)repeats, &full_min, &full_med);
    stats(compute_only, (size_t)repeats, &comp_min, &comp_med);
    stats(inc, INCREMENT, &inc_min, &inc_med);
    stats(inc_rank, INCREMENT, &incr_min, &incr_med);
    stats(raw, (size_t)raw_repeats, &raw_min, &raw_med);
    stats(hot, (size_t)raw_repeats, &hot_min, &hot_med);
    double inc_p99 = inc_rank[INCREMENT * 99 / 100];

    printf("scheme: %zu nodes, %d leaves (every rule kind), 3 levels; %d units in 40 "
           "districts, ranked city-wide\n",
           s->nnodes, nleaves, units);
    printf("read: scheme %.2f ms (%zu bytes), data %.1f ms (%zu bytes); bind %d units %.2f ms "
           "(%.2f us each)\n",
           scheme_ms, strlen(scheme_text), data_ms, strlen(data_text), units, bind_ms,
           1e3 * bind_ms / units);
    printf("full recompute, %d runs: score_compute of %d units min %.2f ms, median %.2f ms "
           "(%.2f us a unit); with score_rank min %.2f ms, median %.2f ms [aim < 200 ms]\n",
           repeats, units, comp_min, comp_med, 1e3 * comp_med / units, full_min, full_med);
    printf("incremental, %d updates: set_measurement + score_compute min %.4f ms, median "
           "%.4f ms; with re-ranking %d units min %.4f ms, median %.4f ms, p99 %.4f ms [aim < "
           "5 ms]\n",
           INCREMENT, inc_min, inc_med, units, incr_min, incr_med, inc_p99);
    printf("baseline: additions only over the same tree, %d units x %zu nodes: min %.3f ms, "
           "median %.3f ms -> full compute is %.1fx that\n",
           units, s->nnodes, raw_min, raw_med, comp_med / raw_med);
    printf("baseline: one unit's score_compute %d times (cache-hot): median %.2f ms -> %d "
           "different units cost %.2fx that\n",
           units, hot_med, units, comp_med / hot_med);
    printf("(%zu checks found; mean score %.2f; sink %.0f)\n", checks, total / units, sink);
    printf("{\"units\": %d, \"leaves\": %d, \"full_ms\": %.3f, \"incremental_ms\": %.4f, "
           "\"additions_ms\": %.3f}\n",
           units, nleaves, full_med, incr_med, raw_med);

    for (int u = 0; u < units; u++) {
        score_input_destroy(&in[u]);
        score_result_destroy(&out[u]);
    }
    free(in);
    free(out);
    free(items);
    free(full);
    free(compute_only);
    free(sums);
    free(vals);
    score_data_destroy(&d);
    score_scheme_destroy(&s);
    problems_clear(problems);
    free(problems);
    free(scheme_text);
    free(data_text);
    return 0;
}
