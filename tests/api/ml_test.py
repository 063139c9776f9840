#!/usr/bin/env python3
"""End-to-end tests of the /api/ml/* endpoints on both database backends: an organisation signs
up, its data is loaded with the CLI on the same database (the generated FOCUS export with a
planted GPU spike of tests/cli/anomalies_cli_test.py; the fleet, volumes, addresses and metrics of
tests/cli/rightsize_tenant_test.py, right-sized by `costwise rightsize --tenant`), then every ML
endpoint is called: anomaly detection, list filters and paging, detail with its series, feedback
and the detector's retraining in the model registry; recommendations with their detail,
dismiss, snooze, reopen and apply (dry run recorded; a real apply without an onboarded account
refused); the forecast; the
registry. A viewer reads but cannot write (403); another organisation gets 404 for every id."""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../cli"))
import anomalies_cli_test  # noqa: E402
import api_harness  # noqa: E402
import rightsize_tenant_test  # noqa: E402
from api_harness import harness  # noqa: E402

ANOMALIES = "/api/ml/anomalies"
RECOMMENDATIONS = "/api/ml/recommendations"


class MlTest(api_harness.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_server()
        self.owner = api_harness.Browser(self)
        self.owner.sign_up(self.email("owner"), self.tenant)
        self.ingest(harness.write(self.path("fleet.csv"), anomalies_cli_test.fleet_export()))

    def call(self, method, path, body=None, status=200, who=None):
        reply = (who or self.owner).request(method, path, body)
        self.assertEqual(reply.status, status, f"{method} {path}: {reply.text}")
        return reply.json

    def viewer(self):
        """A second user, invited as a viewer of the organisation, logged in to it."""
        invitation = self.call("POST", "/api/invitations",
                               {"email": self.email("viewer"), "role": "viewer"}, status=201)
        browser = api_harness.Browser(self)
        reply = browser.request("POST", "/api/invitations/accept",
                                {"token": invitation["token"], "password": api_harness.PASSWORD})
        self.assertLess(reply.status, 300, reply.text)
        self.assertEqual(reply.json["role"], "viewer")
        return browser

    def rightsize(self):
        files = rightsize_tenant_test.write_fleet(self.tmp)
        harness.costwise("--db", self.db, "inventory", "import", "--tenant", self.tenant,
                         files["inventory"], files["volumes"], files["addresses"])
        harness.costwise("--db", self.db, "metrics", "import", "--tenant", self.tenant,
                         files["metrics"])
        harness.costwise("--db", self.db, "rightsize", "--tenant", self.tenant)

    def models(self, model_type):
        return [m for m in self.call("GET", "/api/ml/models")["models"]
                if m["model_type"] == model_type]

    def test_anomalies_detect_list_detail_feedback_and_retraining(self):
        summary = self.call("POST", ANOMALIES + "/detect")
        self.assertEqual(summary["tenant"], self.tenant)
        self.assertGreaterEqual(summary["new"], 1)
        # Detecting again finds nothing new.
        self.assertEqual(self.call("POST", ANOMALIES + "/detect")["new"], 0)

        page = self.call("GET", ANOMALIES)
        impacts = [Decimal(a["impact"]) for a in page["anomalies"]]
        self.assertEqual(impacts, sorted(impacts, reverse=True))
        self.assertEqual(page["total"], len(page["anomalies"]))
        total = next(a for a in page["anomalies"] if a["monitor"]["dimension"] == "total")
        self.assertEqual(total["start_date"], "2024-08-20")
        self.assertEqual(total["model_version"], "series-detector/1")

        second = self.call("GET", ANOMALIES + "?limit=1&offset=1")
        self.assertEqual(second["total"], page["total"])
        self.assertEqual([a["id"] for a in second["anomalies"]], [page["anomalies"][1]["id"]])
        big = self.call("GET", ANOMALIES + f"?min_impact={total['impact']}")
        self.assertTrue(all(Decimal(a["impact"]) >= Decimal(total["impact"])
                            for a in big["anomalies"]))
        self.assertIn(total["id"], [a["id"] for a in big["anomalies"]])
        self.assertEqual(self.call("GET", ANOMALIES + "?to=2024-08-19")["total"], 0)
        self.assertEqual(self.call("GET", ANOMALIES + "?from=2024-08-21")["total"],
                         page["total"])
        severity = total["severity"]
        self.assertIn(total["id"], [a["id"] for a in self.call(
            "GET", ANOMALIES + f"?severity={severity}&status={total['status']}")["anomalies"]])
        for bad in ("severity=huge", "from=yesterday", "limit=0", "min_impact=lots",
                    "status=gone"):
            self.call("GET", f"{ANOMALIES}?{bad}", status=400)

        detail = self.call("GET", f"{ANOMALIES}/{total['id']}")
        self.assertEqual(detail["window"], {"from": total["start_date"], "to": total["end_date"]})
        flagged = [day["date"] for day in detail["series"] if day["in_anomaly"]]
        self.assertEqual(flagged[0], total["start_date"])
        self.assertEqual(flagged[-1], total["end_date"])
        spike_day = next(d for d in detail["series"] if d["date"] == "2024-08-20")
        self.assertGreater(Decimal(spike_day["actual"]), Decimal(spike_day["upper"]))
        self.assertLessEqual(Decimal(spike_day["lower"]), Decimal(spike_day["expected"]))
        self.assertEqual(detail["root_causes"], total["root_causes"])
        self.call("GET", f"{ANOMALIES}/999999999", status=404)

        detector = self.models("series-detector")
        self.assertEqual([(m["version"], m["status"]) for m in detector], [(1, "active")])
        self.assertEqual(detector[0]["data_window"], {"from": "2024-06-04", "to": "2024-09-01"})
        self.assertIsNone(detector[0]["retrain_requested_at"])
        self.assertEqual(detector[0]["params"]["engine"], "series-detector/1")

        def listed_verdict():
            page = self.call("GET", f"{ANOMALIES}?limit=200")["anomalies"]
            return next(a["feedback"]["verdict"] for a in page if a["id"] == total["id"])

        self.assertEqual(listed_verdict(), "none")
        self.assertEqual(listed_verdict(), "none")  # answered from the server's cache
        self.call("POST", f"{ANOMALIES}/{total['id']}/feedback", {"verdict": "maybe"}, status=400)
        judged = self.call("POST", f"{ANOMALIES}/{total['id']}/feedback",
                           {"verdict": "yes", "note": "the ML team's training run"})
        self.assertEqual(judged["feedback"]["verdict"], "yes")
        self.assertEqual(listed_verdict(), "yes")  # the feedback changed the list's answer
        self.assertEqual(judged["feedback"]["note"], "the ML team's training run")
        self.assertIsNotNone(self.models("series-detector")[0]["retrain_requested_at"])

        # The next detection trains version 2 with the feedback; version 1 is retired.
        self.call("POST", ANOMALIES + "/detect")
        detector = self.models("series-detector")
        self.assertEqual([(m["version"], m["status"]) for m in detector],
                         [(2, "active"), (1, "retired")])
        self.assertEqual(detector[0]["accuracy"], 1.0)
        self.assertEqual(detector[0]["metrics"]["feedback_yes"], 1)
        self.assertEqual(self.call("GET", f"/api/ml/models/{detector[1]['id']}"), detector[1])
        self.call("GET", "/api/ml/models/999999999", status=404)

    def metric(self, name):
        for line in self.request("GET", "/metrics").text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        self.fail(f"/metrics has no {name}")

    def test_the_detector_state_is_saved_kept_loaded_and_read_after_a_restart(self):
        first = self.call("POST", ANOMALIES + "/detect")
        self.assertEqual(first["model"], "series-detector/1")
        self.assertEqual(first["resumed_monitors"], 0)
        self.assertEqual(first["warnings"], [])
        self.assertIsNone(first["retrained"])
        detector = self.models("series-detector")[0]
        artifact = detector["artifact_path"]
        self.assertTrue(artifact.startswith(os.path.join(self.tmp, "models")), artifact)
        self.assertTrue(artifact.endswith("series-detector-v1.bin"), artifact)
        self.assertTrue(os.path.isfile(artifact))

        # The same version goes on from its state, kept loaded in memory.
        hits = self.metric("costwise_model_cache_hits_total")
        again = self.call("POST", ANOMALIES + "/detect")
        self.assertEqual(again["model"], "series-detector/1")
        self.assertEqual(again["resumed_monitors"], again["monitors"])
        self.assertGreater(self.metric("costwise_model_cache_hits_total"), hits)
        self.assertEqual(self.metric("costwise_model_cache_entries"), 1)
        # The anomaly detail reads its series from the loaded state.
        total = next(a for a in again["anomalies"] if a["monitor"]["dimension"] == "total")
        hits = self.metric("costwise_model_cache_hits_total")
        detail = self.call("GET", f"{ANOMALIES}/{total['id']}")
        self.assertTrue(any(day["in_anomaly"] for day in detail["series"]))
        self.assertGreater(self.metric("costwise_model_cache_hits_total"), hits)

        # After a restart the state is read from its file once, then kept loaded.
        self.stop_server()
        self.start_server()
        self.assertEqual(self.metric("costwise_model_cache_entries"), 0)
        restarted = self.call("POST", ANOMALIES + "/detect")
        self.assertEqual(restarted["resumed_monitors"], restarted["monitors"])
        self.assertEqual(restarted["new"], 0)
        self.assertEqual(self.metric("costwise_model_cache_misses_total"), 1)
        self.assertEqual(self.models("series-detector")[0]["artifact_path"], artifact)

    def test_recommendations_detail_status_and_apply(self):
        self.rightsize()
        page = self.call("GET", RECOMMENDATIONS)
        savings = [Decimal(r["monthly_savings"]) for r in page["recommendations"]]
        self.assertEqual(savings, sorted(savings, reverse=True))
        self.assertEqual(page["total"], len(savings))
        volumes = self.call("GET", RECOMMENDATIONS + "?kind=volume")["recommendations"]
        self.assertEqual([r["resource_id"] for r in volumes], ["vol-free"])
        self.assertEqual(self.call("GET", RECOMMENDATIONS + "?finding=idle&kind=address")["total"],
                         0)
        self.assertEqual(self.call("GET", RECOMMENDATIONS + "?min_savings=1000000")["total"], 0)
        self.call("GET", RECOMMENDATIONS + "?status=maybe", status=400)

        big = next(r for r in page["recommendations"] if r["resource_id"] == "i-big")
        detail = self.call("GET", f"{RECOMMENDATIONS}/{big['id']}")
        self.assertEqual(detail["model_version"], "rightsizing/1")
        metrics = {m["metric"]: m for m in detail["utilization"]["metrics"]}
        cpu = metrics["CPUUtilization"]
        self.assertEqual(cpu["samples"], rightsize_tenant_test.DAYS * 288)
        self.assertTrue(2 <= cpu["mean"] <= cpu["p95"] <= cpu["max"] <= 3)
        self.assertIn("mem_used_percent", metrics)
        self.assertTrue(detail["actions"]["aws_cli"])
        self.assertIn("m5.4xlarge", detail["actions"]["terraform"])
        self.assertEqual(detail["apply_requests"], [])
        self.assertIsNone(self.call("GET", f"{RECOMMENDATIONS}/{volumes[0]['id']}")["utilization"])

        plan = self.call("POST", f"{RECOMMENDATIONS}/{big['id']}/apply", {"dry_run": True})
        self.assertTrue(plan["dry_run"])
        self.assertEqual(plan["aws_cli"], detail["actions"]["aws_cli"])
        self.assertEqual(plan["terraform"], detail["actions"]["terraform"])
        self.assertTrue(plan["ready"])
        self.assertIn({"check": "the recommendation is open (it is open)", "status": "passed"},
                      plan["checks"])
        self.assertTrue(any(big["recommended_type"] in change for change in plan["changes"]))
        refused = self.call("POST", f"{RECOMMENDATIONS}/{big['id']}/apply", {"dry_run": False},
                            status=409)
        self.assertIn("needs an onboarded AWS account", refused["error"]["message"])
        self.call("POST", f"{RECOMMENDATIONS}/{big['id']}/apply", {}, status=400)
        requests = self.call("GET", f"{RECOMMENDATIONS}/{big['id']}")["apply_requests"]
        self.assertEqual([(r["dry_run"], r["outcome"]) for r in requests],
                         [(False, "refused"), (True, "planned")])
        self.assertEqual(requests[1]["id"], plan["request_id"])
        self.assertEqual(requests[1]["user"]["email"], self.email("owner"))
        self.assertEqual(requests[1]["plan"]["aws_cli"], plan["aws_cli"])
        # Neither request changed the recommendation.
        self.assertEqual(self.call("GET", f"{RECOMMENDATIONS}/{big['id']}")["status"], "open")

        path = f"{RECOMMENDATIONS}/{big['id']}"
        self.assertEqual(self.call("POST", path + "/dismiss")["status"], "dismissed")
        self.assertEqual(self.call("GET", RECOMMENDATIONS + "?status=dismissed")["total"], 1)
        snoozed = self.call("POST", path + "/snooze", {"until": "2099-01-01"})
        self.assertEqual(snoozed["status"], "snoozed")
        self.assertEqual(snoozed["snoozed_until"], "2099-01-01T00:00:00Z")
        self.call("POST", path + "/snooze", {"until": "2000-01-01"}, status=400)
        self.call("POST", path + "/snooze", {"until": "soon"}, status=400)
        self.assertEqual(self.call("POST", path + "/reopen")["status"], "open")
        blocked = self.call("POST", path + "/dismiss")
        plan = self.call("POST", f"{RECOMMENDATIONS}/{blocked['id']}/apply", {"dry_run": True})
        self.assertFalse(plan["ready"])
        self.call("POST", f"{RECOMMENDATIONS}/999999999/dismiss", status=404)

        rightsizing = self.models("rightsizing")
        self.assertEqual([(m["version"], m["status"]) for m in rightsizing], [(1, "active")])
        self.assertEqual(rightsizing[0]["data_window"]["to"], "2026-10-31")

    def test_forecast(self):
        missing = self.call("GET", "/api/ml/forecast", status=404)
        self.assertEqual(missing["error"]["message"], "no forecast yet: POST /api/ml/forecast")
        report = self.call("POST", "/api/ml/forecast", {"horizon": 30}, status=201)
        self.assertEqual(report["model_version"], "forecaster/1")
        stored = self.call("GET", "/api/ml/forecast?horizon=30")
        self.assertEqual(stored["as_of"], report["as_of"])
        self.assertEqual(stored["model_version"], "forecaster/1")
        series = stored["series"][0]
        self.assertEqual(series["kind"], "total")
        self.assertEqual(len(series["points"]), 30)
        self.assertEqual(series["points"], report["series"][0]["points"])
        for point in series["points"]:
            values = [Decimal(point[k]) for k in ("lo95", "lo80", "yhat", "hi80", "hi95")]
            self.assertEqual(values, sorted(values))
        self.assertGreater(series["backtest"]["points"], 0)
        self.call("GET", "/api/ml/forecast?horizon=60", status=404)
        self.call("GET", "/api/ml/forecast?horizon=45", status=400)
        self.call("POST", "/api/ml/forecast", {"horizon": "soon"}, status=400)
        forecaster = self.models("forecaster")
        self.assertEqual(len(forecaster), 1)
        self.assertEqual(forecaster[0]["accuracy"], series["backtest"]["mape"])
        self.assertEqual(forecaster[0]["data_window"]["to"], stored["as_of"])

    def test_viewer_reads_and_cannot_write(self):
        self.call("POST", ANOMALIES + "/detect")
        self.rightsize()
        anomaly = self.call("GET", ANOMALIES)["anomalies"][0]
        recommendation = self.call("GET", RECOMMENDATIONS)["recommendations"][0]
        viewer = self.viewer()
        for path in (ANOMALIES, f"{ANOMALIES}/{anomaly['id']}", RECOMMENDATIONS,
                     f"{RECOMMENDATIONS}/{recommendation['id']}", "/api/ml/models"):
            self.call("GET", path, who=viewer)
        for path, body in ((ANOMALIES + "/detect", None),
                           (f"{ANOMALIES}/{anomaly['id']}/feedback", {"verdict": "no"}),
                           (f"{RECOMMENDATIONS}/{recommendation['id']}/dismiss", None),
                           (f"{RECOMMENDATIONS}/{recommendation['id']}/snooze",
                            {"until": "2099-01-01"}),
                           (f"{RECOMMENDATIONS}/{recommendation['id']}/reopen", None),
                           (f"{RECOMMENDATIONS}/{recommendation['id']}/apply", {"dry_run": True}),
                           ("/api/ml/forecast", {"horizon": 30})):
            self.call("POST", path, body, status=403, who=viewer)
        self.assertEqual(self.call("GET", f"{RECOMMENDATIONS}/{recommendation['id']}")
                         ["apply_requests"], [])

    def test_another_organisation_gets_404(self):
        self.call("POST", ANOMALIES + "/detect")
        self.rightsize()
        anomaly = self.call("GET", ANOMALIES)["anomalies"][0]
        recommendation = self.call("GET", RECOMMENDATIONS)["recommendations"][0]
        model = self.call("GET", "/api/ml/models")["models"][0]
        other = api_harness.Browser(self)
        other.sign_up(self.email("other"), self.tenant + "-other")
        self.assertEqual(self.call("GET", ANOMALIES, who=other)["anomalies"], [])
        self.assertEqual(self.call("GET", RECOMMENDATIONS, who=other)["recommendations"], [])
        self.assertEqual(self.call("GET", "/api/ml/models", who=other)["models"], [])
        for method, path, body in (
                ("GET", f"{ANOMALIES}/{anomaly['id']}", None),
                ("POST", f"{ANOMALIES}/{anomaly['id']}/feedback", {"verdict": "no"}),
                ("GET", f"{RECOMMENDATIONS}/{recommendation['id']}", None),
                ("POST", f"{RECOMMENDATIONS}/{recommendation['id']}/dismiss", None),
                ("POST", f"{RECOMMENDATIONS}/{recommendation['id']}/snooze",
                 {"until": "2099-01-01"}),
                ("POST", f"{RECOMMENDATIONS}/{recommendation['id']}/reopen", None),
                ("POST", f"{RECOMMENDATIONS}/{recommendation['id']}/apply", {"dry_run": True}),
                ("GET", f"/api/ml/models/{model['id']}", None)):
            self.call(method, path, body, status=404, who=other)
        # Nothing of the first organisation changed.
        self.assertEqual(self.call("GET", f"{ANOMALIES}/{anomaly['id']}")["feedback"]["verdict"],
                         "none")
        stored = self.call("GET", f"{RECOMMENDATIONS}/{recommendation['id']}")
        self.assertEqual((stored["status"], stored["apply_requests"]), ("open", []))


if __name__ == "__main__":
    harness.run_main([MlTest])
