#!/usr/bin/env python3
"""End-to-end test of `costwise ml iforest`: the contract the evaluation scripts use (numeric CSV
in, header skipped, one score per line out, same order), determinism for a seed, and errors."""
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402


class IsolationForestCliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        generator = random.Random(5)
        rows = [[generator.gauss(0, 1) for _ in range(3)] for _ in range(3000)]
        rows[1234] = [9.0, -9.0, 9.0]  # the planted outlier
        self.input = os.path.join(self.tmp.name, "x.csv")
        with open(self.input, "w", encoding="utf-8") as out:
            out.write("a,b,c\n")
            for row in rows:
                out.write(",".join(f"{v:.6f}" for v in row) + "\n")

    def score(self, *extra, output="s.csv"):
        path = os.path.join(self.tmp.name, output)
        harness.costwise("ml", "iforest", "--input", self.input, "--output", path, *extra)
        with open(path, encoding="utf-8") as scores:
            return [float(line) for line in scores]

    def test_one_score_per_row_outlier_highest(self):
        scores = self.score()
        self.assertEqual(len(scores), 3000)
        self.assertTrue(all(0 < s <= 1 for s in scores))
        self.assertEqual(max(range(3000), key=scores.__getitem__), 1234)

    def test_deterministic_for_a_seed_whatever_the_threads(self):
        one = self.score("--seed", "7", "--threads", "1", output="one.csv")
        two = self.score("--seed", "7", "--threads", "2", output="two.csv")
        self.assertEqual(one, two)
        other = self.score("--seed", "8", output="other.csv")
        self.assertNotEqual(one, other)

    def test_bad_value_names_line_and_column(self):
        with open(self.input, "a", encoding="utf-8") as out:
            out.write("1,oops,3\n")
        result = harness.costwise("ml", "iforest", "--input", self.input, "--output",
                                  os.path.join(self.tmp.name, "bad.csv"), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("x.csv:3002: column 2 is not a number: 'oops'", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
