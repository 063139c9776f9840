#!/usr/bin/python3
"""API throughput (issue 6): the dashboard endpoints of `costwise serve` under wrk (Debian's
`wrk`) at 64 concurrent connections. The bar: at least 2,000 requests/s with p99 under 50 ms and
no errors, per endpoint, on the 2-core machine.

  1. A fresh SQLite database in bench/data/api/ gets three months of generated FOCUS billing
     (costwise_gen_billing, ROWS rows a month, seed 7) and the tests' fleet with a planted spike
     (tests/support/fleets.py), for the organisation the benchmark signs up; `costwise anomalies
     detect` and `costwise forecast --horizon 30` store anomalies and a forecast.
  2. `costwise serve` (Release build) starts on a free port; an API token authenticates wrk.
  3. For each endpoint, a 3 s warm-up, then `wrk -t2 -c64 -dDURATION --latency` with the token;
     the table shows requests/s, latency p50/p90/p99 and errors (socket errors and non-2xx).

Usage: bench/api/wrk_bench.py [--rows N] [--duration SECONDS] [--connections C] [--out-md FILE]
Variables: COSTWISE_BIN (default build-release/apps/costwise/costwise), GEN_BIN (default
build-release/bench/costwise_gen_billing); both are built with CMake when missing."""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
sys.path.insert(0, os.path.join(ROOT, "tests/support"))
from fleets import fleet_export  # noqa: E402

BUILD = os.path.join(ROOT, "build-release")
DATA = os.path.join(ROOT, "bench/data/api")
ORGANISATION = "wrk-bench"
EMAIL = "bench@example.com"
PASSWORD = "benchmark password"
MONTHS = ("2024-06", "2024-07", "2024-08")
# The dashboard's calls: the Overview's cost summary, the anomalies list and the forecast.
ENDPOINTS = [
    ("costs summary", "/api/costs?from=2024-06-01&to=2024-08-31&group_by=service"
                      "&granularity=month"),
    ("costs daily", "/api/costs?from=2024-08-01&to=2024-08-31&granularity=day"),
    ("anomalies list", "/api/ml/anomalies"),
    ("forecast", "/api/ml/forecast?horizon=30"),
]


def log(message):
    print(f"[api bench] {message}", file=sys.stderr, flush=True)


