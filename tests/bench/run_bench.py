#!/usr/bin/env python3
"""The relay benchmark (issue 6), run by scripts/bench after it has built the binaries.

Puts `sonoria serve` between `sonoria simulate --calls N --probe` (the callers, as Twilio) and
`sonoria-bench-engine` (OpenAI Realtime GA, Deepgram Voice Agent or Ultravox: --engine), all on
loopback, and reports per load level and engine what the daemon cost (CPU per call-second, RSS per
call), the latency it added both ways, frames lost or reordered, and whether the harness itself kept
up. See tests/bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIALLED = "+15550001000"  # examples/yoga-studio.toml answers this number
PROFILE = os.path.join(REPO, "examples", "yoga-studio.toml")

# The engines the bench engine speaks. Each gets its own business, imported from yoga-studio.toml:
# OpenAI's is the example itself; the others are copies with their own slug, number and
# `assistant.engine` (and a voice of that engine), so one daemon serves them all side by side.
ENGINES = {
    "openai": {"number": DIALLED},
    "deepgram": {"number": "+15550002000", "voice": "aura-2-thalia-en"},
    "ultravox": {"number": "+15550003000", "voice": "Mark"},
}
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024

TARGETS = {
    "cpu_ms_per_call_s": {"at": 400, "max": 0.25},
    "rss_kib_per_call": {"at": 400, "max": 64},
    "p99_ms_each_way": {"at": 200, "max": 1.0},
    "lost_or_reordered": {"max": 0},
}
TARGETS_LINE = ("Targets (issue 6): ≤ 0.25 ms CPU per call-second and ≤ 64 KiB RSS per call at 400 calls; "
                "p99 added latency ≤ 1 ms each way at 200 calls; zero lost or reordered frames; "
                "1000 calls held with no lost frames.")


class BenchError(Exception):
    """A failure that ends the run with a message (exit 1)."""


# ---- arguments ----------------------------------------------------------------------------------

def parse_duration(text):
    """"60s", "2m", "1m30s", "500ms" or plain seconds → seconds (float)."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total, rest = 0.0, text
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        total += float(number) * units[unit]
        rest = rest.replace(number + unit, "", 1)
    if rest or total <= 0:
        raise argparse.ArgumentTypeError(f'"{text}" is not a duration (expected e.g. 60s, 2m, 1m30s)')
    return total


def parse_levels(text):
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a list of call counts (expected e.g. 10,100,400)')
    if not levels or any(n <= 0 for n in levels):
        raise argparse.ArgumentTypeError(f'"{text}": every level must be a positive number of calls')
    return levels


def parse_hogs(text):
    try:
        hogs = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a list of percentages (expected e.g. 0,30,60)')
    if not hogs or any(h < 0 or h > 95 for h in hogs):
        raise argparse.ArgumentTypeError(f'"{text}": every share must be 0 to 95 (percent of one core)')
    return hogs


