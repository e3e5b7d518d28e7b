#!/usr/bin/env python3
"""The soak (issue 19), run by scripts/soak after it has built the binaries.

Holds about `--calls` concurrent simulated calls against `sonoria serve` for `--minutes`, with
calls ending and new ones starting all the time (several simulators, each restarted as its batch
ends, staggered), and samples the daemon's RSS and open file descriptors every `--interval`
seconds. A daemon that leaks memory or descriptors per call shows it as a slope: the report gives
the least-squares slope of each over the run after a warm-up, and the verdict (flat or not) with
the bounds it was judged by. It prints numbers; it is not a timed test.
"""

import argparse
import csv
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench  # noqa: E402  (the bench's daemon, engine and config, shared)

# Flat means: over the measured window, RSS grew by less than this share of its mean, and open
# descriptors by less than one.
RSS_GROWTH_LIMIT = 0.02
FD_GROWTH_LIMIT = 1.0


def slope_per_minute(points):
    """Least-squares slope of (seconds, value) points, per minute."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    den = sum((t - mx) ** 2 for t, _ in points)
    return 60.0 * sum((t - mx) * (v - my) for t, v in points) / den if den else 0.0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


MEMORY_GAUGES = {"sonoria_sqlite_memory_bytes": "sqlite", "sonoria_heap_in_use_bytes": "heap_in_use",
                 "sonoria_heap_free_bytes": "heap_free"}


def memory_kib(port):
    """From /metrics, in KiB: the memory SQLite holds (its page caches and statements), the heap in
    live allocations and the heap the allocator keeps free; each None when /metrics does not
    answer. They tell a rising RSS apart: caches filling up, a leak (heap in use grows), or the
    allocator keeping pages (heap in use flat, free or RSS growing)."""
    found = dict.fromkeys(MEMORY_GAUGES.values())
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            for line in response.read().decode().splitlines():
                name, _, value = line.partition(" ")
                if name in MEMORY_GAUGES:
                    found[MEMORY_GAUGES[name]] = int(value) // 1024
    except (OSError, ValueError):
        pass
    return found


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10.0, help="how long to hold the load (default 10)")
    p.add_argument("--calls", type=int, default=50, help="concurrent calls (default 50)")
    p.add_argument("--batches", type=int, default=5, help="simulators the calls are split between (default 5)")
    p.add_argument("--call-duration", default="60s", help="how long each call lasts (default 60s)")
    p.add_argument("--interval", type=float, default=10.0, help="seconds between samples (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="minutes left out of the slopes (default 2)")
    p.add_argument("--engine", default="openai", choices=sorted(run_bench.ENGINES))
    p.add_argument("--build-dir", default=os.path.join(run_bench.REPO, "build-bench"))
    p.add_argument("--out", help="results directory (default bench-results/soak-<timestamp>/)")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    started = datetime.datetime.now().astimezone()
    out_dir = args.out or os.path.join(run_bench.REPO, "bench-results", "soak-" + started.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    run_bench.raise_open_files_limit()
    signal.signal(signal.SIGTERM, run_bench.interrupted)
    call_s = run_bench.parse_duration(args.call_duration)
    bench_args = argparse.Namespace(
        levels=[args.calls], engines=[args.engine], duration=args.call_duration, duration_s=call_s, ramp="5s", ramp_s=5.0,
        build_dir=args.build_dir, delta_ms=100, reply_ms=2000, function_every=4, simulator_threads=None,
        daemon_threads=0, one_daemon=True, no_floor=True, floor_duration=0, keep_workspace=False, hogs=None)
    bench = None
    samples = []
    calls = {"placed": 0, "completed": 0, "failed": 0, "simulator_errors": 0}
    try:
        bench = run_bench.Bench(bench_args, out_dir)
        bench.setup()
        bench.daemon = bench.start_daemon()
        pid = bench.daemon.pid
        per_batch = max(1, args.calls // args.batches)
        stagger = call_s / args.batches
        simulators = {}  # batch → (process, log)
        start = time.monotonic()
        end = start + args.minutes * 60
        next_sample = start
        next_start = {b: start + b * stagger for b in range(args.batches)}
        runs = 0
        print(f"soak: {args.calls} calls ({args.batches} × {per_batch}, {args.call_duration} each) for "
              f"{args.minutes:g} min on {args.engine}; sampling every {args.interval:g} s", file=sys.stderr, flush=True)
        while True:
            now = time.monotonic()
            for batch in range(args.batches):
                process = simulators.get(batch)
                if process and process.poll() is not None:
                    out = process.stdout.read().decode()
                    bench.children.processes.remove(process)
                    del simulators[batch]
                    try:
                        counts = json.loads(out)["calls"]
                        calls["placed"] += counts["offered"]
                        calls["failed"] += counts["failed"]
                        calls["completed"] += counts["completed"]
                    except (ValueError, KeyError, TypeError):
                        calls["simulator_errors"] += 1
                if batch not in simulators and now >= next_start[batch] and now + call_s < end + 5:
                    runs += 1
                    argv = [bench.sonoria, "--config", bench.config, "simulate", "--url", f"http://127.0.0.1:{bench.port}",
                            "--to", run_bench.ENGINES[args.engine]["number"], "--calls", str(per_batch),
                            "--duration", args.call_duration, "--ramp", "2s", "--json"]
                    log = os.path.join(bench.logs, f"simulate-{runs}.log")
                    simulators[batch] = bench.children.start(argv, log, bench.env, stdout=subprocess.PIPE)
            if now >= next_sample:
                t = now - start
                rss, fds, memory = run_bench.rss_kib(pid), open_fds(pid), memory_kib(bench.port)
                db, heap = memory["sqlite"], memory["heap_in_use"]
                samples.append((t, rss, fds, db, heap, memory["heap_free"]))
                print(f"soak: {t:6.0f} s  RSS {rss / 1024:7.1f} MiB  fds {fds:4}  "
                      f"SQLite {'?' if db is None else f'{db / 1024:5.1f} MiB'}  "
                      f"heap in use {'?' if heap is None else f'{heap / 1024:5.1f} MiB'}  simulators {len(simulators)}",
                      file=sys.stderr, flush=True)
                next_sample += args.interval
            if now >= end and not simulators:
                break
            if bench.daemon.poll() is not None:
                raise run_bench.BenchError(f"sonoria serve exited with status {bench.daemon.returncode}; see {bench.logs}")
            time.sleep(0.2)
        bench.stop_daemon()
    except run_bench.BenchError as e:
        print(f"soak: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("soak: interrupted; stopping everything", file=sys.stderr)
        return 130
    finally:
        if bench:
            bench.close()

    with open(os.path.join(out_dir, "samples.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["seconds", "rss_kib", "open_fds", "sqlite_kib", "heap_in_use_kib", "heap_free_kib"])
        writer.writerows((round(t, 1), rss, fds, *("" if v is None else v for v in rest))
                         for t, rss, fds, *rest in samples)
    # The window: after the warm-up, and before the last calls wind down (no new batch starts in the
    # last call's length, so the calls and their descriptors fall off then, which is no leak).
    load_end = (end - start) - call_s
    measured = [s for s in samples if args.warmup * 60 <= s[0] <= load_end] or samples
    window_min = (measured[-1][0] - measured[0][0]) / 60 if len(measured) > 1 else 0
    rss_slope = slope_per_minute([(s[0], s[1]) for s in measured])
    fd_slope = slope_per_minute([(s[0], s[2]) for s in measured])
    rss_mean = sum(s[1] for s in measured) / len(measured)

    # A leak grows at a steady rate; caches and the allocator's high-water marks grow ever slower.
    # The slope in each third of the window tells which.
    def by_thirds(points):
        if len(points) < 6:
            return []
        first, span = points[0][0], points[-1][0] - points[0][0]
        return [round(slope_per_minute([(t, v) for t, v in points
                                        if first + i * span / 3 <= t <= first + (i + 1) * span / 3]), 1) for i in range(3)]

    thirds = by_thirds([(s[0], s[1]) for s in measured])
    heap = [(s[0], s[4]) for s in measured if s[4] is not None]
    heap_free = [(s[0], s[5]) for s in measured if s[5] is not None]
    heap_slope = slope_per_minute(heap)
    with_db = [(s[0], s[1], s[3]) for s in measured if s[3] is not None]
    db_slope = slope_per_minute([(t, db) for t, _, db in with_db])
    rest_slope = slope_per_minute([(t, rss - db) for t, rss, db in with_db])
    rss_flat = abs(rss_slope * window_min) < RSS_GROWTH_LIMIT * rss_mean
    fd_flat = abs(fd_slope * window_min) < FD_GROWTH_LIMIT
    report = {
        "started": started.isoformat(timespec="seconds"), "git": run_bench.git_revision(), "machine": run_bench.machine(),
        "minutes": args.minutes, "calls": args.calls, "engine": args.engine, "call_duration_s": call_s,
        "calls_run": calls, "samples": len(samples), "warmup_min": args.warmup, "window_min": round(window_min, 2),
        "rss_kib": {"first": samples[0][1], "last": samples[-1][1], "max": max(s[1] for s in samples),
                    "mean_in_window": round(rss_mean), "slope_per_min": round(rss_slope, 1), "flat": rss_flat,
                    "slope_per_min_by_third": thirds},
        "open_fds": {"first": samples[0][2], "last": samples[-1][2], "max": max(s[2] for s in samples),
                     "slope_per_min": round(fd_slope, 3), "flat": fd_flat},
        # Of the RSS slope, how much is SQLite's memory (capped caches warming up) and how much the rest.
        "sqlite_kib": {"first": with_db[0][2] if with_db else None, "last": with_db[-1][2] if with_db else None,
                       "slope_per_min": round(db_slope, 1)},
        "rss_less_sqlite_slope_per_min": round(rest_slope, 1),
        # The allocator's own count: live allocations (a leak grows them) and what it keeps free.
        "heap_in_use_kib": {"first": heap[0][1] if heap else None, "last": heap[-1][1] if heap else None,
                            "slope_per_min": round(heap_slope, 1), "slope_per_min_by_third": by_thirds(heap)},
        "heap_free_kib": {"first": heap_free[0][1] if heap_free else None,
                          "last": heap_free[-1][1] if heap_free else None,
                          "slope_per_min": round(slope_per_minute(heap_free), 1)},
        "bounds": f"flat: over the window, RSS grows < {RSS_GROWTH_LIMIT:.0%} of its mean and open fds < {FD_GROWTH_LIMIT:g}",
    }
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report, indent=2))
    def verdict(flat, slope):
        return "flat" if flat else ("GROWING" if slope > 0 else "FALLING")

    print(f"soak: RSS slope {rss_slope:+.1f} KiB/min ({verdict(rss_flat, rss_slope)}; by thirds of the window "
          f"{', '.join(f'{x:+.1f}' for x in thirds) or 'too few samples'}), "
          f"open fds slope {fd_slope:+.3f}/min ({verdict(fd_flat, fd_slope)}) over {window_min:.1f} min; "
          f"of the RSS slope, SQLite {db_slope:+.1f} KiB/min and the rest {rest_slope:+.1f} KiB/min; "
          f"heap in use {heap_slope:+.1f} KiB/min; "
          f"results in {out_dir}", file=sys.stderr)
    return 0 if rss_flat and fd_flat and not calls["failed"] and not calls["simulator_errors"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
