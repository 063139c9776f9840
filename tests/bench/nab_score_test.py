#!/usr/bin/python3
"""Tests of bench/nab/nab_score.py, the NAB scorer, against NAB's published results.

NAB's per-row results for windowedGaussian on the 17 realAWSCloudwatch files, and the per-file
scores of the 16 published detectors, are in $COSTWISE_SHARED_DATA_DIR/nab-aws/reference-results
(default ../shared/data beside the repository). Run from the repository root:
    /usr/bin/python3 tests/bench/nab_score_test.py
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "nab"))
import nab_score as nab  # noqa: E402

SHARED = Path(os.environ.get("COSTWISE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
DATA = SHARED / "nab-aws"
REFERENCE = DATA / "reference-results"
GAUSSIAN_DIR = REFERENCE / "windowedGaussian_realAWSCloudwatch"
GAUSSIAN_PREFIX = "windowedGaussian_"
PROFILE_NAMES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


def read_reference_rows(name):
    """NAB's per-row results of windowedGaussian for one data file, as dicts."""
    with open(GAUSSIAN_DIR / (GAUSSIAN_PREFIX + name), newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def synthetic_file(scores, windows, name="synthetic.csv"):
    """A DetectorFile with the given scores and (start, end) windows."""
    return nab.DetectorFile(name, list(scores), [nab.Window(start, end) for start, end in windows])


class RulesTest(unittest.TestCase):
    """The building blocks, against the numbers the rules give."""

    def test_scaled_sigmoid_reference_values(self):
        self.assertAlmostEqual(nab.scaled_sigmoid(-1.0), 0.986614, places=6)
        self.assertAlmostEqual(nab.scaled_sigmoid(-0.5), 0.848284, places=6)
        self.assertEqual(nab.scaled_sigmoid(0.0), 0.0)
        self.assertAlmostEqual(nab.scaled_sigmoid(1.0), -0.986614, places=6)
        self.assertGreater(nab.scaled_sigmoid(3.0), -1.0)  # only y > 3 is clamped
        self.assertEqual(nab.scaled_sigmoid(3.0000001), -1.0)

    def test_probationary_length(self):
        self.assertEqual(nab.probationary_length(4032), 604)
        self.assertEqual(nab.probationary_length(4730), 709)
        self.assertEqual(nab.probationary_length(1243), 186)
        self.assertEqual(nab.probationary_length(22695), 750)

    def test_row_weights_inside_and_after_a_window(self):
        standard = nab.PROFILES["standard"]
        weights = nab.row_weights(30, [nab.Window(10, 13)], standard)
        self.assertEqual(weights[:10], [-0.11] * 10)  # no window has ended yet
        self.assertEqual(weights[10], 1.0)  # the earliest detection is worth exactly A_TP
        self.assertAlmostEqual(weights[11], nab.scaled_sigmoid(-0.75) / nab.MAX_TP, places=12)
        self.assertAlmostEqual(weights[12], 0.848284 / 0.986614, places=5)  # y = -2/4
        self.assertAlmostEqual(weights[13], nab.scaled_sigmoid(-0.25) / nab.MAX_TP, places=12)
        self.assertAlmostEqual(weights[16], 0.11 * nab.scaled_sigmoid(1.0), places=12)  # 3/(4-1)
        self.assertEqual(weights[22], 0.11 * nab.scaled_sigmoid(3.0))  # y = 9/3, not clamped
        self.assertEqual(weights[23], -0.11)  # y > 3

    def test_profiles_match_nab_config(self):
        self.assertEqual(nab.load_profiles(REFERENCE / "profiles.json"), nab.PROFILES)

    def test_windows_of_the_subset(self):
        limits = nab.load_window_limits(DATA / nab.WINDOWS_FILE)
        self.assertEqual(len(limits), 17)
        self.assertEqual(nab.count_windows(DATA), 30)
        self.assertEqual(limits["ec2_cpu_utilization_c6585a.csv"], [])
        self.assertEqual(len(limits["ec2_cpu_utilization_825cc2.csv"]), 1)

    def test_normalization_bounds(self):
        for profile in nab.PROFILES.values():
            self.assertEqual(nab.normalized_score(30 * profile.a_tp, 30, profile), 100.0)
            self.assertEqual(nab.normalized_score(-30 * profile.a_fn, 30, profile), 0.0)


class WindowedGaussianReferenceTest(unittest.TestCase):
    """Reproduce NAB's published scores of windowedGaussian file by file."""

    @classmethod
    def setUpClass(cls):
        cls.files = nab.load_detector_files(GAUSSIAN_DIR, DATA, prefix=GAUSSIAN_PREFIX)
        cls.published = {name: nab.read_published_file_scores(REFERENCE, "windowedGaussian", name)
                         for name in PROFILE_NAMES}

    def reference(self, profile, file):
        return self.published[profile][f"{nab.CORPUS_DIR}/{file.name}"]

    def test_seventeen_files(self):
        self.assertEqual(len(self.files), 17)
        self.assertEqual(sum(file.n_rows for file in self.files), 67740)

    def s_of_t(self):
        """(file, profile name, threshold, NAB's S(t) column) for every file and profile."""
        for file in self.files:
            rows = read_reference_rows(file.name)
            for name in PROFILE_NAMES:
                threshold = float(self.reference(name, file)["Threshold"])
                yield file, name, threshold, [float(row[f"S(t)_{name}"]) for row in rows]

    def test_row_contributions_match_published_s_of_t_columns(self):
        # NAB's S(t)_<profile> column holds each row's share of the file score at the threshold:
        # a window's value (its best detection's weight, or -A_FN) on its first row, each
        # detected false positive's weight on its row, 0 elsewhere.
        mismatches = []
        for file, name, threshold, column in self.s_of_t():
            ours = nab.row_contributions(file, nab.PROFILES[name], threshold)
            mismatches += [(file.name, name, row, value, expected)
                           for row, (value, expected) in enumerate(zip(ours, column))
                           if abs(value - expected) > 1e-9]
        self.assertEqual(mismatches, [])

    def test_row_weights_match_published_s_of_t_where_it_shows_them(self):
        # S(t) shows the weight S(i) of every detected false positive, and of the earliest
        # detection of each window (on the window's first row).
        checked = 0
        for file, name, threshold, column in self.s_of_t():
            weights = nab.row_weights(file.n_rows, file.windows, nab.PROFILES[name])
            probation = nab.probationary_length(file.n_rows)
            detected = [row for row, score in enumerate(file.scores)
                        if score >= threshold and row >= probation]
            owners = nab.window_of_rows(file.n_rows, file.windows)
            for row in detected:
                if owners[row] is None:
                    self.assertAlmostEqual(weights[row], column[row], delta=1e-9)
                    checked += 1
            for index, window in enumerate(file.windows):
                inside = [row for row in detected if owners[row] == index]
                if inside:
                    self.assertAlmostEqual(weights[inside[0]], column[window.start], delta=1e-9)
                    checked += 1
        self.assertGreater(checked, 400)

    def test_file_scores_and_counts_match_published(self):
        worst = 0.0
        for file in self.files:
            for name in PROFILE_NAMES:
                reference = self.reference(name, file)
                ours = nab.score_file(file, nab.PROFILES[name], float(reference["Threshold"]))
                worst = max(worst, abs(ours.score - float(reference["Score"])))
                with self.subTest(file=file.name, profile=name):
                    self.assertAlmostEqual(ours.score, float(reference["Score"]), delta=1e-6)
                    self.assertEqual([ours.tp, ours.tn, ours.fp, ours.fn, ours.total],
                                     [int(reference[key]) for key in
                                      ("TP", "TN", "FP", "FN", "Total_Count")])
        self.assertLess(worst, 5e-12)  # NAB prints 12 significant digits

    def test_labels_column_matches_windows(self):
        for file in self.files:
            rows = read_reference_rows(file.name)
            inside = set(row for window in file.windows
                         for row in range(window.start, window.end + 1))
            self.assertEqual([int(row["label"]) for row in rows],
                             [int(index in inside) for index in range(file.n_rows)], file.name)

    def test_optimizing_on_the_subset_is_at_least_the_corpus_threshold(self):
        for name in PROFILE_NAMES:
            profile = nab.PROFILES[name]
            corpus_threshold = float(self.reference(name, self.files[0])["Threshold"])
            at_corpus = sum(score.score for score in
                            nab.score_files(self.files, profile, corpus_threshold))
            best = nab.optimize_threshold(self.files, profile)
            self.assertGreaterEqual(best.score, at_corpus - 1e-9, name)
            rescored = sum(score.score for score in
                           nab.score_files(self.files, profile, best.threshold))
            self.assertAlmostEqual(rescored, best.score, delta=1e-9)

    def test_sweep_score_at_each_threshold_equals_scoring_the_files(self):
        profile = nab.PROFILES["standard"]
        sweep = nab.sweep_thresholds(self.files, profile)
        thresholds = [entry.threshold for entry in sweep]
        self.assertEqual(thresholds[0], 1.1)
        self.assertEqual(thresholds, sorted(set(thresholds), reverse=True))
        for entry in sweep[:5] + sweep[len(sweep) // 2:len(sweep) // 2 + 3] + sweep[-2:]:
            scores = nab.score_files(self.files, profile, entry.threshold)
            total = sum(s.score for s in scores)  # summed in another order: allow rounding
            self.assertAlmostEqual(total, entry.score, delta=1e-12 * max(1.0, abs(total)))
            self.assertEqual(sum(s.fp for s in scores), entry.fp)
            self.assertEqual(sum(s.tp for s in scores), entry.tp)


class PublishedSubsetTest(unittest.TestCase):
    """Published detectors scored on the 17 files from their per-file results."""

    @classmethod
    def setUpClass(cls):
        cls.names = nab.corpus_file_names(DATA)
        cls.table = nab.published_table(REFERENCE, list(nab.PROFILES.values()), cls.names, 30)

    def test_sixteen_detectors(self):
        self.assertEqual(len(self.table), 16)
        self.assertIn("numenta", self.table)

    def test_null_detector_scores_zero(self):
        for name in PROFILE_NAMES:
            self.assertEqual(self.table["null"][name].raw, -30 * nab.PROFILES[name].a_fn)
            self.assertEqual(self.table["null"][name].normalized, 0.0)

    def test_windowed_gaussian_by_hand(self):
        # Sum of the 17 realAWSCloudwatch Score values of windowedGaussian_standard_scores.csv:
        raw = (-1.09599853032 + 2.37942230674 - 2.0 - 4.19089678552 - 1.26667875935
               + 0.86067182427 - 0.141423196117 + 0.956537840284 - 3.52193223519
               - 0.138449197924 - 0.138449197924 - 1.32 - 0.138449197924 - 1.0
               + 0.86067182427 + 0.638757791772 - 2.0)
        standard = self.table["windowedGaussian"]["standard"]
        self.assertAlmostEqual(standard.raw, raw, places=9)
        self.assertAlmostEqual(standard.normalized, 100 * (raw + 30) / 60, places=9)
        self.assertAlmostEqual(standard.normalized, 31.239640811778, places=9)
        low_fn = self.table["windowedGaussian"]["reward_low_FN_rate"]
        self.assertAlmostEqual(low_fn.normalized, 100 * (low_fn.raw + 60) / 90, places=9)
        self.assertAlmostEqual(low_fn.normalized, 41.937538318977, places=9)
        self.assertEqual(standard.threshold, 1.0)

    def test_our_scores_of_windowed_gaussian_equal_its_published_subset_scores(self):
        files = nab.load_detector_files(GAUSSIAN_DIR, DATA, prefix=GAUSSIAN_PREFIX)
        for name in PROFILE_NAMES:
            published = self.table["windowedGaussian"][name]
            ours = nab.score_run(files, nab.PROFILES[name], 30, published.threshold, "fixed")
            self.assertAlmostEqual(ours.normalized, published.normalized, delta=1e-9)


class OptimizerTest(unittest.TestCase):
    """The threshold sweep on small synthetic files."""

    def setUp(self):
        # 200 rows: rows 0-29 are probationary, windows at rows 60-69 and 140-149.
        self.windows = [(60, 69), (140, 149)]

    def scores_flagging(self, rows, base=0.1, value=1.0):
        scores = [base] * 200
        for row in rows:
            scores[row] = value
        return scores

    def test_first_row_of_each_window_scores_100(self):
        files = [synthetic_file(self.scores_flagging([60, 140]), self.windows)]
        for profile in nab.PROFILES.values():
            run = nab.score_run(files, profile, 2, None, "optimized")
            self.assertEqual(run.threshold, 1.0)
            self.assertAlmostEqual(run.normalized, 100.0, places=12)

    def test_constant_scores_give_0(self):
        files = [synthetic_file([0.5] * 200, self.windows)]
        for profile in nab.PROFILES.values():
            run = nab.score_run(files, profile, 2, None, "optimized")
            self.assertEqual(run.threshold, 1.1)  # detecting nothing beats detecting everything
            self.assertEqual(run.normalized, 0.0)

    def test_probationary_rows_are_ignored(self):
        scores = self.scores_flagging([60, 140])
        scores[5] = 0.99  # a probationary row, in no window
        files = [synthetic_file(scores, self.windows)]
        sweep = nab.sweep_thresholds(files, nab.PROFILES["standard"])
        self.assertEqual([entry.threshold for entry in sweep], [1.1, 1.0, 0.1])
        self.assertEqual(nab.score_file(files[0], nab.PROFILES["standard"], 0.5).score, 2.0)

    def test_ties_go_to_the_highest_threshold(self):
        # The later detection at 0.8 adds nothing to a window already detected at 0.9.
        scores = self.scores_flagging([60], value=0.9)
        scores[65] = 0.8
        files = [synthetic_file(scores, self.windows)]
        sweep = nab.sweep_thresholds(files, nab.PROFILES["standard"])
        self.assertEqual([entry.threshold for entry in sweep], [1.1, 0.9, 0.8, 0.1])
        self.assertEqual(sweep[1].score, sweep[2].score)
        self.assertEqual(nab.optimize_threshold(files, nab.PROFILES["standard"]).threshold, 0.9)

    def test_threshold_between_scores_detects_scores_at_or_above_it(self):
        files = [synthetic_file(self.scores_flagging([65], value=0.7), self.windows)]
        standard = nab.PROFILES["standard"]
        self.assertEqual(nab.score_file(files[0], standard, 0.7).tp, 1)
        self.assertEqual(nab.score_file(files[0], standard, 0.5).score,
                         nab.score_file(files[0], standard, 0.7).score)
        self.assertEqual(nab.score_file(files[0], standard, 0.71).score, -2.0)

    def test_false_positives_all_count_and_windows_keep_their_best(self):
        files = [synthetic_file(self.scores_flagging([40, 41, 62, 61, 100]), self.windows)]
        standard = nab.PROFILES["standard"]
        weights = nab.row_weights(200, files[0].windows, standard)
        score = nab.score_file(files[0], standard, 1.0)
        self.assertAlmostEqual(score.score, weights[40] + weights[41] + weights[61] + weights[100]
                               - 1.0, places=12)
        self.assertEqual((score.tp, score.fp, score.fn), (2, 3, 18))


class CommandLineTest(unittest.TestCase):
    """nab_score.py and run_nab.sh end to end, with windowedGaussian standing in for costwise."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.out = Path(self.tmp.name)
        self.env = dict(os.environ, COSTWISE_SHARED_DATA_DIR=str(SHARED))

    def fake_costwise(self):
        """A stand-in `costwise anomalies score` that replays windowedGaussian's scores and
        flags rows scoring 1.0, NAB's threshold for it."""
        path = self.out / "fake-costwise"
        path.write_text(textwrap.dedent(f"""\
            #!/usr/bin/python3
            import csv, os, sys
            assert sys.argv[1:3] == ["anomalies", "score"], sys.argv
            source = sys.argv[sys.argv.index("--input") + 1]
            target = sys.argv[sys.argv.index("--output") + 1]
            name = {GAUSSIAN_PREFIX!r} + os.path.basename(source)
            with open(os.path.join({str(GAUSSIAN_DIR)!r}, name), newline="") as rows, \\
                    open(target, "w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["timestamp", "value", "anomaly_score", "is_anomaly"])
                for row in csv.DictReader(rows):
                    score = float(row["anomaly_score"])
                    writer.writerow([row["timestamp"], row["value"], score, int(score >= 1.0)])
            """), encoding="utf-8")
        path.chmod(0o755)
        return path

    def test_cli_on_nab_results_with_fixed_threshold(self):
        report = self.out / "report.json"
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench/nab/nab_score.py"), "--results", str(GAUSSIAN_DIR),
             "--data", str(DATA), "--prefix", GAUSSIAN_PREFIX, "--threshold", "1.0",
             "--profiles", "standard", "--json", str(report)],
            capture_output=True, text=True, env=self.env, check=True)
        self.assertIn("| windowedGaussian | 31.24 |", result.stdout)
        fixed = json.loads(report.read_text())["runs"]["fixed"][0]
        self.assertAlmostEqual(fixed["normalized"], 31.239640811778, places=9)
        self.assertEqual(len(fixed["files"]), 17)

    def test_cli_rejects_results_with_missing_rows(self):
        results = self.out / "short"
        results.mkdir()
        for name in nab.corpus_file_names(DATA):
            rows = (GAUSSIAN_DIR / (GAUSSIAN_PREFIX + name)).read_text().splitlines()
            (results / name).write_text("\n".join(rows[:-1]) + "\n")
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench/nab/nab_score.py"), "--results", str(results),
             "--data", str(DATA)], capture_output=True, text=True, env=self.env)
        self.assertEqual(result.returncode, 2)
        self.assertIn("rows, but the data file has", result.stderr)

    def test_run_nab_script(self):
        env = dict(self.env, COSTWISE_BIN=str(self.fake_costwise()))
        outdir = self.out / "run"
        result = subprocess.run([str(ROOT / "bench/nab/run_nab.sh"), str(outdir)],
                                capture_output=True, text=True, env=env, check=True)
        table = (outdir / "nab_table.md").read_text()
        self.assertIn(table, result.stdout)
        lines = [line for line in table.splitlines() if line.startswith("| ")]
        self.assertEqual(lines[0], "| detector | Standard | Reward low FP | Reward low FN |")
        self.assertTrue(lines[1].startswith("| costwise (threshold optimised on these 17 files) |"))
        # Own decisions at 1.0 reproduce windowedGaussian's published scores on the 17 files.
        self.assertEqual(lines[2], "| costwise (own decisions) | 31.24 | 4.92 | 41.94 |")
        published = [line.split(" | ")[0][2:] for line in lines[3:]]
        self.assertEqual(len(published), 16)
        standard = [float(line.split(" | ")[1]) for line in lines[3:]]
        self.assertEqual(standard, sorted(standard, reverse=True))
        optimized = [float(cell) for cell in lines[1].strip("| ").split(" | ")[1:]]
        self.assertTrue(all(o >= d for o, d in zip(optimized, (31.24, 4.92, 41.94))))
        report = json.loads((outdir / "nab_scores.json").read_text())
        self.assertEqual(sorted(report["runs"]), ["optimized", "own decisions"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