def parse_engines(text):
    engines = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name not in ENGINES:
            raise argparse.ArgumentTypeError(f'"{name}" is not an engine (expected {", ".join(ENGINES)}, or a comma list)')
        if name not in engines:
            engines.append(name)
    if not engines:
        raise argparse.ArgumentTypeError(f'"{text}": name at least one engine ({", ".join(ENGINES)})')
    return engines


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--levels", type=parse_levels, default=[10, 100, 400, 1000],
                   help="concurrent calls per level (default 10,100,400,1000)")
    p.add_argument("--engine", dest="engines", type=parse_engines, default=["openai"],
                   help="the engine sonoria talks to: openai, deepgram or ultravox, or a comma list to run each "
                        "at every level and report them side by side (default openai)")
    p.add_argument("--duration", default="60s", help="how long every call lasts (default 60s)")
    p.add_argument("--ramp", default="10s", help="calls start evenly over this time (default 10s)")
    p.add_argument("--out", help="results directory (default bench-results/<timestamp>/)")
    p.add_argument("--build-dir", default=os.path.join(REPO, "build-bench"), help="where the binaries are")
    p.add_argument("--delta-ms", type=int, default=100, help="engine audio per delta (default 100)")
    p.add_argument("--reply-ms", type=int, default=2000, help="engine reply length (default 2000)")
    p.add_argument("--function-every", type=int, default=4, help="every Nth engine response is a tool call")
    p.add_argument("--simulator-threads", type=int, help="event-loop threads of sonoria simulate (default: its own)")
    p.add_argument("--daemon-threads", type=int, default=0,
                   help="the daemon's server.threads (default 0: one per core, as shipped)")
    p.add_argument("--one-daemon", action="store_true",
                   help="run every level on one daemon (default: a fresh daemon per level, so idle RSS "
                        "is not inflated by memory the allocator kept from the previous level)")
    p.add_argument("--no-floor", action="store_true",
                   help="skip sonoria-bench-floor, the bare epoll relay measured after each level")
    p.add_argument("--floor-duration", type=float, default=20.0,
                   help="seconds the floor relay is measured at each level (default 20)")
    p.add_argument("--keep-workspace", action="store_true", help="keep the temporary config and database")
    p.add_argument("--hog", dest="hogs", type=parse_hogs,
                   help="overload scenario: the daemon pinned to CPU 0 with another process busy for these shares "
                        "of it (e.g. 0,30,60), the simulator and the engine on the other CPUs; each share is a "
                        "row of its own")
    args = p.parse_args(argv)
    for name in ("duration", "ramp"):
        try:
            setattr(args, name + "_s", parse_duration(getattr(args, name)))
        except argparse.ArgumentTypeError as e:
            p.error(f"--{name}: {e}")
    return args


# ---- processes and /proc ------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ms(pid):
    """utime + stime of every thread of `pid`, in ms (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLK_TCK


def rss_kib(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE_KIB


class RssSampler:
    """Samples a process's RSS every 200 ms on a thread, keeping the peak."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, rss_kib(pid), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.2):
            try:
                self.peak = max(self.peak, rss_kib(self.pid))
            except OSError:
                return

    def stop(self):
        self._stop.set()
        self._thread.join()
        try:
            self.peak = max(self.peak, rss_kib(self.pid))
        except OSError:
            pass
        return self.peak


def http(url, method="GET", timeout=5):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return reply.status, reply.read().decode()


def wait_until_ready(url, process, name, log_path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited with status {process.returncode} before it was ready; see {log_path}")
        try:
            if http(url, timeout=1)[0] == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise BenchError(f"{name} was not ready at {url} within {timeout} s; see {log_path}")


class Children:
    """Every process the benchmark started, stopped by id on the way out (error, Ctrl-C, SIGTERM)."""

    def __init__(self):
        self.processes = []

    def start(self, argv, log_path, env, stdout=None):
        with open(log_path, "ab") as log:
            process = subprocess.Popen(argv, stdout=stdout or log, stderr=log, env=env, start_new_session=True)
        process.log_path = log_path
        self.processes.append(process)
        return process

    def stop(self, process, timeout=15):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self):
        for process in reversed(list(self.processes)):
            self.stop(process, timeout=5)


# ---- the run ------------------------------------------------------------------------------------

