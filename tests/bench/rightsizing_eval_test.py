#!/usr/bin/python3
"""Tests of bench/rightsizing/vm_replay.py's reference rules, on hand-made cases: the Compute
Optimizer default reference (co_default), the Trusted Advisor rule, the replay's capacities and
the engine's quantile. No costwise binary and no shared data needed (the catalog test reads
data/ec2-catalog/ from the repository). Run from anywhere (standard library only):
    /usr/bin/python3 tests/bench/rightsizing_eval_test.py
"""
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "rightsizing"))
import vm_replay as rs  # noqa: E402

T0 = 1_400_000_000 // 3600 * 3600  # an hour boundary


def spec(vcpu, memory, price, maker="intel", generation=5, arch="amd64", family="m5", size="large",
         gpus=0, metal=False):
    return {"vcpu": vcpu, "memory": memory, "arch": arch, "gpus": gpus, "accelerators": 0,
            "maker": maker, "generation": generation, "family": family, "size": size,
            "burstable": family[0] == "t" and family[1].isdigit(), "metal": metal, "price": price}


# A small us-east-1-like catalog (prices as the snapshot's, rounded).
CATALOG = {
    "m5.xlarge": spec(4, 16, 0.192, size="xlarge"),
    "m5.large": spec(2, 8, 0.096),
    "m5.2xlarge": spec(8, 32, 0.384, size="2xlarge"),
    "r5.large": spec(2, 16, 0.126, family="r5"),
    "c5.xlarge": spec(4, 8, 0.170, family="c5", size="xlarge"),
    "r6g.large": spec(2, 16, 0.1008, maker="aws", generation=6, arch="arm64", family="r6g"),
    "r7g.large": spec(2, 16, 0.1071, maker="aws", generation=7, arch="arm64", family="r7g"),
    "t3.xlarge": spec(4, 16, 0.1664, generation=3, family="t3", size="xlarge"),
    "g4dn.xlarge": spec(4, 16, 0.0500, family="g4dn", size="xlarge", gpus=1),
    "m5.metal": spec(96, 384, 0.0100, size="metal", metal=True),
}


