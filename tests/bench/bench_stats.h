/* bench_stats.h - what every benchmark measures with: the monotonic clock,
 * sorting samples, percentiles, and the percentile curves scripts/bench all
 * plots
 */
#ifndef PARTRACK_BENCH_STATS_H
#define PARTRACK_BENCH_STATS_H

#include <stddef.h>

/* Seconds on the monotonic clock. */
double bench_now_s(void);

/* qsort comparison of doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

/* Sorts v[0..n) in place. */
void bench_sort(double *v, size_t n);

/* v[0..n) sorted: the value at fraction p (0..1); 0 when n is 0. */
double bench_percentile(const double *v, size_t n, double p);

/* When the environment names a file in BENCH_PERCENTILES, appends to it
 * one line "SERIES PERCENT VALUE" for each of a fixed set of percents
 * (1 to 99.9, and 100) of the sorted v[0..n): the curve of one series, for
 * scripts/bench all's latency plot. SERIES is one word. Nothing when
 * unset or n is 0. */
void bench_percentiles_write(const char *series, const double *v, size_t n);

#endif
