"""Shared helpers for the end-to-end tests: run the costwise binary, make billing files, pick
databases. Standard library only (Debian's /usr/bin/python3)."""
import gzip
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from decimal import Decimal

DATA = os.environ.get("COSTWISE_SHARED_DATA_DIR",
                      os.path.join(os.path.dirname(__file__), "../../../shared/data"))
CUR_SAMPLE = os.path.join(DATA, "cur-sample/legacy_cur_anonymized_2023-11.csv")
FOCUS_SAMPLE = os.path.join(DATA, "focus-sample/focus_1.0_sample_1000.csv")
NAB_FILE = os.path.join(DATA, "nab-aws")


def binary():
    return os.environ["COSTWISE_BIN"]


def costwise(*args, check=True, timeout=300):
    result = subprocess.run([binary(), *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"costwise {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def postgres_url():
    url = os.environ.get("COSTWISE_TEST_POSTGRES_URL")
    if not url:
        raise AssertionError("COSTWISE_TEST_POSTGRES_URL is not set: run the tests through "
                             "scripts/with-postgres.sh (a backend whose tests did not run is a "
                             "failure, not a skip)")
    return url


class BackendTestCase(unittest.TestCase):
    """Runs each test once per database backend (SQLite file, PostgreSQL server)."""

    backend = None  # set by backend_suite

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="costwise-e2e-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        if self.backend == "sqlite":
            self.db = f"sqlite:{self.tmp}/costwise.db"
        else:
            self.db = postgres_url()
        # PostgreSQL is shared by the whole run: every test uses tenants of its own.
        self.tenant = f"t{os.getpid()}-{self.id().split('.')[-1]}-{self.backend}"

    def ingest(self, *files, tenant=None, check=True, extra=()):
        return costwise("--db", self.db, "ingest", "--tenant", tenant or self.tenant, *extra,
                        *files, check=check)

    def costs(self, *args, tenant=None, check=True):
        result = costwise("--db", self.db, "costs", "--tenant", tenant or self.tenant,
                          "--from", "2000-01-01", "--to", "2099-12-31", "--format", "json", *args,
                          check=check)
        return json.loads(result.stdout) if check else result

    def total(self, tenant=None):
        report = self.costs("--granularity", "month", tenant=tenant)
        return sum((Decimal(row["billed_cost"]) for row in report["rows"]), Decimal(0))

    def path(self, name):
        return os.path.join(self.tmp, name)


def backend_suite(loader, test_classes):
    suite = unittest.TestSuite()
    for backend in ("sqlite", "postgresql"):
        for cls in test_classes:
            bound = type(f"{cls.__name__}_{backend}", (cls,), {"backend": backend})
            suite.addTests(loader.loadTestsFromTestCase(bound))
    return suite


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as source:
        return source.read().splitlines(keepends=True)


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    return path


def write_gzip(path, text):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        out.write(text)
    return path


def replicated_focus(path, copies):
    """The FOCUS sample's rows `copies` times, each copy with resource ids of its own, so the cube
    grows with the copies (a larger file with the real sample's shapes)."""
    lines = read_lines(FOCUS_SAMPLE)
    header, rows = lines[0], lines[1:]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header)
        for copy in range(copies):
            for row in rows:
                out.write(row.replace('"arn:ats:', f'"arn:copy{copy}:', 1))
    return path


def run_main(test_classes):
    import sys
    loader = unittest.TestLoader()
    suite = backend_suite(loader, test_classes)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
