// End to end in a real browser: `costwise serve` with the built UI (web/dist) on a fresh SQLite
// database, Debian's Chromium driven by playwright-core (no browser download), headless. A new
// user signs up, uploads the FOCUS sample (../shared/data/focus-sample) and a generated
// three-month legacy CUR with a planted spike (tests/support/fleets.py), waits for the ingest
// job, sees the Overview's month-to-date total equal to `costwise costs` for the same days, opens
// the cost explorer grouped by service, opens the planted anomaly and answers its feedback, and
// sees the forecast with its bands and backtest; with the right-sizing fleet imported, checks the
// savings calculator and runs an apply dry run; onboards an AWS account and tests its connection
// against the local AWS test double (tests/support/aws_double.py, which the server reaches through
// AWS_ENDPOINT_URL). A screenshot of every page goes to web/test-results/screenshots/.
//
//   COSTWISE_BIN=build/apps/costwise/costwise npm run e2e
//
// CHROMIUM overrides /usr/bin/chromium; COSTWISE_SHARED_DATA_DIR the shared data folder.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const costwise = process.env.COSTWISE_BIN;
const sharedData = process.env.COSTWISE_SHARED_DATA_DIR ?? path.resolve(root, "../shared/data");
const screenshots = path.resolve(here, "../test-results/screenshots");
const web = path.resolve(here, "../dist");

