#!/usr/bin/env python3
"""bench_report.py RUN_DIR DOCS_DIR - writes DOCS_DIR/BENCHMARKS.md and its
plots (DOCS_DIR/bench/*.png, drawn by gnuplot) from one `scripts/bench all`
run: RUN_DIR holds NAME.json (each benchmark's last line), NAME.txt (all it
printed), machine.json and percentiles.txt (BENCH_PERCENTILES lines).

Every figure stands beside the baseline measured in the same run, and their
ratio; a benchmark that failed is listed as failed, never left out.
"""
import json
import os
import subprocess
import sys

RUN, DOCS = sys.argv[1], sys.argv[2]
PLOTS = os.path.join(DOCS, "bench")


def load(name):
    try:
        with open(os.path.join(RUN, name + ".json"), encoding="utf-8") as f:
            return json.loads(f.read().strip() or "null")
    except (OSError, ValueError):
        return None


def num(v, digits=0):
    """A figure with thin thousands separators, or a dash."""
    if v is None:
        return "—"
    if digits == 0 and abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}" if digits else f"{v:,.2f}"


def ratio(a, b, digits=2):
    """a / b, with two significant figures when it is small."""
    if a is None or b in (None, 0):
        return "—"
    r = a / b
    return f"{r:.2g}" if 0 < r < 0.1 else f"{r:.{digits}f}"


machine = load("machine") or {}
base = load("baseline") or {}
ingest = load("ingest") or {}
e2e = load("e2e") or {}
rpc = load("registry-rpc") or {}
names = ["baseline", "deadline-parse", "scoring", "registry-rpc", "unit-import",
         "plan-import", "deadline-sweep", "ingest", "ingest-batches", "e2e", "memory"]
failed = [n for n in names if load(n) is None]


def get(d, k):
    v = d.get(k) if isinstance(d, dict) else None
    return v if isinstance(v, (int, float)) else None


# What a reader checks first: each figure, its baseline, the ratio.
rows = []


def row(bench, figure, value, unit, baseline_what, baseline, ratio_text, aim="—"):
    rows.append((bench, figure, f"{value} {unit}".strip() if value != "—" else "—",
                 baseline_what, baseline, ratio_text, aim))


acked = get(ingest, "acked_per_s")
copy = get(ingest, "raw_copy_per_s")
curve_rr = get(base, "zmq_curve_reply_per_s")
row("ingest", "acknowledged updates/s (window 1,000, durable)", num(acked), "",
    "the same rows (task_update with its key, event_log) by COPY, same database",
    num(copy) + " /s", ratio(acked, copy), "≥ 50,000/s; ratio ≥ 0.25 (goal 0.5)")
row("ingest", "acknowledged updates/s", num(acked), "",
    "ZeroMQ CURVE DEALER→ROUTER, 1,000 in flight, no database", num(curve_rr) + " /s",
    ratio(acked, curve_rr))
p50, p99 = get(ingest, "ack_p50_ms"), get(ingest, "ack_p99_ms")
little = 1000.0 / acked * 1000.0 if acked else None
row("ingest", "acknowledgement latency p50 / p99 at full speed",
    f"{num(p50, 1)} / {num(p99, 1)}", "ms",
    "window ÷ throughput (Little's law: 1,000 in flight)", num(little, 1) + " ms",
    ratio(p50, little))
p99_5000 = get(ingest, "ack_p99_ms_at_5000")
commit_p99 = get(base, "pg_commit_p99_ms")
row("ingest", "acknowledgement latency p99 at 5,000 updates/s", num(p99_5000, 1), "ms",
    "one single-row durable commit, p99", num(commit_p99, 2) + " ms",
    ratio(p99_5000, commit_p99, 1) + "×" if p99_5000 and commit_p99 else "—", "≤ 20 ms")
