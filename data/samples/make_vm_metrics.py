#!/usr/bin/python3
"""Converts six of the Bitbrains VM traces (../shared/data/vm-traces, GWA-T-12 Rnd, July 2013;
see SOURCE.md) into the metrics-import format of `costwise metrics import` (instance_id,
timestamp, metric, value) for the sample workspace: CPUUtilization (CPU usage %, capped at 100),
mem_used_percent (memory usage over memory provisioned, the CloudWatch agent's metric), and
NetworkIn and NetworkOut (bytes in each 5-minute interval). Rows before a VM is provisioned
(zero cores or memory) are left out. The output, vm-metrics.csv.gz, is committed beside this
script; rerun it to check or rebuild it:

    /usr/bin/python3 data/samples/make_vm_metrics.py ../shared/data/vm-traces/bitbrains-rnd-2013-7
"""
import csv
import gzip
import os
import sys
from datetime import datetime, timezone

# VM -> the instance id the sample gives it (the inventory, vm-inventory.csv, has its type).
VMS = {"17": "i-bitbrains-17", "42": "i-bitbrains-42", "116": "i-bitbrains-116",
       "167": "i-bitbrains-167", "228": "i-bitbrains-228", "244": "i-bitbrains-244"}
INTERVAL_SECONDS = 300


def rows(path):
    with open(path, encoding="utf-8") as trace:
        lines = iter(trace)
        next(lines)  # header
        for line in lines:
            fields = [field.strip() for field in line.split(";")]
            if len(fields) < 11:
                continue
            yield fields


def main():
    traces = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/vm-traces/bitbrains-rnd-2013-7"
    out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vm-metrics.csv.gz")
    with gzip.open(out_path, "wt", encoding="utf-8", newline="", compresslevel=9) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["instance_id", "timestamp", "metric", "value"])
        for vm, instance in VMS.items():
            for fields in rows(os.path.join(traces, f"{vm}.csv")):
                seconds, cores = int(fields[0]), float(fields[1])
                memory_kb, used_kb = float(fields[5]), float(fields[6])
                if cores <= 0 or memory_kb <= 0:
                    continue
                time = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                values = {
                    "CPUUtilization": min(100.0, float(fields[4])),
                    "mem_used_percent": min(100.0, 100.0 * used_kb / memory_kb),
                    "NetworkIn": float(fields[9]) * 1024 * INTERVAL_SECONDS,
                    "NetworkOut": float(fields[10]) * 1024 * INTERVAL_SECONDS,
                }
                for metric, value in values.items():
                    writer.writerow([instance, time, metric, f"{value:.3f}"])
    print(out_path)


if __name__ == "__main__":
    main()