def child_env():
    """The environment without anything that would override the benchmark's config file."""
    drop = ("OPENAI_API_KEY", "DEEPGRAM_", "ULTRAVOX_", "TWILIO_", "SONORIA_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def write_config(path, workspace, port, engine_port, closed_port, max_calls, call_limit_s, threads=0):
    account_sid = "AC" + secrets.token_hex(16)
    config = f"""# Written by scripts/bench: the daemon under test, its fake engine and a Twilio REST API that
# refuses connections (tool calls fail fast; that path is exercised, not its network).
[server]
listen = "127.0.0.1:{port}"
public_url = "http://127.0.0.1:{port}"
drain_timeout = "10s"
threads = {threads}

[database]
path = "{workspace}/sonoria.db"

[twilio]
account_sid = "{account_sid}"
auth_token = "{secrets.token_hex(16)}"
api_base_url = "http://127.0.0.1:{closed_port}/2010-04-01"
from = "{DIALLED}"
validate_signatures = true

# Every engine is sonoria-bench-engine; each business of the benchmark chooses one (assistant.engine).
[engines]
connect_timeout = "10s"

[engines.openai]
url = "ws://127.0.0.1:{engine_port}/v1/realtime"
model = "gpt-realtime"
api_key = "sk-bench-not-a-real-key"
protocol = "ga"

[engines.deepgram]
url = "ws://127.0.0.1:{engine_port}/v1/agent/converse"
api_key = "dg-bench-not-a-real-key"

[engines.ultravox]
api_url = "http://127.0.0.1:{engine_port}/api"
api_key = "uv-bench-not-a-real-key"

[calls]
max_concurrent = {max_calls}
max_duration = "{int(call_limit_s)}s"
silence_timeout = "{int(call_limit_s)}s"
stream_timeout = "30s"
max_calls_per_caller_per_hour = 0

[log]
level = "warn"
"""
    with open(path, "w") as f:
        f.write(config)


def profile_text(engine):
    """examples/yoga-studio.toml as the business that `engine` answers for (see ENGINES)."""
    with open(PROFILE) as f:
        text = f.read()
    if engine == "openai":
        return text
    spec = ENGINES[engine]
    edits = [
        (r'(?m)^slug = "lotus-yoga"$', f'slug = "lotus-yoga-{engine}"'),
        (r'(?m)^phone_numbers = \["\+15550001000"\]$', f'phone_numbers = ["{spec["number"]}"]'),
        (r'(?m)^(\[assistant\]\n(?:[^\[].*\n)*?)voice = "[^"]*"$', rf'\1engine = "{engine}"\nvoice = "{spec["voice"]}"'),
    ]
    for pattern, replacement in edits:
        text, n = re.subn(pattern, replacement, text, count=1)
        if n != 1:
            raise BenchError(f"{PROFILE} changed: cannot make the {engine} business from it ({pattern} not found)")
    return text


HOG_SCRIPT = """
import sys, time
share = int(sys.argv[1]) / 100.0
period = 0.010
while True:
    start = time.monotonic()
    while time.monotonic() - start < share * period:
        pass
    rest = period - (time.monotonic() - start)
    if rest > 0:
        time.sleep(rest)
"""


def pin_all_threads(pid, cpus):
    """Every thread of `pid` (not only the main one) to `cpus`."""
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(task), cpus)
        except OSError:
            pass  # a thread that just ended


def run_quiet(argv, env, what):
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"{what} failed ({shlex.join(argv)}):\n{result.stderr.strip()}")


