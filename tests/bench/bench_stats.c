/* bench_stats.c - clock, sorting and percentiles for the benchmarks */
#include "bench_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
}

double bench_percentile(const double *v, size_t n, double p)
{
    return n ? v[(size_t)(p * (double)(n - 1))] : 0;
}

void bench_percentiles_write(const char *series, const double *v, size_t n)
{
    static const double percents[] = {1, 5, 10, 25, 50, 75, 90, 95, 98, 99, 99.5, 99.8, 99.9, 100};
    const char *path = getenv("BENCH_PERCENTILES");
    if (!path || !*path || n == 0)
        return;
    FILE *f = fopen(path, "a");
    if (!f) {
        perror(path);
        return;
    }
    for (size_t i = 0; i < sizeof percents / sizeof *percents; i++)
        fprintf(f, "%s %g %.4f\n", series, percents[i], bench_percentile(v, n, percents[i] / 100));
    fclose(f);
}