def flat(percent, hours=48, period=300):
    """A constant CPUUtilization series, one sample every `period` seconds."""
    return [(T0 + i * period, percent) for i in range(hours * 3600 // period)]


class QuantileTest(unittest.TestCase):
    def test_linear_between_order_statistics(self):
        self.assertEqual(rs.quantile([3, 1, 2], 0.5), 2)
        self.assertAlmostEqual(rs.quantile([0, 10], 0.995), 9.95)
        self.assertAlmostEqual(rs.quantile(list(range(201)), 0.995), 199.0)
        self.assertEqual(rs.quantile([], 0.995), 0.0)


class CoDefaultTest(unittest.TestCase):
    def test_over_provisioned_takes_the_cheapest_fit_with_current_memory(self):
        # m5.xlarge at 30%: 1.2 baseline vCPUs at p99.5. Fits in 2 vCPUs at 60% (<= 80%). Memory
        # must stay >= 16 GiB: m5.large and c5.xlarge are out; the burstable, GPU and metal types
        # are not candidates though cheaper; r6g.large (Graviton2, 1.0) is the cheapest fit.
        result = rs.co_default(flat(30), "m5.xlarge", CATALOG)
        self.assertEqual(result["finding"], "over-provisioned")
        self.assertEqual(result["type"], "r6g.large")
        self.assertAlmostEqual(result["projected_cpu_p99_5"], 60.0)
        self.assertAlmostEqual(result["monthly_savings"], (0.192 - 0.1008) * 730)
        self.assertEqual(result["hours"], 48)

    def test_without_graviton_stays_on_the_current_architecture(self):
        result = rs.co_default(flat(30), "m5.xlarge", CATALOG, allow_graviton=False)
        self.assertEqual(result["type"], "r5.large")

    def test_headroom_boundary_is_80_percent(self):
        # 40% of 4 vCPUs = 1.6 vCPUs = exactly 80% of a 2-vCPU type: fits. 40.5%: 81%, does not;
        # r7g.large (Graviton3, 1.25 per vCPU: 2.5) still fits at 64.8%.
        self.assertEqual(rs.co_default(flat(40), "m5.xlarge", CATALOG)["type"], "r6g.large")
        above = rs.co_default(flat(40.5), "m5.xlarge", CATALOG)
        self.assertEqual(above["type"], "r7g.large")
        self.assertAlmostEqual(above["projected_cpu_p99_5"], 64.8)
        # Past what any cheaper type with 16 GiB can hold at 80%: optimized, nothing proposed.
        optimized = rs.co_default(flat(55), "m5.xlarge", CATALOG)
        self.assertEqual((optimized["finding"], optimized["type"]), ("optimized", None))

    def test_sized_on_p99_5_not_the_peak(self):
        # A 48-hour series at 10% with 0.4% of its samples at 100% (below the 0.5% tail): p99.5
        # stays at 10%, so the peak (100% of 4 vCPUs) is not looked at.
        samples = flat(10)
        samples = [(t, 100.0 if i < 2 else v) for i, (t, v) in enumerate(samples)]
        result = rs.co_default(samples, "m5.xlarge", CATALOG)
        self.assertAlmostEqual(result["cpu_p99_5"], 10.0)
        self.assertEqual(result["type"], "r6g.large")
        # On it, the replayed peak is 4 vCPUs of demand on 2: 200%, which the replay must catch.
        inst = {"type": "m5.xlarge", "samples": [{"t": t, "cpu": v, "mem_gib": None} for t, v in samples]}
        replayed = rs.replay(inst, "r6g.large", CATALOG, T0, T0 + 48 * 3600)
        self.assertAlmostEqual(replayed["cpu_max"], 200.0)
        self.assertEqual(replayed["cpu_over"], 2)
        self.assertTrue(replayed["exceeded"])
        self.assertFalse(replayed["over_target"])

    def test_under_provisioned_takes_the_cheapest_type_that_fits(self):
        # m5.large at 90%: 1.8 vCPUs; fits at <= 80% in 2.25+ baseline vCPUs with >= 8 GiB:
        # r7g.large (2.5, 72%) is cheaper than m5.xlarge (4, 45%) and r5.large (2, 90%) fails.
        result = rs.co_default(flat(90), "m5.large", CATALOG)
        self.assertEqual(result["finding"], "under-provisioned")
        self.assertEqual(result["type"], "r7g.large")
        self.assertAlmostEqual(result["monthly_savings"], (0.096 - 0.1071) * 730)

    def test_needs_30_hours(self):
        result = rs.co_default(flat(5, hours=29), "m5.xlarge", CATALOG)
        self.assertEqual((result["finding"], result["type"], result["hours"]), ("insufficient-data", None, 29))


class TrustedAdvisorTest(unittest.TestCase):
    @staticmethod
    def days(cpu_by_day, net_by_day):
        samples = []
        for day, (cpu, net) in enumerate(zip(cpu_by_day, net_by_day)):
            for i in range(288):
                samples.append({"t": T0 + day * 86400 + i * 300, "cpu": cpu,
                                "net": None if net is None else net / 288})
        return samples

    def test_four_low_days_flag(self):
        cpu = [5, 5, 5, 5] + [50] * 10
        samples = self.days(cpu, [1e6] * 14)
        self.assertEqual(rs.trusted_advisor(samples, T0), {"cpu_days": 4, "low_days": 4, "flagged": True})
        samples = self.days(cpu, [1e6, 1e6, 1e6, 6e6] + [1e6] * 10)  # one day's network above 5 MB
        self.assertEqual(rs.trusted_advisor(samples, T0)["flagged"], False)

    def test_no_network_cannot_decide(self):
        samples = self.days([1] * 14, [None] * 14)
        self.assertEqual(rs.trusted_advisor(samples, T0), {"cpu_days": 14, "low_days": None, "flagged": None})


class EvaluateTest(unittest.TestCase):
    def test_reads_costwise_json_with_extra_fields_and_a_burstable_option(self):
        catalog = rs.load_catalog()
        samples = [{"t": t, "cpu": v, "mem_gib": 2.0, "net": 1e8} for t, v in flat(20, hours=14 * 24)]
        samples[0]["cpu"] = 90.0
        inst = {"id": "i-1", "type": "m5.xlarge", "samples": samples}
        item = {"instance_id": "i-1", "finding": "over-provisioned", "something_new": [1, 2],
                "workload": {"name": "bursty", "cpu_target": 70.0, "extra": True},
                "options": [{"type": "t3.large", "monthly_savings": 79.57, "projected_cpu_p99_5": 40.0,
                             "credits": {"baseline": 0.3, "average_use": 0.4, "monthly_surplus_cost": 0.0,
                                         "new": 1}, "unknown": "x"}]}
        end = T0 + 14 * 86400
        row = rs.evaluate(inst, item, {"finding": "optimized"}, catalog, end)
        c = row["costwise"]
        self.assertEqual((c["type"], c["savings"]), ("t3.large", 79.57))
        # 90% of 4 baseline vCPUs = 3.6 on a t3.large bursting to 2 vCPUs: 180%.
        self.assertAlmostEqual(c["replay"]["cpu_max"], 180.0)
        self.assertEqual(c["replay"]["cpu_over"], 1)
        self.assertAlmostEqual(c["replay"]["mem_max"], 25.0)  # 2 GiB of 8
        self.assertIn("baseline 30%", rs.credits_text(c))
        self.assertEqual(row["costwise_plain"]["type"], None)
        self.assertEqual(row["ta"]["flagged"], False)  # 100 MB a sample
        stats = rs.summarize([row], "costwise")
        self.assertEqual((stats["replayed"], stats["exceeded"], stats["promise"]), (1, 1, 0))


class CatalogTest(unittest.TestCase):
    def test_relative_performance_as_the_engine(self):
        catalog = rs.load_catalog()
        expected = {"m5.large": 1.0, "m4.large": 0.85, "m7g.large": 1.25, "m7a.large": 1.55,
                    "t3.large": 1.0, "t3a.large": 0.9, "t4g.large": 1.0, "t2.large": 0.85, "a1.large": 0.6}
        for name, factor in expected.items():
            self.assertAlmostEqual(rs.relative(catalog[name]), factor, msg=name)
        self.assertTrue(catalog["t4g.nano"]["burstable"])
        self.assertFalse(catalog["m5.large"]["burstable"])
        # A burstable option bursts to all its vCPUs: t3.large holds 2 baseline vCPUs.
        self.assertAlmostEqual(rs.capacity(catalog["t3.large"]), 2.0)


if __name__ == "__main__":
    unittest.main()
