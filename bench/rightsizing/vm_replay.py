#!/usr/bin/python3
"""Right-sizing evaluation on real traces (issue 5): costwise, Compute Optimizer's defaults and
Trusted Advisor's rule, each choice replayed on the observed demand.

Data (../shared/data, or $COSTWISE_SHARED_DATA_DIR):
- vm-traces/: the 15 Bitbrains VMs (5-minute CPU, memory, network). Each is mapped to the smallest
  m5/c5/r5 type (Intel fifth generation: the performance table's baseline) with at least its cores
  and memory, and its samples are written as the CloudWatch metrics that type would report:
  CPUUtilization = CPU used (cores x usage percent) over the type's vCPUs, mem_used_percent =
  memory used over the type's memory, NetworkIn/NetworkOut in bytes per 5 minutes.
- nab-aws/ec2_cpu_utilization_*.csv: 8 real EC2 CPUUtilization series (5 minutes, 14 days, no
  size, no memory, no network). Each is assumed to come from one --nab-type (default m5.large:
  the general-purpose default size, and the performance baseline, so the percent carries over
  unchanged); CPU only, so costwise and Compute Optimizer keep memory at least the current.
  Lookback ends differ between series, so each series is its own `costwise rightsize` run.

For every instance, over the 14-day lookback that costwise reports (`lookback_end`):
- costwise's top option (`rightsize --format json`), with memory data and, for the VMs, without;
- CO default: an independent reference of AWS Compute Optimizer's default EC2 right-sizing
  (`co_default` below);
- TA: Trusted Advisor's "Low Utilization Amazon EC2 Instances" rule (`trusted_advisor`).
Each chosen type is replayed sample by sample: CPU demand in baseline vCPUs (CPUUtilization x the
current type's vCPUs x its relative per-vCPU performance) over the option's capacity (vCPUs x its
relative performance; a burstable type bursts to its full vCPUs, its credits are reported apart),
memory used over the option's memory. The bar: no top option above 100% of its CPU or memory
capacity at any sample, and its p99.5 at most 80% (the headroom target).

Usage: vm_replay.py [--costwise BIN] [--out DIR] [--nab-type TYPE]   (prints markdown)
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("COSTWISE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
TRACES = SHARED / "vm-traces" / "bitbrains-rnd-2013-7"
NAB = SHARED / "nab-aws"
CATALOG = ROOT / "data" / "ec2-catalog" / "ec2_instances_ondemand_linux.csv"
REGION = "us-east-1"
PERIOD = 300
LOOKBACK_DAYS = 14
HOUR = 3600
DAY = 86400
HOURS_PER_MONTH = 730
TARGET = 80.0  # percent: the 20% headroom of Compute Optimizer's defaults, costwise's default

# docs/rightsizing.md's default relative per-vCPU performance (src/engines/rightsizing/performance.cpp).
PERFORMANCE = {
    "intel": {3: 0.75, 4: 0.85, 5: 1.0, 6: 1.15, 7: 1.3, 8: 1.45},
    "amd": {5: 0.9, 6: 1.05, 7: 1.55, 8: 1.75},
    "aws": {1: 0.6, 6: 1.0, 7: 1.25, 8: 1.5},
}
# Burstable families take the generation of the processors they run on (performance.cpp).
BURSTABLE_GENERATION = {"t2": 4, "t3": 5, "t3a": 5, "t4g": 6}


# ---------------------------------------------------------------------------------------------
# Catalog and capacity


def load_catalog(path=CATALOG, region=REGION):
    """The region's types: shape, processor, price (the same CSV costwise gets with --catalog)."""
    types = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["region"] != region:
                continue
            name = row["instance_type"]
            family, size = name.split(".", 1)
            generation = int(row["generation"] or 0)
            if generation == 0:
                generation = next((int(c) for c in family if c.isdigit()), 0)
            types[name] = {
                "vcpu": int(row["vcpu"]), "memory": float(row["memory_gib"]),
                "arch": row["arch"], "gpus": int(row["gpu_count"] or 0),
                "accelerators": int(row["accelerator_count"] or 0),
                "maker": row["cpu_manufacturer"], "generation": generation, "family": family,
                "size": size, "burstable": len(family) >= 2 and family[0] == "t" and family[1].isdigit(),
                "metal": size.startswith("metal"),
                "price": float(row["price_per_hour_ondemand_linux_usd"]),
            }
    return types