def binary(variable, target, relative):
    path = os.environ.get(variable) or os.path.join(BUILD, relative)
    if not os.path.exists(path):
        log(f"building {target} in {BUILD}")
        if not os.path.exists(os.path.join(BUILD, "CMakeCache.txt")):
            subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release"],
                           check=True)
        subprocess.run(["cmake", "--build", BUILD, "-j2", "--target", target], check=True)
    return path


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def call(port, method, path, body=None, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, dict(reply.headers), reply.read().decode()


def prepare(costwise, gen, rows, database):
    files = []
    for month in MONTHS:
        path = os.path.join(DATA, f"focus-{month}-{rows}.csv")
        if not os.path.exists(path):
            log(f"generating {rows} FOCUS rows for {month}")
            run(gen, "--format", "focus", "--rows", str(rows), "--seed", "7", "--month", month,
                "--output", path)
        files.append(path)
    fleet = os.path.join(DATA, "fleet.csv")
    with open(fleet, "w", encoding="utf-8") as out:
        out.write(fleet_export())
    files.append(fleet)
    log("ingesting, detecting anomalies, forecasting")
    run(costwise, "--db", database, "ingest", "--tenant", ORGANISATION, *files)
    run(costwise, "--db", database, "anomalies", "detect", "--tenant", ORGANISATION)
    run(costwise, "--db", database, "forecast", "--tenant", ORGANISATION, "--horizon", "30")


def parse_wrk(text):
    def seconds(value, unit):
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    percentiles = {p: seconds(v, u) for p, v, u in
                   re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", text)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return {"rate": rate, "requests": total, "errors": errors, **percentiles}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--out-md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk_bench.py: wrk is missing (apt-get install wrk)")
    costwise = binary("COSTWISE_BIN", "costwise", "apps/costwise/costwise")
    gen = binary("GEN_BIN", "costwise_gen_billing", "bench/costwise_gen_billing")
    os.makedirs(DATA, exist_ok=True)
    database_file = os.path.join(DATA, "bench.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database_file + suffix):
            os.remove(database_file + suffix)
    database = f"sqlite:{database_file}"
    last_run = os.path.join(DATA, "last-run")  # wrk's own output and the server's log
    os.makedirs(last_run, exist_ok=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([costwise, "--db", database, "serve", "--host", "127.0.0.1",
                               "--port", str(port)],
                              stdout=open(os.path.join(last_run, "serve.log"), "w"),
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                call(port, "GET", "/healthz")
                break
            except OSError:
                time.sleep(0.05)
        call(port, "POST", "/api/auth/signup",
             {"email": EMAIL, "password": PASSWORD, "organisation": ORGANISATION})
        _, headers, body = call(port, "POST", "/api/auth/login",
                                {"email": EMAIL, "password": PASSWORD})
        session = json.loads(body)
        cookie = headers["Set-Cookie"].split(";")[0]
        _, _, body = call(port, "POST", "/api/tokens", {"name": "wrk"},
                          {"Cookie": cookie, "X-CSRF-Token": session["csrf_token"]})
        token = json.loads(body)["token"]
        prepare(costwise, gen, args.rows, database)
        _, _, document = call(port, "GET", "/api/openapi.json")
        documented = json.loads(document)["paths"]
        results = []
        for name, path in ENDPOINTS:
            if path.split("?")[0] not in documented:
                log(f"{name}: {path} is not an endpoint of this build; skipped")
                continue
            status, _, _ = call(port, "GET", path, headers={"Authorization": f"Bearer {token}"})
            log(f"{name}: GET {path} answers {status}; running wrk for {args.duration} s")
            command = ["wrk", "-t2", f"-c{args.connections}", "-H",
                       f"Authorization: Bearer {token}", "--latency",
                       f"http://127.0.0.1:{port}{path}"]
            subprocess.run(command[:-2] + ["-d3s", command[-1]], check=True,
                           capture_output=True)
            output = subprocess.run(command[:-1] + [f"-d{args.duration}s", command[-1]],
                                    check=True, capture_output=True, text=True).stdout
            with open(os.path.join(last_run, f"{name.replace(' ', '-')}.txt"), "w",
                      encoding="utf-8") as raw:
                raw.write(output)
            results.append((name, path, parse_wrk(output)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    lines = [
        "## API throughput (wrk)",
        "",
        f"`bench/api/wrk_bench.py --rows {args.rows} --duration {args.duration} --connections "
        f"{args.connections}`: `costwise serve` (Release, SQLite) with {len(MONTHS)} months of "
        f"generated FOCUS billing ({args.rows:,} rows a month) and the tests' fleet with a "
        f"planted spike; `wrk -t2 -c{args.connections} -d{args.duration}s --latency` with an API "
        f"token, on {os.cpu_count()} cores ({cpu}). Bar: at least 2,000 requests/s, p99 under "
        "50 ms, no errors.",
        "",
        "| endpoint | requests/s | p50 ms | p90 ms | p99 ms | errors | bar met |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, path, r in results:
        met = r["rate"] >= 2000 and r.get("99", 1) < 0.050 and r["errors"] == 0
        lines.append(f"| {name} `GET {path.split('?')[0]}` | {r['rate']:,.0f} | "
                     f"{r['50'] * 1e3:.2f} | {r['90'] * 1e3:.2f} | {r['99'] * 1e3:.2f} | "
                     f"{r['errors']} | {'yes' if met else 'no'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out_md:
        with open(args.out_md, "w", encoding="utf-8") as out:
            out.write(text)


if __name__ == "__main__":
    main()