class Bench:
    def __init__(self, args, out_dir):
        self.args, self.out_dir = args, out_dir
        self.children = Children()
        self.env = child_env()
        self.sonoria = os.path.join(args.build_dir, "sonoria")
        self.engine_bin = os.path.join(args.build_dir, "tests", "sonoria-bench-engine")
        self.floor_bin = os.path.join(args.build_dir, "tests", "sonoria-bench-floor")
        binaries = (self.sonoria, self.engine_bin) + (() if args.no_floor else (self.floor_bin,))
        for binary in binaries:
            if not os.access(binary, os.X_OK):
                raise BenchError(f"{binary} is missing; run scripts/bench (it builds) or pass --build-dir")
        self.workspace = tempfile.mkdtemp(prefix="sonoria-bench-")
        self.logs = os.path.join(out_dir, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.config = os.path.join(self.workspace, "sonoria.toml")
        self.port = free_port()
        self.daemon = None
        self.engine = None
        self.floors = {}  # calls → the floor measured at that level

    def close(self):
        self.children.stop_all()
        if not self.args.keep_workspace:
            shutil.rmtree(self.workspace, ignore_errors=True)

    def setup(self):
        self.engine = self.start_engine()
        call_limit_s = self.args.duration_s + self.args.ramp_s + 300
        write_config(self.config, self.workspace, self.port, self.engine_port, free_port(),
                     max(self.args.levels) + 10, call_limit_s, self.args.daemon_threads)
        run_quiet([self.sonoria, "--config", self.config, "init", "--no-example"], self.env, "sonoria init")
        for engine in self.args.engines:
            path = PROFILE
            if engine != "openai":
                path = os.path.join(self.workspace, f"profile-{engine}.toml")
                with open(path, "w") as f:
                    f.write(profile_text(engine))
            run_quiet([self.sonoria, "--config", self.config, "org", "import", path], self.env,
                      f"sonoria org import ({engine})")

    def start_engine(self):
        log = os.path.join(self.logs, "engine.log")
        argv = [self.engine_bin, "--port", "0", "--delta-ms", str(self.args.delta_ms),
                "--reply-ms", str(self.args.reply_ms), "--function-every", str(self.args.function_every)]
        engine = self.children.start(argv, log, self.env, stdout=subprocess.PIPE)
        line = engine.stdout.readline().decode()
        match = re.search(r"listening on [\d.]+:(\d+)", line)
        if not match:
            raise BenchError(f"sonoria-bench-engine did not start: {line.strip() or 'no output'}; see {log}")
        self.engine_port = int(match.group(1))
        self.engine_url = f"http://127.0.0.1:{self.engine_port}"
        wait_until_ready(self.engine_url + "/healthz", engine, "sonoria-bench-engine", log)
        return engine

    def start_daemon(self):
        log = os.path.join(self.logs, "daemon.log")
        wrap = os.environ.get("SONORIA_BENCH_DAEMON_WRAPPER", "").split()
        daemon = self.children.start(wrap + [self.sonoria, "--config", self.config, "serve"], log, self.env)
        wait_until_ready(f"http://127.0.0.1:{self.port}/readyz", daemon, "sonoria serve", log)
        time.sleep(1)  # let start-up allocations settle before idle RSS is read
        return daemon

    def stop_daemon(self):
        if self.daemon:
            self.children.stop(self.daemon, timeout=30)
            if self.daemon.returncode not in (0, None):
                print(f"bench: warning: sonoria serve exited with status {self.daemon.returncode}", file=sys.stderr)
            self.daemon = None

    def wait_for_engine_idle(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if json.loads(http(self.engine_url + "/stats")[1])["sessions_open"] == 0:
                return True
            time.sleep(0.5)
        return False

    def run_level(self, calls, engine, hog=None):
        if self.daemon is None or not self.args.one_daemon:
            self.stop_daemon()
            self.daemon = self.start_daemon()
        if not self.wait_for_engine_idle():
            print("bench: warning: engine sessions from the previous level are still open", file=sys.stderr)
        daemon_pid, engine_pid = self.daemon.pid, self.engine.pid
        others = set(range(1, os.cpu_count() or 2)) or {0}
        hog_process = None
        if hog is not None:
            # The daemon shares CPU 0 with a process that keeps it busy `hog` % of every 10 ms; the
            # harness runs on the other CPUs, so what is measured is the daemon under contention.
            pin_all_threads(daemon_pid, {0})
            pin_all_threads(engine_pid, others)
            if hog > 0:
                hog_process = self.children.start([sys.executable, "-c", HOG_SCRIPT, str(hog)],
                                                  os.path.join(self.logs, f"hog-{hog}.log"), self.env)
                pin_all_threads(hog_process.pid, {0})
        http(self.engine_url + "/stats/reset", method="POST")
        idle_rss = rss_kib(daemon_pid)
        sampler = RssSampler(daemon_pid)
        daemon_cpu0, engine_cpu0 = cpu_ms(daemon_pid), cpu_ms(engine_pid)
        children_cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()

        argv = [self.sonoria, "--config", self.config, "simulate", "--url", f"http://127.0.0.1:{self.port}",
                "--to", ENGINES[engine]["number"], "--calls", str(calls), "--duration", self.args.duration,
                "--ramp", self.args.ramp, "--probe", "--json"]
        if self.args.simulator_threads:
            argv += ["--threads", str(self.args.simulator_threads)]
        if hog is not None and shutil.which("taskset"):
            argv = ["taskset", "-c", ",".join(str(c) for c in sorted(others))] + argv
        suffix = "" if hog is None else f"-hog{hog}"
        log = os.path.join(self.logs, f"simulate-{engine}-{calls}{suffix}.log")
        simulator = self.children.start(argv, log, self.env, stdout=subprocess.PIPE)
        limit = self.args.duration_s + self.args.ramp_s + 180
        try:
            stdout, _ = simulator.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            self.children.stop(simulator)
            raise BenchError(f"sonoria simulate ran over {limit:.0f} s at {calls} calls ({engine}); see {log}")
        self.children.processes.remove(simulator)
        if hog_process:
            self.children.stop(hog_process)  # and forgets it
        if hog is not None:
            pin_all_threads(daemon_pid, set(range(os.cpu_count() or 1)))
            pin_all_threads(engine_pid, set(range(os.cpu_count() or 1)))
        wall_s = time.monotonic() - started
        daemon_cpu = cpu_ms(daemon_pid) - daemon_cpu0
        engine_cpu = cpu_ms(engine_pid) - engine_cpu0
        children_cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_rss = sampler.stop()
        engine_stats = json.loads(http(self.engine_url + "/stats")[1])
        if simulator.returncode != 0:
            raise BenchError(f"sonoria simulate exited with status {simulator.returncode} at {calls} calls ({engine}); "
                             f"see {log}")
        try:
            sim = json.loads(stdout.decode())
        except ValueError:
            raise BenchError(f"sonoria simulate printed no JSON summary at {calls} calls ({engine}); see {log}")
        simulator_cpu_os = ((children_cpu1.ru_utime - children_cpu0.ru_utime) +
                            (children_cpu1.ru_stime - children_cpu0.ru_stime)) * 1000
        level = summarise(calls, engine, sim, engine_stats, wall_s, daemon_cpu, engine_cpu, simulator_cpu_os,
                          idle_rss, peak_rss)
        if hog is not None:
            level["hog_percent"] = hog
            # A clear that finds nothing left to play at the caller: the reply had been heard to its
            # end and only its marks were late, so an ordinary turn looked like a barge-in.
            level["false_barge_ins"] = sim.get("empty_clears", 0)
        if not self.args.no_floor and hog is None:
            # The floor depends on message rates and sizes, not on the engine: measured once per level.
            if calls not in self.floors:
                self.floors[calls] = dict(self.run_floor(calls, sim), measured_with=engine)
            level["floor"] = self.floors[calls]
        return level

    def run_floor(self, calls, sim):
        """The same traffic through a bare epoll relay: the kernel's share of any relay's CPU."""
        # The engine's share of the call: frames it sent for every frame the caller sent.
        share = min(1.0, sim["frames"]["received"] / sim["frames"]["sent"]) if sim["frames"]["sent"] else 0.0
        cycle_ms = 10_000
        argv = [self.floor_bin, "--calls", str(calls), "--duration", str(self.args.floor_duration),
                "--delta-ms", str(self.args.delta_ms), "--cycle-ms", str(cycle_ms),
                "--reply-ms", str(round(share * cycle_ms)), "--json"]
        done = subprocess.run(argv, env=self.env, capture_output=True, timeout=self.args.floor_duration + 120)
        with open(os.path.join(self.logs, f"floor-{calls}.log"), "wb") as f:
            f.write(done.stdout + done.stderr)
        if done.returncode != 0:
            raise BenchError(f"sonoria-bench-floor failed at {calls} calls: {done.stderr.decode().strip()}")
        floor = json.loads(done.stdout.decode())
        floor["engine_share"] = round(share, 3)
        return floor


def summarise(calls, engine_name, sim, engine, wall_s, daemon_cpu, engine_cpu, simulator_cpu_os, idle_rss, peak_rss):
    call_seconds = sim["call_seconds"]
    reasons = []
    by_engine = engine.get("sessions_by_engine", {})
    elsewhere = {name: n for name, n in by_engine.items() if name != engine_name and n}
    if not by_engine.get(engine_name):
        reasons.append(f"no call reached the {engine_name} engine")
    if elsewhere:
        reasons.append("engine sessions went to " + ", ".join(f"{name} ({n})" for name, n in elsewhere.items()) +
                       f", not {engine_name} (a failover?)")
    if not sim["harness"]["kept_up"]:
        reasons.append("the simulator fell behind its 20 ms ticks")
    if sim["calls"]["connected"] != sim["calls"]["offered"]:
        reasons.append(f"{sim['calls']['connected']} of {sim['calls']['offered']} calls connected")
    if sim["calls"]["failed"]:
        reasons.append(f"{sim['calls']['failed']} calls failed")
    deltas = engine["audio_deltas"]
    if deltas["sent"] and deltas["late"] > deltas["sent"] / 100:
        reasons.append(f"the engine sent {deltas['late']} of {deltas['sent']} deltas over 5 ms late")
    if wall_s and engine_cpu / (wall_s * 1000) > 0.9:
        reasons.append("the engine used over 90% of a core")
    return {
        "calls": calls,
        "engine": engine_name,
        "load_achieved": not reasons,
        "not_achieved_because": reasons,
        "wall_s": round(wall_s, 1),
        "call_seconds": call_seconds,
        "daemon": {
            "cpu_ms": round(daemon_cpu),
            "cpu_ms_per_call_s": round(daemon_cpu / call_seconds, 4) if call_seconds else None,
            "rss_idle_kib": idle_rss,
            "rss_peak_kib": peak_rss,
            "rss_kib_per_call": round((peak_rss - idle_rss) / calls, 1),
        },
        "engine_to_caller_ms": sim["engine_to_caller_ms"],
        "caller_to_engine_ms": engine["caller_to_engine_ms"],
        "greeting_ms": sim["greeting_ms"],
        "frames": {
            "engine_to_caller": {k: sim["frames"][k] for k in ("received", "probes_received", "lost", "reordered")},
            "caller_to_engine": engine["frames"],
            "caller_sent": sim["frames"]["sent"],
        },
        "clears": sim["clears"],
        "marks_echoed": sim["marks_echoed"],
        "errors": {"simulator": sim["errors"], "engine": engine["errors"],
                   "engine_codes": engine.get("error_codes", {})},
        "engine_stats": {k: engine.get(k) for k in ("responses", "function_calls", "cancelled", "speech_turns",
                                                    "truncates", "audio_deltas", "sessions_total", "sessions_by_engine",
                                                    "calls_created", "unprobed_frames")},
        "harness": {
            "simulator_cpu_ms": sim["harness"]["cpu_ms"],
            "simulator_cpu_ms_os": round(simulator_cpu_os),
            "simulator_kept_up": sim["harness"]["kept_up"],
            "simulator_max_tick_lag_ms": sim["harness"]["max_tick_lag_ms"],
            "engine_cpu_ms": round(engine_cpu),
        },
        "simulator": sim,
    }


# ---- the report ---------------------------------------------------------------------------------

def fmt(value, digits=2):
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def quartet(lat):
    return "/".join(fmt(float(lat[k]), 2) for k in ("p50", "p95", "p99", "max"))


def errors_cell(errors):
    parts = [f"{k} {v}" for k, v in errors["simulator"].items() if v]
    if errors["engine"]:
        codes = ", ".join(f"{code} {n}" for code, n in errors.get("engine_codes", {}).items())
        parts.append(f"engine {errors['engine']}" + (f": {codes}" if codes else ""))
    total = sum(errors["simulator"].values()) + errors["engine"]
    return f"{total} ({', '.join(parts)})" if parts else "0"


def target_checks(levels):
    checks = []

    def mark(ok):
        return "✓" if ok else "✗"

    engines = list(dict.fromkeys(level.get("engine", "openai") for level in levels))
    for engine in engines:
        by_calls = {level["calls"]: level for level in levels if level.get("engine", "openai") == engine}
        on = f" ({engine})" if len(engines) > 1 or engine != "openai" else ""
        at = by_calls.get(400)
        if at and at["daemon"]["cpu_ms_per_call_s"] is not None:
            v = at["daemon"]["cpu_ms_per_call_s"]
            floor = (f"; a bare epoll relay of the same traffic costs {at['floor']['cpu_ms_per_call_s']:.3f}"
                     if at.get("floor") else "")
            checks.append(f"{mark(v <= 0.25)} CPU at 400 calls{on}: {v:.3f} ms per call-second (target ≤ 0.25{floor})")
            v = at["daemon"]["rss_kib_per_call"]
            checks.append(f"{mark(v <= 64)} RSS at 400 calls{on}: {v:.1f} KiB per call (target ≤ 64)")
        else:
            checks.append(f"– CPU and RSS at 400 calls{on}: level not run")
        at = by_calls.get(200)
        if at:
            e2c, c2e = float(at["engine_to_caller_ms"]["p99"]), float(at["caller_to_engine_ms"]["p99"])
            checks.append(f"{mark(e2c <= 1 and c2e <= 1)} p99 at 200 calls{on}: engine→caller {e2c:.3f} ms, "
                          f"caller→engine {c2e:.3f} ms (target ≤ 1 each way)")
        else:
            checks.append(f"– p99 latency at 200 calls{on}: level not run (add 200 to --levels)")
        for calls, level in by_calls.items():
            f = level["frames"]
            bad = (f["engine_to_caller"]["lost"] + f["engine_to_caller"]["reordered"] +
                   f["caller_to_engine"]["lost"] + f["caller_to_engine"]["reordered"])
            held = "" if level["load_achieved"] else " (load not achieved: see notes)"
            checks.append(f"{mark(bad == 0)} frames at {calls} calls{on}: {bad} lost or reordered{held}")
    return checks


def cpu_versus_openai(level, levels):
    """The daemon's CPU per call-second against OpenAI's at the same level: "+0.083 (+7 %)", or "–"."""
    if level.get("engine", "openai") == "openai":
        return "–"
    base = next((other for other in levels
                 if other["calls"] == level["calls"] and other.get("engine", "openai") == "openai"), None)
    mine = level["daemon"]["cpu_ms_per_call_s"]
    if not base or base["daemon"]["cpu_ms_per_call_s"] is None or mine is None:
        return "–"
    theirs = base["daemon"]["cpu_ms_per_call_s"]
    percent = f" ({(mine - theirs) / theirs * 100:+.0f} %)" if theirs else ""
    return f"{mine - theirs:+.3f}{percent}"


def markdown(report):
    lines = [f"# sonoria relay benchmark, {report['started']}", "",
             f"`{report['command']}`  ", f"git {report['git']} · {report['machine']['cpus']} CPUs "
             f"({report['machine']['cpu_model']}) · Linux {report['machine']['kernel']} · engines: "
             f"{', '.join(report.get('engines', ['openai']))} · bench engine: "
             f"{report['engine']['delta_ms']} ms deltas, {report['engine']['reply_ms']} ms replies, a tool call "
             f"every {report['engine']['function_every']} responses", "", TARGETS_LINE, "",
             "| calls | engine | load achieved | daemon CPU ms/call-s | vs openai | floor ms/call-s | RSS KiB/call "
             "| engine→caller ms p50/p95/p99/max | caller→engine ms p50/p95/p99/max | lost e→c / c→e "
             "| reordered e→c / c→e | clears | marks | errors | greeting ms p50/p95/p99 | simulator CPU s "
             "| engine CPU s |",
             "|---:|---|:---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|---|---:|---:|"]
    for level in report["levels"]:
        f, g = level["frames"], level["greeting_ms"]
        lines.append(
            f"| {level['calls']} | {level.get('engine', 'openai')}"
            f"{' + ' + str(level['hog_percent']) + ' % hog (' + str(level['false_barge_ins']) + ' false barge-ins)' if 'hog_percent' in level else ''} "
            f"| {'yes' if level['load_achieved'] else '⚠ no'} "
            f"| {fmt(level['daemon']['cpu_ms_per_call_s'], 3)} | {cpu_versus_openai(level, report['levels'])} "
            f"| {fmt(level['floor']['cpu_ms_per_call_s'], 3) if level.get('floor') else '–'} "
            f"| {fmt(level['daemon']['rss_kib_per_call'], 1)} "
            f"| {quartet(level['engine_to_caller_ms'])} | {quartet(level['caller_to_engine_ms'])} "
            f"| {f['engine_to_caller']['lost']} / {f['caller_to_engine']['lost']} "
            f"| {f['engine_to_caller']['reordered']} / {f['caller_to_engine']['reordered']} "
            f"| {level['clears']} | {level['marks_echoed']} | {errors_cell(level['errors'])} "
            f"| {'/'.join(fmt(float(g[k]), 0) for k in ('p50', 'p95', 'p99'))} "
            f"| {level['harness']['simulator_cpu_ms'] / 1000:.1f} | {level['harness']['engine_cpu_ms'] / 1000:.1f} |")
    lines += ["", "Target check:", ""] + [f"- {c}" for c in target_checks(report["levels"])]
    notes = [f"- {level['calls']} calls on {level.get('engine', 'openai')}: " + "; ".join(level["not_achieved_because"])
             for level in report["levels"] if not level["load_achieved"]]
    if notes:
        lines += ["", "Load not achieved (do not trust these rows' numbers):", ""] + notes
    lines += ["", "CPU: utime+stime of all the daemon's threads (/proc/PID/stat) over the level, divided by the "
              "simulator's call-seconds; \"vs openai\": the difference from the OpenAI row of the same level "
              "(Ultravox's includes sonoria's μ-law⇄PCM transcoding both ways; Deepgram's and Ultravox's audio "
              "travels as binary frames, OpenAI's as base64 in JSON). Floor: sonoria-bench-floor, one thread "
              "relaying the same message rates and sizes between TCP loopback sockets with raw epoll (one recv "
              "and one send per message, no framing): what the kernel alone costs, measured after the level's "
              "first engine. RSS: peak (sampled every 200 ms) minus idle, per call. engine→caller: "
              "engine send → simulator receive; caller→engine: simulator send → engine receive (probe frames, "
              "CLOCK_MONOTONIC). Full data: results.json; logs: logs/."]
    return "\n".join(lines) + "\n"


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model or platform.processor(), "kernel": platform.release()}


def git_revision():
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout
        return rev.strip() + ("+dirty" if dirty.strip() else "")
    except OSError:
        return "unknown"


def raise_open_files_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def interrupted(signum, frame):
    """SIGTERM ends the run like Ctrl-C: main's finally block stops every child."""
    raise KeyboardInterrupt


def main(argv):
    args = parse_args(argv)
    started = datetime.datetime.now().astimezone()
    out_dir = args.out or os.path.join(REPO, "bench-results", started.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    open_files = raise_open_files_limit()
    if open_files < 4 * max(args.levels) + 256:
        print(f"bench: warning: only {open_files} open files allowed; {max(args.levels)} calls need about "
              f"{4 * max(args.levels)}", file=sys.stderr)

    signal.signal(signal.SIGTERM, interrupted)
    bench = None
    report = {
        "started": started.isoformat(timespec="seconds"),
        "command": shlex.join(["scripts/bench"] + argv),
        "git": git_revision(),
        "machine": machine(),
        "engines": args.engines,
        "engine": {"delta_ms": args.delta_ms, "reply_ms": args.reply_ms, "function_every": args.function_every},
        "duration_s": args.duration_s,
        "ramp_s": args.ramp_s,
        "targets": TARGETS,
        "levels": [],
    }
    try:
        bench = Bench(args, out_dir)
        bench.setup()
        # Engines alternate within a level, so that drift on a shared machine spreads over all of them.
        for calls in args.levels:
            for engine in args.engines:
                print(f"bench: {calls} calls on {engine} for {args.duration} (ramp {args.ramp}) …", file=sys.stderr,
                      flush=True)
                for hog in (args.hogs or [None]):
                    if hog is not None:
                        print(f"bench: … with CPU 0 {hog} % busy", file=sys.stderr, flush=True)
                    level = bench.run_level(calls, engine, hog)
                    report["levels"].append(level)
                    print(f"bench: {calls} calls on {engine}: daemon {fmt(level['daemon']['cpu_ms_per_call_s'], 3)} ms "
                          f"CPU/call-s, {fmt(level['daemon']['rss_kib_per_call'], 1)} KiB/call, engine→caller p99 "
                          f"{level['engine_to_caller_ms']['p99']} ms, caller→engine p99 "
                          f"{level['caller_to_engine_ms']['p99']} ms"
                          + ("" if level["load_achieved"] else " (load NOT achieved)"), file=sys.stderr, flush=True)
        bench.stop_daemon()
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; stopping everything", file=sys.stderr)
        return 130
    finally:
        if bench:
            bench.close()
        if report["levels"]:
            with open(os.path.join(out_dir, "results.json"), "w") as f:
                json.dump(report, f, indent=2)
            table = markdown(report)
            with open(os.path.join(out_dir, "results.md"), "w") as f:
                f.write(table)
            print(table)
            print(f"bench: results in {out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
