#!/usr/bin/python3
"""Right-sizing evaluation on real VM traces: the 15 Bitbrains VMs of ../shared/data/vm-traces/.

Each VM is mapped to the smallest EC2 type of the m5/c5/r5 families (Intel, fifth generation: the
performance table's baseline, so its CPU percent carries over unchanged) with at least its cores
and memory. Its 5-minute CPU, memory and network go to `costwise rightsize` as an inventory and a
CloudWatch-style metrics file; the observed demand of the lookback is then replayed, sample by
sample, on each recommended top option: CPU demand in baseline vCPUs (usage percent x cores) over
the option's capacity (vCPUs x the relative per-vCPU performance of docs/rightsizing.md), memory
used over the option's memory. Goal (issue 5): no top option exceeds its CPU or memory capacity at
any point of the replay, and its projected p99.5 stays under the 80% headroom target.

Beside it, on the same data: costwise without memory metrics (what AWS Compute Optimizer's
defaults see without the CloudWatch agent: memory kept at least as large) and the Trusted Advisor
low-utilization rule (CPU at most 10% and network at most 5 MB on at least 4 days of the last 14).

Usage: vm_replay.py [--costwise BIN] [--out DIR]   (prints markdown)
"""
import argparse
import csv
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("COSTWISE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
TRACES = SHARED / "vm-traces" / "bitbrains-rnd-2013-7"
CATALOG = ROOT / "data" / "ec2-catalog" / "ec2_instances_ondemand_linux.csv"
REGION = "us-east-1"
PERIOD = 300
LOOKBACK_DAYS = 14

# docs/rightsizing.md's default relative per-vCPU performance (src/engines/rightsizing/performance.cpp).
PERFORMANCE = {
    "intel": {3: 0.75, 4: 0.85, 5: 1.0, 6: 1.15, 7: 1.3, 8: 1.45},
    "amd": {5: 0.9, 6: 1.05, 7: 1.55, 8: 1.75},
    "aws": {1: 0.6, 6: 1.0, 7: 1.25, 8: 1.5},
}


def relative(manufacturer, generation):
    table = PERFORMANCE.get(manufacturer)
    if not table:
        return 1.0
    if generation in table:
        return table[generation]
    nearest = min(table, key=lambda g: (abs(g - generation), g))
    return table[nearest]


def load_catalog():
    types = {}
    with open(CATALOG, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["region"] != REGION:
                continue
            types[row["instance_type"]] = {
                "vcpu": int(row["vcpu"]), "memory": float(row["memory_gib"]),
                "maker": row["cpu_manufacturer"], "generation": int(row["generation"] or 0),
                "price": float(row["price_per_hour_ondemand_linux_usd"]),
            }
    return types


def load_vm(path):
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
            rows.append({"t": int(t), "cores": int(cores), "cpu": cpu, "mem_cap_kb": mem_cap,
                         "mem_used_kb": mem_used, "net_in": net_in * 1024 * PERIOD,
                         "net_out": net_out * 1024 * PERIOD})
    return rows


def same_size_type(catalog, cores, memory_gib):
    fits = [(spec["price"], name) for name, spec in catalog.items()
            if name.split(".")[0] in ("m5", "c5", "r5") and spec["vcpu"] >= cores
            and spec["memory"] >= memory_gib]
    return min(fits)[1]


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_inputs(vms, out, with_memory):
    inventory = out / ("inventory.csv")
    metrics = out / ("metrics.csv" if with_memory else "metrics-no-memory.csv")
    with open(inventory, "w", encoding="utf-8") as inv:
        inv.write("instance_id,instance_type,region,platform,state,tags\n")
        for vm in vms:
            inv.write(f"{vm['id']},{vm['type']},{REGION},Linux/UNIX,running,\n")
    with open(metrics, "w", encoding="utf-8") as m:
        m.write("instance_id,timestamp,metric,value\n")
        for vm in vms:
            for r in vm["rows"]:
                ts = iso(r["t"])
                m.write(f"{vm['id']},{ts},CPUUtilization,{r['cpu']:.6g}\n")
                if with_memory:
                    m.write(f"{vm['id']},{ts},mem_used_percent,{100 * r['mem_used_kb'] / r['mem_cap_kb']:.6g}\n")
                m.write(f"{vm['id']},{ts},NetworkIn,{r['net_in']:.6g}\n")
                m.write(f"{vm['id']},{ts},NetworkOut,{r['net_out']:.6g}\n")
    return inventory, metrics


def rightsize(binary, inventory, metrics):
    result = subprocess.run([binary, "rightsize", "--inventory", str(inventory), "--metrics",
                             str(metrics), "--format", "json"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"costwise rightsize failed: {result.stderr}")
    return json.loads(result.stdout)


def replay(vm, option, catalog, lookback_end):
    """Max and p99.5 of CPU and memory on the option, over the lookback's samples."""
    target = catalog[option]
    current = catalog[vm["type"]]
    capacity = target["vcpu"] * relative(target["maker"], target["generation"])
    base = relative(current["maker"], current["generation"])
    start = lookback_end - LOOKBACK_DAYS * 86400
    cpu, mem = [], []
    for r in vm["rows"]:
        if not start <= r["t"] < lookback_end:
            continue
        cpu.append(r["cpu"] / 100 * r["cores"] * base / capacity * 100)
        mem.append(r["mem_used_kb"] / (target["memory"] * 1024 * 1024) * 100)
    cpu.sort()
    mem.sort()
    at = lambda xs, q: xs[min(len(xs) - 1, int(q * (len(xs) - 1)))]
    return {"cpu_max": cpu[-1], "cpu_p995": at(cpu, 0.995), "mem_max": mem[-1], "mem_p995": at(mem, 0.995)}


def trusted_advisor(vm, lookback_end):
    """Low utilization: CPU <= 10% and network <= 5 MB on at least 4 of the last 14 days."""
    start = lookback_end - LOOKBACK_DAYS * 86400
    days = {}
    for r in vm["rows"]:
        if start <= r["t"] < lookback_end:
            day = days.setdefault((r["t"] - start) // 86400, [0.0, 0, 0.0])
            day[0] += r["cpu"]
            day[1] += 1
            day[2] += r["net_in"] + r["net_out"]
    low = sum(1 for s, n, net in days.values() if n and s / n <= 10 and net <= 5e6)
    return low >= 4


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--costwise", default=str(ROOT / "build-release/apps/costwise/costwise"))
    parser.add_argument("--out", default=str(ROOT / "bench/data/rightsizing"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog()
    vms = []
    for path in sorted(TRACES.glob("*.csv"), key=lambda p: int(p.stem)):
        rows = load_vm(path)
        cores = max(r["cores"] for r in rows)
        memory = max(r["mem_cap_kb"] for r in rows) / 1024 / 1024
        vms.append({"id": f"vm-{path.stem}", "rows": rows, "cores": cores, "memory": memory,
                    "type": same_size_type(catalog, cores, memory)})
    inventory, metrics = write_inputs(vms, out, True)
    _, metrics_plain = write_inputs(vms, out, False)
    with_memory = rightsize(args.costwise, inventory, metrics)
    without_memory = rightsize(args.costwise, inventory, metrics_plain)
    end = int(datetime.strptime(with_memory["lookback_end"], "%Y-%m-%dT%H:%M:%SZ")
              .replace(tzinfo=timezone.utc).timestamp())
    by_id_plain = {i["instance_id"]: i for i in without_memory["instances"]}
    print("| VM | cores, GiB | as | finding | top option | saves $/mo | replay CPU max / p99.5 | replay mem max / p99.5 | without memory data | Trusted Advisor |")
    print("|---|---|---|---|---|---:|---|---|---|---|")
    exceeded = over_target = 0
    replayed = 0
    for vm, item in zip(vms, with_memory["instances"]):
        plain = by_id_plain[item["instance_id"]]
        option = item["options"][0]["type"] if item["options"] else "-"
        saves = item["options"][0]["monthly_savings"] if item["options"] else 0
        cpu_text = mem_text = "-"
        if item["options"] and option != "stop":
            replayed += 1
            r = replay(vm, option, catalog, end)
            exceeded += r["cpu_max"] > 100 or r["mem_max"] > 100
            over_target += r["cpu_p995"] > 80 or r["mem_p995"] > 80
            cpu_text = f"{r['cpu_max']:.0f}% / {r['cpu_p995']:.0f}%"
            mem_text = f"{r['mem_max']:.0f}% / {r['mem_p995']:.0f}%"
        plain_text = f"{plain['finding']}: {plain['options'][0]['type']}" if plain["options"] else plain["finding"]
        ta = "low utilization" if trusted_advisor(vm, end) else "-"
        print(f"| {vm['id']} | {vm['cores']}, {vm['memory']:.1f} | {vm['type']} | {item['finding']} | {option} | "
              f"{saves:.2f} | {cpu_text} | {mem_text} | {plain_text} | {ta} |")
    print()
    print(f"Replayed {replayed} top options: {exceeded} exceeded CPU or memory capacity at some "
          f"point, {over_target} went above 80% at p99.5.")
    print(f"Monthly savings: {with_memory['monthly_savings']:.2f} with memory data, "
          f"{without_memory['monthly_savings']:.2f} without (Compute Optimizer's view without the agent); "
          f"lookback {LOOKBACK_DAYS} days to {with_memory['lookback_end']}.")


if __name__ == "__main__":
    main()