raw_rt = get(rpc, "raw_roundtrip_per_s")
commit_p50 = get(base, "pg_commit_p50_ms")
floor = (2 * commit_p50 + 2 * 1000.0 / raw_rt) if commit_p50 and raw_rt else None
e2e_p50, e2e_p99 = get(e2e, "p50_ms"), get(e2e, "p99_ms")
row("e2e", "publish → feed entry p50 / p99 at 1,000 updates/s",
    f"{num(e2e_p50, 1)} / {num(e2e_p99, 1)}", "ms",
    "two durable commits (registry, notify) and two loopback round trips, p50",
    num(floor, 2) + " ms", ratio(e2e_p50, floor, 1) + "×" if e2e_p50 and floor else "—",
    "p99 ≤ 100 ms")
d = load("deadline-parse") or {}
row("deadline-parse", "deadline phrases parsed and scheduled/s", num(get(d, "phrases_per_s")), "",
    "text_fold of the same phrases (the folding each needs)", num(get(d, "text_fold_per_s")) + " /s",
    ratio(get(d, "phrases_per_s"), get(d, "text_fold_per_s")))
d = load("deadline-sweep") or {}
row("deadline-sweep", "transitions/s, 10,000 due at once among 1,000,000",
    num(get(d, "transitions_per_s")), "", "one INSERT of as many rows (unnest)",
    num(get(d, "baseline_rows_per_s")) + " /s",
    ratio(get(d, "transitions_per_s"), get(d, "baseline_rows_per_s")))
row("deadline-sweep", "idle sweep over 1,000,000 open occurrences", num(get(d, "idle_sweep_ms"), 2),
    "ms", "—", "—", "—")
d = load("plan-import") or {}
row("plan-import", "tasks/s, 1,000 plans × 100 tasks in one manifest", num(get(d, "tasks_per_s")),
    "", "the same plans one `plan import` command each", num(get(d, "single_tasks_per_s")) + " /s",
    ratio(get(d, "tasks_per_s"), get(d, "single_tasks_per_s")))
d = load("unit-import") or {}
row("unit-import", "units imported/s", num(get(d, "units_per_s")), "",
    "COPY of the same CSV rows into a plain table", num(get(d, "copy_rows_per_s")) + " /s",
    ratio(get(d, "units_per_s"), get(d, "copy_rows_per_s")))
row("registry-rpc", "registry pings/s, a new DEALER each (as the CLI)",
    num(get(rpc, "ping_per_s")), "", "raw DEALER/ROUTER round trips, one socket",
    num(raw_rt) + " /s", ratio(get(rpc, "ping_per_s"), raw_rt))
d = load("scoring") or {}
row("scoring", "full recompute and city-wide rank, 1,000 wards × 100 leaves",
    num(get(d, "full_ms"), 2), "ms", "additions only over the same tree",
    num(get(d, "additions_ms"), 3) + " ms",
    ratio(get(d, "full_ms"), get(d, "additions_ms"), 1) + "×" if get(d, "additions_ms") else "—",
    "< 200 ms")
row("scoring", "one new measurement: recompute and re-rank", num(get(d, "incremental_ms"), 3), "ms",
    "—", "—", "—", "< 5 ms")

curves = {}
if os.path.exists(os.path.join(RUN, "percentiles.txt")):
    with open(os.path.join(RUN, "percentiles.txt"), encoding="utf-8") as f:
        for line in f:
            series, percent, value = line.split()
            curves.setdefault(series, []).append((float(percent), float(value)))

