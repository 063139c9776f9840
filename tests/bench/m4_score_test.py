#!/usr/bin/python3
"""Tests of bench/m4/m4_eval.py, the M4 Hourly scorer, against the official M4 results.

The scorer proves itself on the benchmarks it computes from their definitions: Naive, sNaive and
Naive2 must reproduce the published Hourly sMAPE and MASE to their 3 decimals and OWA to its 6
significant digits (M4_results_point_forecasts_by_frequency.csv), and Naive's 95% interval the
published MSIS and ACD (M4_results_prediction_intervals_by_frequency.csv). The measures are also
checked by hand on small series, and the bridge to R (bench/m4/r_benchmarks.R) with a stand-in
for Rscript: these tests do not need R. Data in $COSTWISE_SHARED_DATA_DIR/m4-hourly (default
../shared/data beside the repository). Run from the repository root (standard library and
numpy; about 10 s):
    /usr/bin/python3 tests/bench/m4_score_test.py
"""
import csv
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "m4"))
import m4_eval as m4  # noqa: E402

SHARED = Path(os.environ.get("COSTWISE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
DATA_DIR = SHARED / "m4-hourly"
STANDIN = ROOT / "bench" / "forecast" / "standin_forecast.py"

# The published Hourly figures (Makridakis et al. 2020, and the results tables in shared/data):
# sMAPE, MASE, OWA; and Naive's 95% interval MSIS, ACD.
PUBLISHED = {
    "Naive": (43.003, 11.608, 3.59302),
    "sNaive": (13.912, 1.193, 0.627454),
    "Naive2": (18.383, 2.395, 1.0),
}
PUBLISHED_NAIVE_INTERVAL = (71.245, 0.011)


def official(method_id):
    return next(r for r in m4.official_points(DATA_DIR) if r["method_id"] == method_id)


class OfficialHourlyTest(unittest.TestCase):
    """The scorer reproduces the published Hourly numbers of the benchmarks defined without a fit:
    Naive, sNaive, Naive2 and Naive's 95% interval."""

    @classmethod
    def setUpClass(cls):
        cls.data = m4.load_m4(DATA_DIR)
        cls.fcs = m4.point_benchmarks(cls.data)
        cls.naive2 = m4.score(cls.data, cls.fcs["Naive2"])
        cls.scores = {name: m4.score(cls.data, fc, cls.naive2) for name, fc in cls.fcs.items()}

    def test_data_shape(self):
        self.assertEqual(len(self.data.ids), 414)
        self.assertEqual(self.data.ids[:2], ["H1", "H2"])
        self.assertEqual(min(len(x) for x in self.data.train), 700)
        self.assertEqual(max(len(x) for x in self.data.train), 960)
        self.assertTrue(all(len(y) == 48 for y in self.data.test))

    def test_official_file_holds_the_published_figures(self):
        for name, (smape, mase, owa) in PUBLISHED.items():
            o = official(name)
            self.assertEqual((o["smape"], o["mase"], o["owa"]), (smape, mase, owa), name)
        o = m4.official_intervals(DATA_DIR)["Naive"]
        self.assertEqual((o["msis"], o["acd"]), PUBLISHED_NAIVE_INTERVAL)

    def test_smape_and_mase_to_the_published_decimals(self):
        for name, (smape, mase, _) in PUBLISHED.items():
            s = self.scores[name]
            # Rounded to 3 decimals they are the published values, i.e. within half a unit of
            # the last published digit.
            self.assertEqual(round(s.smape, 3), smape, name)
            self.assertEqual(round(s.mase, 3), mase, name)
            self.assertLessEqual(abs(s.smape - smape), 0.0005, name)
            self.assertLessEqual(abs(s.mase - mase), 0.0005, name)

    def test_owa_to_the_published_digits(self):
        # The official OWA comes from the means rounded to 3 decimals; 6 significant digits.
        self.assertAlmostEqual(self.scores["Naive"].owa_m4, 3.59302, places=5)
        self.assertAlmostEqual(self.scores["sNaive"].owa_m4, 0.627454, places=6)
        self.assertAlmostEqual(self.scores["sNaive"].owa, 0.627503, places=6)  # unrounded
        naive2 = self.scores["Naive2"]
        self.assertEqual((naive2.owa, naive2.owa_m4), (1.0, 1.0))  # Naive2 is OWA's reference
        self.assertEqual((m4.naive2_score(self.data).smape, m4.naive2_score(self.data).mase),
                         (naive2.smape, naive2.mase))

    def test_naive_interval_msis_and_acd(self):
        s = self.scores["Naive"]
        msis, acd = PUBLISHED_NAIVE_INTERVAL
        self.assertEqual(round(s.msis, 3), msis)
        self.assertEqual(round(s.acd, 3), acd)
        self.assertAlmostEqual(s.acd, abs(s.coverage95 - 0.95), places=15)
        self.assertLess(s.coverage95, 0.95)  # 0.9385: Naive's interval is a little too narrow
        self.assertLess(s.coverage80, s.coverage95)
        for name in ("sNaive", "Naive2"):
            self.assertIsNone(self.scores[name].msis)

    def test_seasonality_test(self):
        flags = [m4.seasonality_test(x) for x in self.data.train]
        self.assertEqual(sum(flags), 413)
        self.assertEqual(self.fcs["Naive2"].extra["seasonal_series"], 413)

    def test_benchmark_report_without_r(self):
        # No Rscript: the definition rows only, and a note that the R rows were skipped.
        with mock.patch.dict(os.environ, {"M4_RSCRIPT": "/nonexistent/Rscript"}):
            self.assertIsNone(m4.r_forecast_version())
            scores = m4.benchmark_scores(self.data)
        self.assertEqual(list(scores), ["Naive", "sNaive", "Naive2"])
        table, rows = m4.benchmark_report(DATA_DIR, scores)
        self.assertIn("| Naive2 | definition | 18.3829 | 18.383 | = | 2.3950 | 2.395 | = |", table)
        self.assertIn("| sNaive | definition | 13.9123 | 13.912 | = | 1.1932 | 1.193 | = | "
                      "0.627454 | 0.627454 | = |", table)
        self.assertIn("| 71.2450 | 71.245 | = | 0.0115 | 0.011 | = |", table)
        self.assertIn("SES, Holt, Damped, Theta, Comb: skipped", table)
        self.assertEqual([r["name"] for r in rows], ["Naive", "sNaive", "Naive2",
                                                     "Naive 95% interval"])


FAKE_RSCRIPT = textwrap.dedent("""\
    import csv, sys
    # Stands in for `Rscript r_benchmarks.R ...`: argv[1] is the R script.
    if sys.argv[2:] == ["--version"]:
        print("0.0-fake")
        sys.exit(0)
    source, h, target = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    last = {}
    with open(source, newline="") as handle:
        for row in csv.DictReader(handle):
            last[row["series_id"]] = float(row["y"])
    steps = {"SES": 0.0, "Holt": 1.0, "Damped": 2.0, "Theta": -1.0}  # yhat = last + step * k
    with open(target, "w") as out:
        out.write("series_id,method,h,yhat\\n")
        for sid, y in reversed(list(last.items())):  # any order: m4_eval.py sorts them out
            for method, step in steps.items():
                for k in range(1, h + 1):
                    out.write(f"{sid},{method},{k},{y + step * k!r}\\n")
""")


class RBridgeTest(unittest.TestCase):
    """The way to and from r_benchmarks.R, with a Python stand-in for Rscript (no R needed): the
    adjusted series go out at full precision, forecasts come back per series and step, and are
    re-seasonalised with the same indices as Naive2."""

    def test_round_trip_and_reseasonalisation(self):
        data = m4.load_m4(DATA_DIR)
        data = m4.M4Data(data.ids[:6], data.train[:6], data.test[:6])
        with tempfile.TemporaryDirectory() as tmp:
            fake = Path(tmp) / "fake_rscript.py"
            fake.write_text(FAKE_RSCRIPT)
            with mock.patch.dict(os.environ, {"M4_RSCRIPT": f"{sys.executable} {fake}"}):
                version = m4.r_forecast_version()
                self.assertEqual(version, "0.0-fake")
                fcs = m4.all_benchmarks(data, r_version=version)
        self.assertEqual(list(fcs), list(m4.BENCHMARK_NAMES))
        naive2 = fcs["Naive2"].mean  # the last adjusted value times the indices
        index_out = np.array([m4.seasonally_adjust(x).index_out for x in data.train])
        k = np.arange(1.0, 49.0)
        np.testing.assert_array_equal(fcs["SES"].mean, naive2)
        np.testing.assert_allclose(fcs["Holt"].mean, naive2 + k * index_out, rtol=1e-14)
        np.testing.assert_allclose(fcs["Damped"].mean, naive2 + 2 * k * index_out, rtol=1e-14)
        np.testing.assert_allclose(fcs["Theta"].mean, naive2 - k * index_out, rtol=1e-14)
        np.testing.assert_allclose(fcs["Comb"].mean, naive2 + k * index_out, rtol=1e-14)
        self.assertEqual(fcs["SES"].extra["source"], "R forecast 0.0-fake")
        self.assertEqual(fcs["Naive"].extra["source"], "definition")

    def test_incomplete_r_output_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out.csv"
            path.write_text("series_id,method,h,yhat\nA,SES,1,1.0\n")
            with self.assertRaisesRegex(ValueError, "SES lacks forecasts for 1 series"):
                m4.read_r_forecasts(path, ["A"], 2)


class RulesTest(unittest.TestCase):
    """The measures and the seasonal adjustment, by hand on small series, and the adjustment
    against values R prints for H1."""

    def test_measures_by_hand(self):
        insample = np.array([1.0, 2.0, 3.0, 5.0, 4.0, 6.0])  # seasonal scale, m = 2: (2+3+1+1)/4
        self.assertEqual(m4.seasonal_scale(insample, 2), 1.75)
        actual = np.array([10.0, 10.0])
        forecast = np.array([10.0, 5.0])
        np.testing.assert_allclose(m4.smape(actual, forecast), [0.0, 200 * 5 / 15])
        np.testing.assert_allclose(m4.mase(insample, actual, forecast, 2), [0.0, 5 / 1.75])
        lower, upper = np.array([9.0, 11.0]), np.array([12.0, 13.0])
        # width 3; width 2 + 2/0.05 (11 - 10) = 42
        np.testing.assert_allclose(m4.msis(insample, actual, lower, upper, 0.05, 2),
                                   [3 / 1.75, 42 / 1.75])
        # above the interval: width 1 + 40 (10 - 8) = 81
        np.testing.assert_allclose(m4.msis(insample, actual[:1], np.array([7.0]),
                                           np.array([8.0]), 0.05, 2), [81 / 1.75])
        # sMAPE is symmetric and 200 at worst
        np.testing.assert_allclose(m4.smape(np.array([5.0, 1.0]), np.array([10.0, 0.0])),
                                   [200 * 5 / 15, 200.0])

    def test_owa_by_hand(self):
        self.assertAlmostEqual(m4.owa(13.912, 1.193, 18.383, 2.395), 0.627454, places=6)
        self.assertEqual(m4.owa(18.383, 2.395, 18.383, 2.395), 1.0)
        # digits=3 rounds the four means first, as the official table does
        self.assertEqual(m4.owa(13.91234, 1.19321, 18.38291, 2.39499, digits=3),
                         0.5 * (13.912 / 18.383 + 1.193 / 2.395))

    def test_score_by_hand(self):
        # Two series of 26 values 0..25: the seasonal scale (m = 24) is |24 - 0| = |25 - 1| = 24.
        # All 48 actual values are 10 and so is the forecast; the 95% interval holds the actual
        # value at even steps ([9, 11], width 2) and is above it at odd steps ([11, 12]: width 1
        # plus 2/0.05 x 1 = 41). Coverage 1/2, ACD 0.45, MSIS (2 + 41) / 2 / 24.
        train = [np.arange(26.0), np.arange(26.0)]
        test = [np.full(48, 10.0), np.full(48, 10.0)]
        data = m4.M4Data(["A", "B"], train, test)
        inside = np.arange(48) % 2 == 0
        lo = np.tile(np.where(inside, 9.0, 11.0), (2, 1))
        hi = np.tile(np.where(inside, 11.0, 12.0), (2, 1))
        fc = m4.Forecasts("f", np.full((2, 48), 10.0), lo95=lo, hi95=hi)
        s = m4.score(data, fc)
        self.assertEqual((s.smape, s.mase), (0.0, 0.0))
        self.assertEqual(s.coverage95, 0.5)
        self.assertAlmostEqual(s.acd, 0.45, places=15)
        self.assertAlmostEqual(s.msis, 43 / 2 / 24, places=14)
        # a forecast 2 off everywhere: MASE 2/24, sMAPE 200 * 2 / 22
        s = m4.score(data, m4.Forecasts("g", np.full((2, 48), 12.0)))
        self.assertAlmostEqual(s.mase, 2 / 24, places=15)
        self.assertAlmostEqual(s.smape, 400 / 22, places=12)
        self.assertIsNone(s.msis)

    def test_naive_benchmarks_by_hand(self):
        x = np.arange(1.0, 31.0)  # 1..30
        np.testing.assert_array_equal(m4.naive(x, 3), [30.0, 30.0, 30.0])
        np.testing.assert_array_equal(m4.seasonal_naive(x, 26, 24),
                                      np.r_[np.arange(7.0, 31.0), 7.0, 8.0])
        # every step is 1: sigma 1, interval 30 +- 1.959964 sqrt(h)
        lo, hi = m4.naive_interval(x, 95, 4)
        np.testing.assert_allclose(hi - 30.0, 1.959963984540054 * np.sqrt([1, 2, 3, 4]),
                                   rtol=1e-14)
        np.testing.assert_allclose(30.0 - lo, hi - 30.0, rtol=1e-14)

    def test_decomposition_by_hand(self):
        # A constant level times an exact season: the indices are the season itself.
        season = np.array([0.5, 1.5, 1.25, 0.75])  # mean 1
        x = 8.0 * np.tile(season, 10)
        np.testing.assert_allclose(m4.decompose_multiplicative(x, 4), np.tile(season, 10),
                                   rtol=1e-14)
        # The season is counted from the first observation, whatever the length.
        np.testing.assert_allclose(m4.decompose_multiplicative(x[:-1], 4),
                                   np.tile(season, 10)[:-1], rtol=1e-14)
        adj = m4.seasonally_adjust(np.tile(x, 3), h=6, m=4)  # 120 values, strongly seasonal
        self.assertTrue(adj.seasonal)
        np.testing.assert_allclose(adj.values, 8.0, rtol=1e-14)
        np.testing.assert_allclose(adj.index_out, [0.5, 1.5, 1.25, 0.75, 0.5, 1.5], rtol=1e-14)
        # Too short (n < 3m) or without season: no adjustment.
        self.assertFalse(m4.seasonally_adjust(x[:11], h=2, m=4).seasonal)
        noise = np.random.default_rng(1).normal(100.0, 1.0, 240)
        self.assertFalse(m4.seasonality_test(noise, 24))
        self.assertTrue(m4.seasonality_test(100 + 10 * np.sin(np.arange(240) * 2 * np.pi / 24)))

    def test_acf_by_hand(self):
        x = np.array([1.0, 2.0, 3.0, 4.0])  # deviations -1.5 -0.5 0.5 1.5, sum of squares 5
        np.testing.assert_allclose(m4.acf(x, 3), [1.25 / 5, -1.5 / 5, -2.25 / 5])

    def test_decompose_and_acf_match_r(self):
        x = m4.load_m4(DATA_DIR).train[0]  # H1; R: decompose(ts(H1, frequency = 24), "mult")
        np.testing.assert_allclose(m4.decompose_multiplicative(x)[:3],
                                   [1.23004570569529, 1.16858923068245, 1.14205246421210],
                                   rtol=1e-13)
        self.assertAlmostEqual(m4.acf(x, 24)[23], 0.894463653216536, places=14)


class ForecastFileTest(unittest.TestCase):
    """The contract's files: the stand-in's seasonal naive scores exactly as sNaive."""

    @classmethod
    def setUpClass(cls):
        cls.data = m4.load_m4(DATA_DIR)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.input = Path(cls.tmp.name) / "input.csv"
        m4.write_input(cls.data, cls.input)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return Path(self.tmp.name) / name

    def test_input_file(self):
        with open(self.input, newline="") as handle:
            rows = list(csv.reader(handle))
        self.assertEqual(rows[0], ["series_id", "ds", "y"])
        self.assertEqual(len(rows) - 1, sum(len(x) for x in self.data.train))
        self.assertEqual(rows[1], ["H1", "2000-01-03 00:00:00", "605"])
        self.assertEqual(rows[700], ["H1", "2000-02-01 03:00:00", "684"])  # H1 has 700 values
        self.assertEqual(rows[701][:2], ["H2", "2000-01-03 00:00:00"])

    def test_standin_scores_as_snaive(self):
        out = self.path("standin.csv")
        subprocess.run([sys.executable, str(STANDIN), "forecast", "series", "--input",
                        str(self.input), "--horizon", "48", "--levels", "80,95", "--output",
                        str(out)], check=True)
        fc = m4.read_forecast(out, self.data, "stand-in")
        snaive = m4.point_benchmarks(self.data)["sNaive"]
        np.testing.assert_array_equal(fc.mean, snaive.mean)
        self.assertTrue(np.all((fc.lo95 <= fc.lo80) & (fc.lo80 <= fc.mean)
                               & (fc.mean <= fc.hi80) & (fc.hi80 <= fc.hi95)))
        naive2 = m4.naive2_score(self.data)
        mine = m4.score(self.data, fc, naive2)
        theirs = m4.score(self.data, snaive, naive2)
        self.assertEqual((mine.smape, mine.mase, mine.owa), (theirs.smape, theirs.mase, theirs.owa))
        self.assertGreater(mine.coverage95, mine.coverage80)

    def test_read_forecast_checks_the_contract(self):
        good = self.path("naive.csv")
        m4.write_forecast(good, self.data, m4.point_benchmarks(self.data)["Naive"])
        fc = m4.read_forecast(good, self.data)
        self.assertEqual(fc.mean.shape, (414, 48))
        lines = good.read_text().splitlines()
        bad = self.path("bad_ds.csv")
        bad.write_text("\n".join([lines[0], lines[1].replace("04:00:00", "05:00:00")]
                                 + lines[2:]) + "\n")
        with self.assertRaisesRegex(ValueError, "expected 2000-02-01 04:00:00"):
            m4.read_forecast(bad, self.data)
        short = self.path("short.csv")
        short.write_text("\n".join(lines[:-48]) + "\n")
        with self.assertRaisesRegex(ValueError, "1 series missing"):
            m4.read_forecast(short, self.data)

    def test_run_m4_end_to_end_with_the_standin(self):
        env = dict(os.environ, COSTWISE_BIN=f"{sys.executable} {STANDIN}", M4_BENCHMARKS="0",
                   COSTWISE_NAME="stand-in", COSTWISE_SHARED_DATA_DIR=str(SHARED))
        result = subprocess.run([str(ROOT / "bench" / "m4" / "run_m4.sh"),
                                 str(self.path("run"))], env=env, check=True,
                                capture_output=True, text=True)
        row = next(line for line in result.stdout.splitlines() if "stand-in" in line)
        self.assertIn("| 13.912 | 1.193 | 0.62745 |", row)
        self.assertIn("| Naive2 | M4 official, benchmark | 18.383 | 2.395 | 1.00000 |",
                      result.stdout)
        self.assertTrue((self.path("run") / "m4_scores.json").exists())


if __name__ == "__main__":
    unittest.main()