def relative(spec):
    """Relative per-vCPU performance, as the engine's PerformanceTable::Relative."""
    table = PERFORMANCE.get(spec["maker"])
    if not table:
        return 1.0
    generation = BURSTABLE_GENERATION.get(spec["family"], spec["generation"])
    if generation in table:
        return table[generation]
    return table[min(table, key=lambda g: (abs(g - generation), g))]  # ties: the older


def capacity(spec):
    """Baseline vCPUs at 100%. A burstable type bursts to all its vCPUs (credits aside)."""
    return spec["vcpu"] * relative(spec)


def monthly(spec):
    return spec["price"] * HOURS_PER_MONTH


def quantile(values, q):
    """The engine's quantile (profile.cpp): linear between the order statistics around q (n-1)."""
    if not values:
        return 0.0
    xs = sorted(values)
    position = min(max(q, 0.0), 1.0) * (len(xs) - 1)
    below = math.floor(position)
    if below + 1 >= len(xs):
        return xs[below]
    return xs[below] + (position - below) * (xs[below + 1] - xs[below])


def lookback_end_after(newest):
    """End of the hour of the newest sample (service::LookbackEndAfter)."""
    return (newest // HOUR + 1) * HOUR


# ---------------------------------------------------------------------------------------------
# Compute Optimizer's defaults and Trusted Advisor's rule, written from their public documentation


def co_default(samples, current, catalog, *, threshold=0.995, headroom=0.20, min_hours=30,
               allow_graviton=True, allow_burstable=False):
    """What AWS Compute Optimizer's default EC2 right-sizing would choose, without the CloudWatch
    agent (no memory metric).

    samples: (unix seconds, CPUUtilization percent of `current`) inside the 14-day lookback.
    Documented defaults: 14-day lookback, at least 30 hours of data; CPU threshold P99_5 with a
    PERCENT_20 headroom, i.e. the p99.5 projected on a candidate at most 80%; memory is only
    analysed with the agent, so without it a candidate keeps at least the current memory.
    Candidates: every type of the region with the current GPUs and accelerators, not bare metal,
    of the current architecture or Graviton (arm64) when allowed; burstable types are left out
    (Compute Optimizer does not document how it sizes them on credits). CPU is compared in
    baseline vCPUs (vCPUs x relative per-vCPU performance, the table costwise uses). Finding:
    under-provisioned when the current type's own p99.5 is above the target (then the cheapest
    type that fits), over-provisioned when a cheaper type fits (the cheapest), else optimized.
    AWS also reports a 0-4 performance risk, but does not publish its mapping; not modelled.
    Returns {finding, type, monthly_savings, cpu_p99_5, projected_cpu_p99_5, hours}.

    Sources (AWS documentation): the defaults P99_5 / PERCENT_20 (CPU) / PERCENT_20 (memory),
    PutRecommendationPreferences utilizationPreferences; the choices P90 | P95 | P99_5 and
    PERCENT_30 | PERCENT_20 | PERCENT_0, API_CustomizableMetricParameters; 14 days (93 with
    enhanced infrastructure metrics), the maximum of each 5-minute interval, ug/metrics; 30 hours
    in the past 14 days, ug/requirements; the Memory metric only with the CloudWatch agent,
    API_UtilizationMetric; risk 0-4 and Graviton as migration effort Medium,
    API_InstanceRecommendationOption; AWS_ARM64 | CURRENT, API_RecommendationPreferences.
    Assumed, not found stated: that without the agent no candidate has less memory than the
    current type, that the cheapest fitting type ranks first, that "20% headroom" means a
    projected p99.5 of at most 80% (rather than p99.5 x 1.2 <= 100%, i.e. 83.3%), how burstable
    types and idle instances are treated."""
    spec = catalog[current]
    hours = len({t // HOUR for t, _ in samples})
    result = {"finding": "insufficient-data", "type": None, "monthly_savings": 0.0,
              "cpu_p99_5": None, "projected_cpu_p99_5": None, "hours": hours}
    if hours < min_hours:
        return result
    target = 100 * (1 - headroom)
    p99_5 = quantile([v for _, v in samples], threshold)
    demand = p99_5 / 100 * capacity(spec)
    result["cpu_p99_5"] = p99_5
    fits = []
    for name, cand in catalog.items():
        if name == current or cand["metal"] or cand["gpus"] != spec["gpus"]:
            continue
        if cand["accelerators"] != spec["accelerators"] or cand["memory"] < spec["memory"]:
            continue
        if cand["burstable"] and not allow_burstable:
            continue
        if cand["arch"] != spec["arch"] and not (allow_graviton and cand["arch"] == "arm64"):
            continue
        projected = demand / capacity(cand) * 100
        if projected <= target:
            fits.append((cand["price"], name, projected))
    fits.sort()
    under = p99_5 > target
    cheaper = [f for f in fits if f[0] < spec["price"]]
    if under:
        result["finding"] = "under-provisioned"
        chosen = fits[0] if fits else None
    elif cheaper:
        result["finding"] = "over-provisioned"
        chosen = cheaper[0]
    else:
        result["finding"] = "optimized"
        chosen = None
    if chosen:
        price, name, projected = chosen
        result.update(type=name, monthly_savings=(spec["price"] - price) * HOURS_PER_MONTH,
                      projected_cpu_p99_5=projected)
    return result


def trusted_advisor(samples, start, end=None, *, cpu_limit=10.0, network_limit=5e6, min_days=4):
    """Trusted Advisor's Low Utilization Amazon EC2 Instances check: daily average CPU at most 10%
    and network I/O at most 5 MB on at least 4 of the last 14 days (the check's description in
    the AWS Support API's DescribeTrustedAdvisorChecks; 5 MB taken as 5e6 bytes).

    samples: dicts with t, cpu (percent) and net (bytes in + out in the period, None if unknown).
    Days are the 24-hour blocks from `start`. Returns {cpu_days, low_days, flagged}; without
    network data low_days and flagged are None (the rule cannot be decided) and cpu_days counts
    the days that pass its CPU half."""
    end = end if end is not None else start + LOOKBACK_DAYS * DAY
    days = {}
    has_network = True
    for s in samples:
        if not start <= s["t"] < end:
            continue
        day = days.setdefault((s["t"] - start) // DAY, [0.0, 0, 0.0])
        day[0] += s["cpu"]
        day[1] += 1
        if s.get("net") is None:
            has_network = False
        else:
            day[2] += s["net"]
    cpu_days = sum(1 for total, n, _ in days.values() if n and total / n <= cpu_limit)
    if not has_network:
        return {"cpu_days": cpu_days, "low_days": None, "flagged": None}
    low = sum(1 for total, n, net in days.values() if n and total / n <= cpu_limit and net <= network_limit)
    return {"cpu_days": cpu_days, "low_days": low, "flagged": low >= min_days}


# ---------------------------------------------------------------------------------------------
# Replay


def replay(inst, option, catalog, start, end):
    """CPU and memory of `inst`'s observed demand on `option`, sample by sample, inside [start, end):
    max and p99.5 in percent of the option's capacity, samples above 100%, mean CPU use."""
    cur = catalog[inst["type"]]
    target = catalog[option]
    base = capacity(cur)
    cap = capacity(target)
    cpu, mem = [], []
    for s in inst["samples"]:
        if not start <= s["t"] < end:
            continue
        cpu.append(s["cpu"] / 100 * base / cap * 100)
        if s.get("mem_gib") is not None:
            mem.append(s["mem_gib"] / target["memory"] * 100)
    if not cpu:
        cpu = [0.0]  # no sample in the window: nothing to exceed
    out = {"cpu_max": max(cpu), "cpu_p995": quantile(cpu, 0.995), "cpu_mean": sum(cpu) / len(cpu),
           "cpu_over": sum(1 for v in cpu if v > 100), "mem_max": None, "mem_p995": None, "mem_over": 0}
    if mem:
        out.update(mem_max=max(mem), mem_p995=quantile(mem, 0.995), mem_over=sum(1 for v in mem if v > 100))
    out["exceeded"] = out["cpu_max"] > 100 or (out["mem_max"] or 0) > 100
    out["over_target"] = out["cpu_p995"] > TARGET or (out["mem_p995"] or 0) > TARGET
    return out


def peak_demand(inst, catalog, start, end):
    """Largest CPU demand in baseline vCPUs inside the window (what stopping would drop)."""
    base = capacity(catalog[inst["type"]])
    return max((s["cpu"] / 100 * base for s in inst["samples"] if start <= s["t"] < end), default=0.0)


# ---------------------------------------------------------------------------------------------
# Inputs


def load_bitbrains(catalog):
    vms = []
    for path in sorted(TRACES.glob("*.csv"), key=lambda p: int(p.stem)):
        rows = []
        with open(path, encoding="utf-8") as f:
            next(f)
            for line in f:
                parts = [p.strip() for p in line.split(";")]
                if len(parts) < 11:
                    continue
                t, cores, _, _, cpu, mem_cap, mem_used, _, _, net_in, net_out = (float(p) for p in parts[:11])
                if cores <= 0 or mem_cap <= 0:
                    continue  # not provisioned yet
                rows.append((int(t), int(cores), cpu, mem_cap, mem_used, net_in, net_out))
        cores = max(r[1] for r in rows)
        memory = max(r[3] for r in rows) / 1024 / 1024
        fits = [(spec["price"], name) for name, spec in catalog.items()
                if spec["family"] in ("m5", "c5", "r5") and spec["vcpu"] >= cores and spec["memory"] >= memory]
        name = min(fits)[1]
        vcpu = catalog[name]["vcpu"]
        samples = [{"t": t, "cpu": cpu * c / vcpu, "mem_gib": used / 1024 / 1024,
                    "net_in": n_in * 1024 * PERIOD, "net_out": n_out * 1024 * PERIOD,
                    "net": (n_in + n_out) * 1024 * PERIOD}
                   for t, c, cpu, _, used, n_in, n_out in rows]
        vms.append({"id": f"vm-{path.stem}", "type": name, "samples": samples,
                    "shape": f"{cores}, {memory:.1f}"})
    return vms


def load_nab(nab_type):
    series = []
    for path in sorted(NAB.glob("ec2_cpu_utilization_*.csv")):
        samples = []
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                t = int(datetime.strptime(row["timestamp"], "%Y-%m-%d %H:%M:%S")
                        .replace(tzinfo=timezone.utc).timestamp())
                samples.append({"t": t, "cpu": float(row["value"]), "mem_gib": None, "net": None})
        samples.sort(key=lambda s: s["t"])
        series.append({"id": "nab-" + path.stem.rsplit("_", 1)[1], "type": nab_type, "samples": samples})
    return series


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def write_inputs(instances, out, name, catalog, with_memory):
    out.mkdir(parents=True, exist_ok=True)
    inventory = out / f"{name}-inventory.csv"
    metrics = out / f"{name}-metrics.csv"
    with open(inventory, "w", encoding="utf-8") as inv:
        inv.write("instance_id,instance_type,region,platform,state,tags\n")
        for inst in instances:
            inv.write(f"{inst['id']},{inst['type']},{REGION},Linux/UNIX,running,\n")
    with open(metrics, "w", encoding="utf-8") as m:
        m.write("instance_id,timestamp,metric,value\n")
        for inst in instances:
            memory = catalog[inst["type"]]["memory"]
            for s in inst["samples"]:
                ts = iso(s["t"])
                m.write(f"{inst['id']},{ts},CPUUtilization,{s['cpu']:.6g}\n")
                if with_memory and s.get("mem_gib") is not None:
                    m.write(f"{inst['id']},{ts},mem_used_percent,{100 * s['mem_gib'] / memory:.6g}\n")
                if s.get("net_in") is not None:
                    m.write(f"{inst['id']},{ts},NetworkIn,{s['net_in']:.6g}\n")
                    m.write(f"{inst['id']},{ts},NetworkOut,{s['net_out']:.6g}\n")
    return inventory, metrics


def rightsize(binary, inventory, metrics):
    command = [binary, "rightsize", "--inventory", str(inventory), "--metrics", str(metrics),
               "--catalog", str(CATALOG), "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"costwise rightsize failed ({' '.join(command)}): {result.stderr}")
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------------
# Evaluation


def evaluate(inst, item, plain, catalog, end, replay_window=None):
    """Every method's choice for one instance, with its replay. `item`/`plain`: costwise's JSON
    for the instance with and without memory data (plain None when there is only one run).
    The choices are replayed on the lookback they were made on, or on `replay_window` (start,
    end) when given: out of sample."""
    start = end - LOOKBACK_DAYS * DAY
    replay_start, replay_end = replay_window or (start, end)
    window = [s for s in inst["samples"] if start <= s["t"] < end]
    current = catalog[inst["type"]]
    row = {"inst": inst, "start": start, "end": end, "current_monthly": monthly(current),
           "cpu": {"p50": quantile([s["cpu"] for s in window], 0.5),
                   "p99_5": quantile([s["cpu"] for s in window], 0.995),
                   "max": max((s["cpu"] for s in window), default=0.0)}}
    memory = [s["mem_gib"] / current["memory"] * 100 for s in window if s.get("mem_gib") is not None]
    row["mem_max"] = max(memory) if memory else None

    def judge(finding, option, savings, extra=None):
        choice = {"finding": finding, "type": option, "savings": savings, "replay": None,
                  "note": None, "extra": extra or {}}
        if option == "stop":
            choice["note"] = (f"drops up to "
                              f"{peak_demand(inst, catalog, replay_start, replay_end):.2f} vCPU")
        elif option and option in catalog:
            choice["replay"] = replay(inst, option, catalog, replay_start, replay_end)
        elif option:
            choice["note"] = f"{option} not in the catalog: not replayed"
        return choice

    def costwise_choice(j):
        options = j.get("options") or []
        top = options[0] if options else {}
        extra = {"projected": top.get("projected_cpu_p99_5"), "credits": top.get("credits"),
                 "cpu_target": (j.get("workload") or {}).get("cpu_target"),
                 "workload": (j.get("workload") or {}).get("name"), "growth": j.get("growth")}
        return judge(j.get("finding", "?"), top.get("type"), float(top.get("monthly_savings") or 0), extra)

    row["costwise"] = costwise_choice(item)
    if plain is not None:
        row["costwise_plain"] = costwise_choice(plain)
    co = co_default([(s["t"], s["cpu"]) for s in window], inst["type"], catalog)
    row["co"] = judge(co["finding"], co["type"], co["monthly_savings"],
                      {"projected": co["projected_cpu_p99_5"]})
    ta = trusted_advisor(window, start, end)
    row["ta"] = dict(ta, savings=row["current_monthly"] if ta["flagged"] else 0.0,
                     note=(f"drops up to {peak_demand(inst, catalog, start, end):.2f} vCPU"
                           if ta["flagged"] else None))
    return row


def counts_as_saving(choice):
    return choice["finding"] in ("over-provisioned", "idle") and choice["savings"] > 0


def pct(x):
    return "-" if x is None else f"{x:.0f}%"


def replay_text(choice, memory=True):
    r = choice["replay"]
    if r is None:
        return choice["note"] or "-"
    text = f"{pct(r['cpu_max'])} / {pct(r['cpu_p995'])}"
    if memory and r["mem_max"] is not None:
        text += f"; mem {pct(r['mem_max'])} / {pct(r['mem_p995'])}"
    flags = []
    if r["exceeded"]:
        flags.append(f"**over capacity** ({r['cpu_over']} CPU, {r['mem_over']} mem samples)")
    if r["over_target"]:
        flags.append("**p99.5 > 80%**")
    return text + (" " + ", ".join(flags) if flags else "")


def replay_flag(choice):
    """Short replay verdict: ok, or what went over."""
    r = choice["replay"]
    if r is None:
        return choice["note"] or "-"
    flags = []
    if r["exceeded"]:
        flags.append(f"over capacity: CPU max {pct(r['cpu_max'])}, mem max {pct(r['mem_max'])}")
    if r["over_target"]:
        flags.append(f"p99.5 CPU {pct(r['cpu_p995'])}, mem {pct(r['mem_p995'])}")
    return "**" + "; ".join(flags) + "**" if flags else "ok"


def choice_text(choice):
    if choice["type"]:
        return f"{choice['finding']}: {choice['type']}"
    return choice["finding"]


def credits_text(choice):
    c = choice["extra"].get("credits")
    r = choice["replay"]
    if not c:
        return "-"
    text = f"baseline {100 * float(c.get('baseline', 0)):.0f}%"
    if r is not None:
        text += f", replay mean {r['cpu_mean']:.1f}%"
    surplus = c.get("monthly_surplus_cost")
    if surplus:
        text += f", surplus ${float(surplus):.2f}/mo"
    return text


def ta_text(ta):
    if ta["flagged"] is None:
        return f"n/a: no network data (CPU half: {ta['cpu_days']}/14 days)"
    return (("**low utilization**" if ta["flagged"] else "-") +
            f" ({ta['low_days']}/14 days; CPU half {ta['cpu_days']}/14)")


def summarize(rows, key):
    """Totals of one method over rows: savings, changes, replay violations."""
    s = {"savings": 0.0, "changed": 0, "stops": 0, "under": 0, "under_delta": 0.0, "replayed": 0,
         "exceeded": 0, "over_target": 0, "promise": 0}
    for row in rows:
        if key == "ta":
            if row["ta"]["flagged"]:
                s["stops"] += 1
                s["changed"] += 1
                s["savings"] += row["ta"]["savings"]
            continue
        choice = row[key]
        if choice["type"] == "stop":
            s["stops"] += 1
        if choice["type"]:
            s["changed"] += 1
        if counts_as_saving(choice):
            s["savings"] += choice["savings"]
        if choice["finding"] == "under-provisioned":
            s["under"] += 1
            s["under_delta"] += choice["savings"]
        r = choice["replay"]
        if r is not None:
            s["replayed"] += 1
            s["exceeded"] += r["exceeded"]
            s["over_target"] += r["over_target"]
        projected, target = choice["extra"].get("projected"), choice["extra"].get("cpu_target") or TARGET
        if projected is not None and float(projected) > float(target):
            s["promise"] += 1
    return s


def print_bitbrains(rows, total_with, total_without):
    print("#### Bitbrains VMs: costwise with memory data, replayed")
    print()
    print("| VM | cores, GiB | as | workload | finding | top option | saves $/mo | projected CPU p99.5 | "
          "replay CPU max / p99.5; mem max / p99.5 | credits |")
    print("|---|---|---|---|---|---|---:|---:|---|---|")
    for row in rows:
        c = row["costwise"]
        print(f"| {row['inst']['id']} | {row['inst']['shape']} | {row['inst']['type']} | "
              f"{c['extra'].get('workload') or '-'} | {c['finding']} | {c['type'] or '-'} | {c['savings']:.2f} | "
              f"{pct(c['extra'].get('projected'))} | {replay_text(c)} | {credits_text(c)} |")
    print()
    print("#### Bitbrains VMs: costwise, Compute Optimizer's defaults (reference), Trusted Advisor")
    print()
    print("| VM | as, $/mo | on it: CPU p99.5 / max; mem max | costwise | $/mo | replay | "
          "costwise without memory | $/mo | replay | CO default | $/mo | replay | Trusted Advisor | $/mo |")
    print("|---|---|---|---|---:|---|---|---:|---|---|---:|---|---|---:|")
    for row in rows:
        c, p, co, ta = row["costwise"], row["costwise_plain"], row["co"], row["ta"]
        print(f"| {row['inst']['id']} | {row['inst']['type']}, {row['current_monthly']:.2f} | "
              f"{pct(row['cpu']['p99_5'])} / {pct(row['cpu']['max'])}; {pct(row['mem_max'])} | "
              f"{choice_text(c)} | {c['savings']:.2f} | {replay_flag(c)} | {choice_text(p)} | {p['savings']:.2f} | "
              f"{replay_flag(p)} | {choice_text(co)} | {co['savings']:.2f} | {replay_text(co)} | "
              f"{ta_text(ta)} | {ta['savings']:.2f} |")
    print()
    print(f"costwise's own totals (JSON `monthly_savings`): {total_with:.2f} with memory data, "
          f"{total_without:.2f} without.")
    print()


def print_nab(rows, nab_type, catalog):
    spec = catalog[nab_type]
    print(f"#### NAB EC2 CPU series, each assumed to run on {nab_type} ({spec['vcpu']} vCPUs, "
          f"{spec['memory']:g} GiB, ${monthly(spec):.2f}/mo); CPU only")
    print()
    print("| series | lookback to | CPU p50 / p99.5 / max | costwise | saves $/mo | projected CPU p99.5 | "
          "replay CPU max / p99.5 | credits | CO default | saves $/mo | replay CPU max / p99.5 | Trusted Advisor |")
    print("|---|---|---|---|---:|---:|---|---|---|---:|---|---|")
    for row in rows:
        c, co = row["costwise"], row["co"]
        print(f"| {row['inst']['id']} | {iso(row['end'])[:13]}h | {pct(row['cpu']['p50'])} / "
              f"{pct(row['cpu']['p99_5'])} / {pct(row['cpu']['max'])} | {choice_text(c)} | {c['savings']:.2f} | "
              f"{pct(c['extra'].get('projected'))} | {replay_text(c, False)} | {credits_text(c)} | "
              f"{choice_text(co)} | {co['savings']:.2f} | {replay_text(co, False)} | {ta_text(row['ta'])} |")
    print()


def print_summary(groups):
    print("#### Totals")
    print()
    print("| data | method | types changed (of which stop) | savings $/mo | under-provisioned (their moves, $/mo) | "
          "options replayed | over capacity at some sample | replay p99.5 > 80% | projected p99.5 > own target |")
    print("|---|---|---|---:|---|---:|---:|---:|---:|")
    for data, rows, methods in groups:
        for key, label in methods:
            s = summarize(rows, key)
            if key == "ta":
                print(f"| {data} | {label} | {s['changed']} ({s['stops']}) | {s['savings']:.2f} | - | - | - | - | - |")
                continue
            print(f"| {data} | {label} | {s['changed']} ({s['stops']}) | {s['savings']:.2f} | "
                  f"{s['under']} ({s['under_delta']:+.2f}) | {s['replayed']} | {s['exceeded']} | {s['over_target']} | "
                  f"{s['promise']} |")
    print()


def out_of_sample(binary, vms, catalog, out):
    """Decide on the 14 days before the last 14 and replay the decisions on the last 14: the
    VMs with at least 30 hours of data in each fortnight. Prints a markdown section."""
    end = lookback_end_after(max(s["t"] for vm in vms for s in vm["samples"]))
    cut = end - LOOKBACK_DAYS * DAY
    hours = lambda vm, a, b: len({s["t"] // HOUR for s in vm["samples"] if a <= s["t"] < b})
    both = [vm for vm in vms
            if hours(vm, cut - LOOKBACK_DAYS * DAY, cut) >= 30 and hours(vm, cut, end) >= 30]
    past = [dict(vm, samples=[s for s in vm["samples"] if s["t"] < cut]) for vm in both]
    inv, met = write_inputs(past, out, "bitbrains-past", catalog, True)
    report = rightsize(binary, inv, met)
    # costwise's lookback ends after the newest sample before the cut (a gap may end it early).
    decided = parse_iso(report["lookback_end"])
    if decided > cut:
        sys.exit(f"out of sample: costwise's lookback ends {report['lookback_end']}, after {iso(cut)}")
    by_id = {i["instance_id"]: i for i in report.get("instances", [])}
    missing = {"finding": "missing from costwise's output"}
    rows = [evaluate(vm, by_id.get(vm["id"], missing), None, catalog, decided, (cut, end))
            for vm in both]
    print(f"#### Bitbrains VMs out of sample: {len(rows)} VMs decided on the 14 days to "
          f"{iso(decided)}, replayed on {iso(cut)} to {iso(end)}")
    print()
    print("| VM | as | costwise | saves $/mo | replay CPU max / p99.5; mem max / p99.5 | CO default | "
          "saves $/mo | replay CPU max / p99.5 |")
    print("|---|---|---|---:|---|---|---:|---|")
    for row in rows:
        c, co = row["costwise"], row["co"]
        print(f"| {row['inst']['id']} | {row['inst']['type']} | {choice_text(c)} | {c['savings']:.2f} | "
              f"{replay_text(c)} | {choice_text(co)} | {co['savings']:.2f} | {replay_text(co, False)} |")
    print()
    for key, name in (("costwise", "costwise"), ("co", "CO default (reference)")):
        replayed = [r[key]["replay"] for r in rows if r[key]["replay"]]
        over = sum(1 for r in replayed if r["exceeded"])
        target = sum(1 for r in replayed if r["over_target"])
        saving = sum(r[key]["savings"] for r in rows if counts_as_saving(r[key]))
        print(f"- {name}: {len(replayed)} options replayed out of sample, {over} over capacity at "
              f"some sample, {target} above 80% at p99.5; savings ${saving:.2f} a month.")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--costwise", default=str(ROOT / "build-release/apps/costwise/costwise"))
    parser.add_argument("--out", default=str(ROOT / "bench/data/rightsizing"))
    parser.add_argument("--nab-type", default="m5.large", help="the type each NAB series is assumed to run on")
    parser.add_argument("--out-of-sample", action="store_true",
                        help="also decide on the fortnight before the last and replay on the last")
    args = parser.parse_args()
    out = Path(args.out)
    catalog = load_catalog()
    if args.nab_type not in catalog:
        sys.exit(f"--nab-type {args.nab_type} is not in {CATALOG}")

    vms = load_bitbrains(catalog)
    inv, met = write_inputs(vms, out, "bitbrains", catalog, True)
    inv_plain, met_plain = write_inputs(vms, out, "bitbrains-no-memory", catalog, False)
    with_memory = rightsize(args.costwise, inv, met)
    without_memory = rightsize(args.costwise, inv_plain, met_plain)
    end = parse_iso(with_memory["lookback_end"])
    newest = max(s["t"] for vm in vms for s in vm["samples"])
    if end != lookback_end_after(newest):
        print(f"> note: costwise's lookback ends {with_memory['lookback_end']}, expected {iso(lookback_end_after(newest))}\n")
    by_id = {i["instance_id"]: i for i in with_memory.get("instances", [])}
    by_id_plain = {i["instance_id"]: i for i in without_memory.get("instances", [])}
    missing = {"finding": "missing from costwise's output"}
    vm_rows = [evaluate(vm, by_id.get(vm["id"], missing), by_id_plain.get(vm["id"], missing), catalog, end)
               for vm in vms]

    nab_rows = []
    for series in load_nab(args.nab_type):
        inv, met = write_inputs([series], out / "nab", series["id"], catalog, False)
        report = rightsize(args.costwise, inv, met)
        item = next((i for i in report.get("instances", []) if i.get("instance_id") == series["id"]),
                    {"finding": "missing from costwise's output"})
        nab_rows.append(evaluate(series, item, None, catalog, parse_iso(report["lookback_end"])))

    print(f"Lookback {LOOKBACK_DAYS} days; Bitbrains to {with_memory['lookback_end']}; catalog "
          f"{CATALOG.relative_to(ROOT) if CATALOG.is_relative_to(ROOT) else CATALOG} (`--catalog`). "
          "Savings count over-provisioned and idle findings, as costwise's total does; an "
          "under-provisioned move is listed apart (+: it also costs less).")
    print()
    print_bitbrains(vm_rows, float(with_memory.get("monthly_savings", 0)),
                    float(without_memory.get("monthly_savings", 0)))
    print_nab(nab_rows, args.nab_type, catalog)
    print_summary([
        ("Bitbrains (15)", vm_rows, [("costwise", "costwise"), ("costwise_plain", "costwise without memory"),
                                     ("co", "CO default (reference)"), ("ta", "Trusted Advisor (stop)")]),
        (f"NAB (8, {args.nab_type})", nab_rows, [("costwise", "costwise"), ("co", "CO default (reference)"),
                                                 ("ta", "Trusted Advisor (stop)")]),
    ])
    if args.out_of_sample:
        out_of_sample(args.costwise, vms, catalog, out)


if __name__ == "__main__":
    main()