# ---- plots ----
os.makedirs(PLOTS, exist_ok=True)
plots = []
batches = load("ingest-batches")
if batches and batches.get("batches"):
    data = os.path.join(RUN, "ingest-batches.dat")
    with open(data, "w", encoding="utf-8") as f:
        for b, r in zip(batches["batches"], batches["acked_per_s"]):
            f.write(f"{b} {r}\n")
    plots.append(("ingest-batches.png", f"""
set terminal pngcairo size 800,480 font ",11" noenhanced
set output "{os.path.join(PLOTS, 'ingest-batches.png')}"
set title "Ingest: acknowledged updates per second by registry batch size"
set xlabel "batch size (messages a transaction, PARTRACK_INGEST_BATCH)"
set ylabel "acknowledged updates/s"
set logscale x
set grid
set key right center
set format y "%.0f"
set yrange [0:*]
plot "{data}" using 1:2 with linespoints lw 2 pt 7 title "acknowledged/s (window max(1,000, 2 x batch))", \\
     {copy or 0} with lines dt 2 lw 2 title "COPY of the same rows ({num(copy)}/s)"
"""))
if curves:
    data = os.path.join(RUN, "latency.dat")
    labels = {"ingest_full_speed": "ingest ack, full speed (window 1,000)",
              "ingest_at_5000": "ingest ack at 5,000/s",
              "e2e_publish_to_feed": "publish → feed entry at 1,000/s",
              "pg_single_row_commit": "PostgreSQL single-row commit (baseline)"}
    series = [s for s in labels if s in curves]
    with open(data, "w", encoding="utf-8") as f:
        for s in series:
            for percent, value in curves[s]:
                if percent < 100:
                    f.write(f"{100.0 / (100.0 - percent)} {value}\n")
            f.write("\n\n")
    plot = ", \\\n     ".join(
        f'"{data}" index {i} using 1:2 with linespoints lw 2 title "{labels[s]}"'
        for i, s in enumerate(series))
    plots.append(("latency.png", f"""
set terminal pngcairo size 800,480 font ",11" noenhanced
set output "{os.path.join(PLOTS, 'latency.png')}"
set title "Latency percentiles"
set xlabel "percentile"
set ylabel "milliseconds"
set logscale xy
set grid
set key bottom right
set xrange [1:2000]
set xtics ("50" 2, "90" 10, "99" 100, "99.9" 1000)
plot {plot}
"""))
drawn = []
for name, script in plots:
    path = os.path.join(RUN, name + ".gp")
    with open(path, "w", encoding="utf-8") as f:
        f.write(script)
    if subprocess.run(["gnuplot", path]).returncode == 0:
        drawn.append(name)
    else:
        print(f"bench_report: gnuplot failed on {path}", file=sys.stderr)

# ---- the page ----
out = []
w = out.append
w("# Benchmarks")
w("")
w(f"Written by `scripts/bench all` on {machine.get('date', '?')} at commit "
  f"`{machine.get('commit', '?')}`. Every figure is measured beside its baseline in the same "
  "run, on the same machine and database: the ratio is what carries to another machine, the "
  "absolute figures do not. The machine is shared and noisy; run it again for your own "
  "numbers (`scripts/run`, then `scripts/bench all`; each benchmark alone with `scripts/bench "
  "NAME`).")
w("")
w("## Machine")
w("")
w(f"- CPU: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores")
w(f"- Memory: {machine.get('memory', '?')}")
w(f"- Kernel: {machine.get('kernel', '?')}")
w(f"- PostgreSQL {base.get('pg_version', '?')}, `synchronous_commit = on`, `fsync = on` "
  "(acknowledgements wait for the WAL flush)")
w(f"- libzmq {base.get('zmq_version', '?')}, libsodium CURVE")
w("- Everything on this machine at once: the benchmark's clients, the services, PostgreSQL.")
w("")
if failed:
    w("**Failed in this run** (see `" + RUN + "/NAME.txt`): " + ", ".join(failed))
    w("")
w("## Figures and their baselines")
w("")
w("| Benchmark | Figure | Measured | Baseline (same run) | Baseline figure | Ratio | Aim |")
w("|---|---|---|---|---|---|---|")
for r in rows:
    w("| " + " | ".join(r) + " |")
