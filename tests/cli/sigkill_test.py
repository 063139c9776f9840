#!/usr/bin/env python3
"""Killing `costwise ingest` with SIGKILL at any point leaves the cube either as it was or fully
updated, never in between. A tenant holds version A of a month (the FOCUS sample replicated 20
times); version B (40 times, the same billing scopes) is ingested and killed at several points:
while reading, and while writing the database (right after it says it starts writing, and at
delays after that). After each kill the tenant's totals must equal A's or B's exactly, and the
next ingest must work."""
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../support"))
import harness  # noqa: E402

READ_FRACTIONS = (0.05, 0.3, 0.6)
STORE_DELAYS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4)


class SigkillTest(harness.BackendTestCase):

    def setUp(self):
        super().setUp()
        self.version_a = harness.replicated_focus(self.path("a.csv"), 20)
        self.version_b = harness.replicated_focus(self.path("b.csv"), 40)

    def reset_to_a(self):
        self.ingest(self.version_a)
        return self.snapshot()

    def snapshot(self):
        report = self.costs("--group-by", "resource", "--granularity", "month")
        return (sum(Decimal(r["billed_cost"]) for r in report["rows"]),
                sum(r["line_items"] for r in report["rows"]), len(report["rows"]))

    def start_b(self):
        return subprocess.Popen(
            [harness.binary(), "--db", self.db, "ingest", "--tenant", self.tenant, self.version_b],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def check_after_kill(self, state_a, state_b, where):
        state = self.snapshot()
        self.assertIn(state, (state_a, state_b), f"half-written cube after a kill {where}")
        return "as before" if state == state_a else "fully updated"

    def test_kill_at_any_point(self):
        # Reference states, and the time a full ingest of B takes.
        state_a = self.reset_to_a()
        started = time.monotonic()
        self.ingest(self.version_b)
        full_seconds = time.monotonic() - started
        state_b = self.snapshot()
        self.assertNotEqual(state_a, state_b)
        outcomes = []
        for fraction in READ_FRACTIONS:
            self.reset_to_a()
            process = self.start_b()
            time.sleep(full_seconds * fraction)
            process.send_signal(signal.SIGKILL)
            process.wait()
            where = f"at {fraction:.0%} of a full run"
            outcomes.append((where, self.check_after_kill(state_a, state_b, where)))
        for delay in STORE_DELAYS:
            self.reset_to_a()
            process = self.start_b()
            # The CLI says on stderr when it starts writing the database.
            line = process.stderr.readline()
            self.assertIn("writing", line)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            where = f"{delay * 1000:.0f} ms into the database write"
            outcomes.append((where, self.check_after_kill(state_a, state_b, where)))
        for where, outcome in outcomes:
            print(f"  {self.backend}: killed {where}: {outcome}")
        # The database is usable after the kills.
        self.ingest(self.version_b)
        self.assertEqual(self.snapshot(), state_b)
        self.assertIn("as before", [outcome for _, outcome in outcomes])


if __name__ == "__main__":
    harness.run_main([SigkillTest])