let server;
let double;
let browser;
let page;
let base;
const work = mkdtempSync(path.join(tmpdir(), "costwise-web-e2e-"));
const database = `sqlite:${path.join(work, "costwise.db")}`;
const organisation = `e2e-${process.pid}`;

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForServer(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`costwise serve exited (${server.exitCode})`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`costwise serve did not answer in ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function run(...args) {
  const result = spawnSync(costwise, ["--db", database, ...args], { encoding: "utf-8" });
  assert.equal(result.status, 0, `costwise ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

async function shoot(name) {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

before(async () => {
  assert.ok(costwise, "set COSTWISE_BIN to the costwise binary");
  mkdirSync(screenshots, { recursive: true });
  const cur = spawnSync("/usr/bin/python3", ["-c",
    "import sys; sys.path.insert(0, sys.argv[1]); import fleets; " +
    "sys.stdout.write(fleets.fleet_export(cur=True))", path.join(root, "tests/support")],
  { encoding: "utf-8", maxBuffer: 64 << 20 });
  assert.equal(cur.status, 0, cur.stderr);
  writeFileSync(path.join(work, "fleet-cur.csv"), cur.stdout);
  // The AWS test double: the role the onboarding enters (no External ID condition: the test
  // learns costwise's only in the page) and the Athena table it names, with no rows.
  const state = path.join(work, "aws-state.json");
  const legacy = ["line_item_usage_start_date", "line_item_unblended_cost",
                  "bill_billing_period_start_date", "line_item_line_item_type",
                  "line_item_usage_account_id", "year", "month"];
  writeFileSync(state, JSON.stringify({
    roles: { "arn:aws:iam::123456789012:role/costwise": {
      external_id: null, trusted_accounts: ["111122223333"], permissions: ["*"] } },
    athena_tables: { "athenacurcfn_cur.cur": {
      columns: legacy.map((name) => [name, "string"]), rows: [], partitions: ["year", "month"] } },
    athena_polls: 0,
  }));
  double = spawn("/usr/bin/python3", [path.join(root, "tests/support/aws_double.py"), "--port", "0",
                                      "--state", state], { stdio: ["ignore", "pipe", "inherit"] });
  const endpoint = await new Promise((resolve, reject) => {
    double.stdout.setEncoding("utf-8");
    double.stdout.on("data", (text) => {
      const match = /listening (\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    double.on("exit", (code) => reject(new Error(`the AWS double exited (${code})`)));
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(costwise, ["--db", database, "serve", "--host", "127.0.0.1", "--port",
                            String(port), "--web", web, "--upload-dir", path.join(work, "uploads"),
                            "--models-dir", path.join(work, "models"),
                            "--samples-dir", path.join(root, "data/samples"), "--aws-poll-ms", "50"],
                 { stdio: ["ignore", "ignore", "inherit"],
                   env: { ...process.env, AWS_ENDPOINT_URL: endpoint,
                          AWS_ACCESS_KEY_ID: "AKIDCOSTWISEDOUBLE",
                          AWS_SECRET_ACCESS_KEY: "double-secret-key", AWS_REGION: "us-east-1",
                          AWS_EC2_METADATA_DISABLED: "true", HOME: work } });
  await waitForServer(base, 20);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  double?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

test("sign up, upload, Overview equals `costwise costs`, explorer, anomaly, forecast, dry run", async () => {
  await page.goto(`${base}/signup`);
  await shoot("signup");
  await page.getByLabel("Email").fill(`owner@${organisation}.example.com`);
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByLabel("Organisation").fill(organisation);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByText("No cost data yet").waitFor();
  await shoot("overview-empty");

  await page.getByRole("link", { name: "Upload a CUR or FOCUS export" }).click();
  await page.getByLabel("Files").setInputFiles([
    path.join(sharedData, "focus-sample/focus_1.0_sample_1000.csv"),
    path.join(work, "fleet-cur.csv"),
  ]);
  await page.getByRole("button", { name: "Upload" }).click();
  const job = page.getByTestId("ingest-job");
  await job.getByText(/: succeeded/).waitFor({ timeout: 60_000 });
  assert.match(await job.innerText(), /focus_1\.0_sample_1000\.csv: focus-1\.0, 1,000 rows/);
  assert.match(await job.innerText(), /fleet-cur\.csv: cur-legacy, 366 rows/);
  await shoot("upload");

  await page.getByRole("link", { name: "See the Overview" }).click();
  const monthToDate = page.getByTestId("month-to-date");
  await monthToDate.waitFor();
  const period = await page.getByText(/\(the latest day billed\)/).innerText();
  const shown = (await monthToDate.locator(".metric-value").innerText()).trim();
  // The same days from the CLI: the month of the latest billed day, up to that day.
  const months = JSON.parse(run("costs", "--tenant", organisation, "--from", "2000-01-01",
                                "--to", "2099-12-31", "--granularity", "month", "--format",
                                "json"));
  const latestMonth = months.rows.map((row) => row.period).sort().at(-1);
  const days = JSON.parse(run("costs", "--tenant", organisation, "--from", `${latestMonth}-01`,
                              "--to", "2099-12-31", "--granularity", "day", "--format", "json"));
  const lastDay = days.rows.map((row) => row.period).sort().at(-1);
  const cli = JSON.parse(run("costs", "--tenant", organisation, "--from", `${latestMonth}-01`,
                             "--to", lastDay, "--format", "json"));
  const expected = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" })
      .format(Number(cli.totals[0].billed_cost));
  assert.equal(shown, expected, `Overview (${period}) against costwise costs ${latestMonth}-01..${lastDay}`);
  await page.getByRole("heading", { name: "Top services this month" }).waitFor();
  await page.waitForTimeout(500);  // the charts' entry animation
  await shoot("overview");

  await page.getByRole("link", { name: "Cost explorer", exact: true }).click();
  const table = page.getByTestId("cost-table");
  await table.waitFor();
  assert.equal(await page.getByLabel("Group by").inputValue(), "service");
  await table.getByRole("cell", { name: "AmazonEC2", exact: true }).waitFor();
  await page.waitForTimeout(500);
  await shoot("cost-explorer");

  // Detection and a forecast run after the ingest, as background jobs: wait for them.
  await page.getByRole("link", { name: "Anomalies", exact: true }).click();
  const anomalies = page.getByTestId("anomaly-table");
  for (let attempt = 0; !(await anomalies.isVisible()); attempt += 1) {
    assert.ok(attempt < 60, "no anomaly listed 60 s after the upload");
    await page.waitForTimeout(1000);
    await page.reload();
    await page.getByLabel("Status").selectOption("");
    await page.waitForTimeout(300);
  }
  // The planted spike: the GPU instance is the root cause of the largest one.
  const spike = anomalies.getByRole("row").filter({ hasText: "resource=i-0spike" }).first();
  await spike.waitFor();
  await shoot("anomalies");
  await spike.getByRole("link").click();
  await page.getByTestId("anomaly-impact").waitFor();
  assert.match(await page.getByRole("heading", { level: 1 }).innerText(), /=|total/);
  assert.match(await page.getByText(/Aug 20, 2024/).first().innerText(), /Aug 20, 2024/);
  await page.getByRole("button", { name: "Yes, a real anomaly" }).click();
  await page.getByTestId("verdict").getByText("yes").waitFor();
  await page.waitForTimeout(500);
  await shoot("anomaly");

  await page.getByRole("link", { name: "Forecast", exact: true }).click();
  const forecastTotal = page.getByTestId("forecast-total");
  for (let attempt = 0; !(await forecastTotal.isVisible()); attempt += 1) {
    assert.ok(attempt < 60, "no forecast 60 s after the upload");
    await page.waitForTimeout(1000);
    await page.reload();
  }
  assert.match(await forecastTotal.innerText(), /80% .*–/);
  await page.getByTestId("backtest").waitFor();
  await page.getByRole("img", { name: /80% and 95% bands/ }).waitFor();
  await page.waitForTimeout(500);
  await shoot("forecast");

  // Right-sizing on the generated fleet's inventory and metrics (imported with the CLI: the
  // AWS sync that fetches them comes with the connectors), then an apply dry run in the UI.
  const fleet = spawnSync("/usr/bin/python3", ["-c",
    "import json, sys; sys.path.insert(0, sys.argv[1]); import fleets; " +
    "print(json.dumps(fleets.write_fleet(sys.argv[2])))", path.join(root, "tests/support"), work],
  { encoding: "utf-8" });
  assert.equal(fleet.status, 0, fleet.stderr);
  const files = JSON.parse(fleet.stdout);
  run("inventory", "import", "--tenant", organisation, files.inventory, files.volumes,
      files.addresses);
  run("metrics", "import", "--tenant", organisation, files.metrics);
  run("rightsize", "--tenant", organisation);
  const listed = JSON.parse(run("recommendations", "list", "--tenant", organisation, "--format",
                                "json")).recommendations;
  await page.getByRole("link", { name: "Recommendations", exact: true }).click();
  await page.getByTestId("recommendation-table").waitFor();
  await page.getByLabel("Select all").check();
  const monthly = listed.filter((r) => r.status === "open")
      .reduce((sum, r) => sum + Number(r.monthly_savings), 0);
  const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  const calculator = await page.getByTestId("savings-calculator").innerText();
  assert.ok(calculator.includes(`${usd.format(monthly)} a month`), calculator);
  assert.ok(calculator.includes(`${usd.format(monthly * 12)} a year`), calculator);
  await shoot("recommendations");
  await page.getByRole("link", { name: "i-big", exact: true }).click();
  await page.getByTestId("aws-cli").getByText(/modify-instance-attribute/).waitFor();
  await page.getByRole("button", { name: "Dry run" }).click();
  const result = page.getByTestId("apply-result");
  await result.waitFor();
  assert.match(await result.innerText(), /Dry run: ready/);
  assert.match(await result.innerText(), /m5\.4xlarge -> /);
  await page.getByText(/dry run, planned \(owner@/).waitFor();  // the apply history
  await page.waitForTimeout(500);
  await shoot("recommendation-dry-run");

  // Onboarding an AWS account: the External ID, the policies to copy, the role ARN.
  await page.getByRole("link", { name: "Connect AWS", exact: true }).click();
  await page.getByLabel("Name").fill("production");
  await page.getByLabel("AWS account ID").fill("123456789012");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Database").fill("athenacurcfn_cur");
  await page.getByLabel("Table").fill("cur");
  await page.getByLabel("Query results").fill("s3://acme-athena/results/");
  await page.getByLabel("CUR data").fill("s3://acme-cur/cur/");
  await page.getByRole("button", { name: "Save and show the policies" }).click();
  const externalId = await page.getByTestId("external-id").innerText();
  assert.match(externalId, /^cw-[0-9a-f]+$/);
  assert.ok((await page.getByTestId("policy-trust-policy").innerText()).includes(externalId));
  const permissions = await page.getByTestId("policy-permissions-policy").innerText();
  assert.match(permissions, /cloudwatch:GetMetricData/);
  assert.match(permissions, /arn:aws:s3:::acme-cur/);
  await page.getByLabel("Role ARN").fill("arn:aws:iam::123456789012:role/costwise");
  await page.getByRole("button", { name: "Save the role" }).click();
  await page.getByText("4. Connection test").waitFor();
  assert.equal(await page.getByTestId("account-status").innerText(), "pending");
  await shoot("onboarding");
  // The connection test: costwise assumes the role (in the AWS double) and reads the table.
  await page.getByRole("button", { name: "Test the connection" }).click();
  await page.getByText(/^Connected\. The first sync is running/).waitFor();
  const steps = await page.getByTestId("connection-steps").innerText();
  assert.match(steps, /passed\s+Assume the role with the External ID/);
  assert.match(steps, /passed\s+Read the CUR source/);
  assert.match(steps, /cur-legacy/);
  await page.getByTestId("account-status").getByText("connected").waitFor();
  await shoot("onboarding-connected");

  // At 375 px the navigation folds behind the Menu button.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Overview", exact: true }).click();
  await monthToDate.waitFor();
  await shoot("overview-375px");
});

test("a new user opens the sample workspace in one click, labelled as sample data", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const visitor = await context.newPage();
  await visitor.goto(`${base}/signup`);
  await visitor.getByLabel("Email").fill(`visitor@${organisation}.example.com`);
  await visitor.getByLabel("Password").fill("correct horse battery staple");
  await visitor.getByLabel("Organisation").fill(`${organisation}-visitor`);
  await visitor.getByRole("button", { name: "Sign up" }).click();
  await visitor.getByRole("button", { name: "Open a sample workspace" }).click();
  const banner = visitor.getByTestId("sample-banner");
  await banner.waitFor({ timeout: 60_000 });
  assert.match(await banner.innerText(), /Sample data/);
  await visitor.getByTestId("month-to-date").waitFor();
  assert.match(await visitor.locator(".organisation").innerText(), /^Sample data \(visitor@/);
  await visitor.waitForTimeout(500);
  await visitor.screenshot({ path: path.join(screenshots, "sample-overview.png"), fullPage: true });
  await visitor.getByRole("link", { name: "Recommendations", exact: true }).click();
  await visitor.getByTestId("recommendation-table").getByText(/i-bitbrains-/).first().waitFor();
  await visitor.screenshot({ path: path.join(screenshots, "sample-recommendations.png"),
                             fullPage: true });
  // Back to the visitor's own, empty organisation.
  await banner.getByRole("button", { name: /Back to/ }).click();
  await visitor.getByRole("link", { name: "Overview", exact: true }).click();
  await visitor.getByText("No cost data yet").waitFor();
  assert.equal(await banner.count(), 0);
  await context.close();
});