w("")
w("## Raw limits of this machine")
w("")
w("| What | Figure |")
w("|---|---|")
w(f"| PostgreSQL single-row commits (INSERT + COMMIT each) | {num(get(base, 'pg_single_commit_per_s'))} rows/s, "
  f"commit p50 {num(get(base, 'pg_commit_p50_ms'), 2)} ms, p99 {num(commit_p99, 2)} ms |")
w(f"| PostgreSQL batched INSERT, 500 rows a statement and transaction | {num(get(base, 'pg_batched_insert_per_s'))} rows/s |")
w(f"| PostgreSQL COPY, one transaction | {num(get(base, 'pg_copy_per_s'))} rows/s |")
w(f"| ZeroMQ DEALER→ROUTER one way, tcp loopback, 120 bytes | {num(get(base, 'zmq_tcp_per_s'))} msg/s |")
w(f"| the same over CURVE | {num(get(base, 'zmq_curve_per_s'))} msg/s "
  f"({ratio(get(base, 'zmq_curve_per_s'), get(base, 'zmq_tcp_per_s'))} of plain) |")
w(f"| ZeroMQ request/reply, 1,000 in flight, tcp | {num(get(base, 'zmq_tcp_reply_per_s'))} msg/s |")
w(f"| the same over CURVE | {num(curve_rr)} msg/s "
  f"({ratio(curve_rr, get(base, 'zmq_tcp_reply_per_s'))} of plain) |")
w("")
w("## Ingest throughput by batch size")
w("")
if batches and batches.get("batches"):
    w("The registry applies what it has received, up to `PARTRACK_INGEST_BATCH` messages, in one "
      "transaction, and answers after COMMIT. Batch 1 is one transaction a message.")
    w("")
    w("| Batch | Acknowledged/s | of COPY |")
    w("|---|---|---|")
    for b, r in zip(batches["batches"], batches["acked_per_s"]):
        w(f"| {b} | {num(r)} | {ratio(r, copy)} |")
    w("")
if "ingest-batches.png" in drawn:
    w("![Ingest throughput by batch size](bench/ingest-batches.png)")
    w("")
w("## Latency percentiles")
w("")
if curves:
    w("| Series | p50 | p90 | p99 | p99.9 | max |")
    w("|---|---|---|---|---|---|")
    for s, points in curves.items():
        at = dict(points)
        w(f"| {s} | " + " | ".join(num(at.get(p), 2) for p in (50, 90, 99, 99.9, 100)) + " ms |")
    w("")
if "latency.png" in drawn:
    w("![Latency percentiles](bench/latency.png)")
    w("")
w("## Peak memory under the ingest benchmark")
w("")
mem = load("memory") or {}
w("A registry, deadline, notify and scoring service of their own on the ingest benchmark's "
  f"database, the last three consuming all the registry writes ({num(get(mem, 'acked_per_s'))} "
  f"acknowledged updates/s with them running; they caught up {mem.get('caught_up_s', '?')} s "
  "after the last update). Peak resident memory (VmHWM):")
w("")
w("| Service | Peak MB | Aim |")
w("|---|---|---|")
for s in ("registry", "deadline", "notify", "scoring"):
    w(f"| {s} | {num(get(mem, s + '_mb'), 1)} | < 64 MB |")
w("")
w("## Reading the figures")
w("")
w("- Each benchmark's whole output is kept in the run's folder "
  f"(`{os.path.relpath(RUN, os.path.dirname(os.path.abspath(DOCS)))}`), its last line being the "
  "JSON this page is made from.")
w("- Ingest ratios: COPY writes the same rows with no network, no decoding, no authorization, "
  "no lock, no idempotency check and one commit; the acknowledged rate pays for all of those "
  "and a durable commit per batch.")
with open(os.path.join(DOCS, "BENCHMARKS.md"), "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(f"wrote {os.path.join(DOCS, 'BENCHMARKS.md')}" +
      (f" and {', '.join(drawn)}" if drawn else ""))
sys.exit(1 if failed else 0)
