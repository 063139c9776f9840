// DuckDB side of the costwise ingest benchmark.
//
// Usage: node cube.mjs FORMAT FILE
//   FORMAT: cur-legacy | cur2 | focus
//   FILE:   a CSV file, plain or gzip (.gz)
//
// Opens an in-memory DuckDB with 2 threads, reads FILE with read_csv (explicit column types:
// the measures DECIMAL(38,10), every other column VARCHAR; the column names come from the
// file's header line), builds the daily cost cube with one GROUP BY into a table, and prints one
// JSON object:
//   {format, file, rows_in, cube_rows, seconds, csv_parallel, aborted_parallel_seconds,
//    billed_total, effective_total, list_total, usage_total, duckdb_version, threads}
// `seconds` is the wall time of the read + GROUP BY + totals queries, measured inside this
// process (without Node start-up and DuckDB instance creation); the benchmark script also
// measures the whole process. When DuckDB's parallel CSV reader gives up on a file (it does on
// some files with line breaks inside quoted fields), the cube is built again with
// parallel = false: csv_parallel is then false, aborted_parallel_seconds is the time lost in the
// failed attempt and `seconds` counts only the successful one.
//
// The cube key and measures are those costwise computes (see bench/README.md):
//   date, billing_period, provider, billing_account, sub_account, service, region, usage_type,
//   charge_category, resource_id, currency, tags  ->  billed, effective, list, usage, count.

import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

import { DuckDBInstance } from '@duckdb/node-api';

const kThreads = '2';
// Measures are read as exact decimals. FOCUS files print costs with 11 decimals and quantities
// with 15: reading those into DECIMAL(38,10) makes DuckDB round every value on a slow path (4 to
// 6 times slower on FOCUS), so each format gets a scale that holds its values exactly, and only
// the totals are rounded to 10 decimals.
const kScale = Number(process.env.CUBE_DECIMAL_SCALE ?? 0);
const kDecimals = { 'cur-legacy': 10, cur2: 10, focus: 15 };
let kDecimal = 'DECIMAL(38,10)';
const kFormats = ['cur-legacy', 'cur2', 'focus'];

function Usage(message) {
  process.stderr.write(`${message}\nusage: node cube.mjs cur-legacy|cur2|focus FILE\n`);
  process.exit(2);
}

function SqlString(text) {
  return `'${text.replaceAll("'", "''")}'`;
}

function Ident(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

// Returns a function mapping a column name to its quoted identifier, or to a NULL literal when
// the file has no such column (CUR columns depend on what the account used).
function ColumnResolver(columns) {
  const present = new Set(columns);
  return (name) => (present.has(name) ? Ident(name) : 'NULL');
}

// Measures are read as DECIMAL(38,10) by read_csv itself; a missing column is a NULL literal.
function Num(expr) {
  return expr === 'NULL' ? `CAST(NULL AS ${kDecimal})` : expr;
}

function Zero(expr) {
  return `coalesce(${Num(expr)}, 0)`;
}

function DateOf(expr) {
  return `CAST(left(${expr}, 10) AS DATE)`;
}

// The SELECT list of the per-row projection, as [alias, expression] pairs, for a CUR (legacy or
// 2.0) file whose column names are mapped by `name`.
function CurProjection(col, name, tag_exprs, service_expr) {
  const type = col(name.line_item_type);
  const effective = `CASE
      WHEN ${type} = 'SavingsPlanCoveredUsage' THEN ${Zero(col(name.sp_effective_cost))}
      WHEN ${type} = 'SavingsPlanRecurringFee'
        THEN ${Zero(col(name.sp_total_commitment))} - ${Zero(col(name.sp_used_commitment))}
      WHEN ${type} = 'SavingsPlanNegation' THEN 0
      WHEN ${type} = 'SavingsPlanUpfrontFee' THEN 0
      WHEN ${type} = 'DiscountedUsage' THEN ${Zero(col(name.ri_effective_cost))}
      WHEN ${type} = 'RIFee'
        THEN ${Zero(col(name.ri_unused_upfront))} + ${Zero(col(name.ri_unused_recurring))}
      WHEN ${type} = 'Fee' AND coalesce(${col(name.ri_arn)}, '') <> '' THEN 0
      ELSE ${Zero(col(name.unblended_cost))}
    END`;
  return [
    ['date', DateOf(col(name.usage_start))],
    ['billing_period', DateOf(col(name.billing_period_start))],
    ['provider', `'AWS'`],
    ['billing_account', col(name.payer_account)],
    ['sub_account', col(name.usage_account)],
    ['service', service_expr],
    ['region', `coalesce(nullif(${col(name.region_code)}, ''), ${col(name.region)}, '')`],
    ['usage_type', col(name.usage_type)],
    ['charge_category', type],
    ['resource_id', col(name.resource_id)],
    ['currency', col(name.currency)],
    ...tag_exprs,
    ['billed_m', Num(col(name.unblended_cost))],
    ['effective_m', effective],
    ['list_m', Num(col(name.public_on_demand_cost))],
    ['usage_m', Num(col(name.usage_amount))],
  ];
}

const kLegacyNames = {
  line_item_type: 'lineItem/LineItemType',
  usage_start: 'lineItem/UsageStartDate',
  billing_period_start: 'bill/BillingPeriodStartDate',
  payer_account: 'bill/PayerAccountId',
  usage_account: 'lineItem/UsageAccountId',
  region_code: 'product/regionCode',
  region: 'product/region',
  usage_type: 'lineItem/UsageType',
  resource_id: 'lineItem/ResourceId',
  currency: 'lineItem/CurrencyCode',
  unblended_cost: 'lineItem/UnblendedCost',
  public_on_demand_cost: 'pricing/publicOnDemandCost',
  usage_amount: 'lineItem/UsageAmount',
  sp_effective_cost: 'savingsPlan/SavingsPlanEffectiveCost',
  sp_total_commitment: 'savingsPlan/TotalCommitmentToDate',
  sp_used_commitment: 'savingsPlan/UsedCommitment',
  ri_effective_cost: 'reservation/EffectiveCost',
  ri_unused_upfront: 'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod',
  ri_unused_recurring: 'reservation/UnusedRecurringFee',
  ri_arn: 'reservation/ReservationARN',
};

const kCur2Names = {
  line_item_type: 'line_item_line_item_type',
  usage_start: 'line_item_usage_start_date',
  billing_period_start: 'bill_billing_period_start_date',
  payer_account: 'bill_payer_account_id',
  usage_account: 'line_item_usage_account_id',
  region_code: 'product_region_code',
  region: 'product_region',
  usage_type: 'line_item_usage_type',
  resource_id: 'line_item_resource_id',
  currency: 'line_item_currency_code',
  unblended_cost: 'line_item_unblended_cost',
  public_on_demand_cost: 'pricing_public_on_demand_cost',
  usage_amount: 'line_item_usage_amount',
  sp_effective_cost: 'savings_plan_savings_plan_effective_cost',
  sp_total_commitment: 'savings_plan_total_commitment_to_date',
  sp_used_commitment: 'savings_plan_used_commitment',
  ri_effective_cost: 'reservation_effective_cost',
  ri_unused_upfront: 'reservation_unused_amortized_upfront_fee_for_billing_period',
  ri_unused_recurring: 'reservation_unused_recurring_fee',
  ri_arn: 'reservation_reservation_a_r_n',
};

// The measure columns of each format: read as DECIMAL(38,10), everything else as VARCHAR.
const kMeasureKeys = ['unblended_cost', 'public_on_demand_cost', 'usage_amount', 'sp_effective_cost',
  'sp_total_commitment', 'sp_used_commitment', 'ri_effective_cost', 'ri_unused_upfront',
  'ri_unused_recurring'];
const kMeasures = {
  'cur-legacy': kMeasureKeys.map((k) => kLegacyNames[k]),
  cur2: kMeasureKeys.map((k) => kCur2Names[k]),
  focus: ['BilledCost', 'EffectiveCost', 'ListCost', 'ConsumedQuantity'],
};

function LegacyProjection(columns) {
  const col = ColumnResolver(columns);
  const tag_exprs = columns
    .filter((c) => c.startsWith('resourceTags/'))
    .map((c, i) => [`tag_${i}`, Ident(c)]);
  const service = `coalesce(nullif(${col('product/ProductName')}, ''), ${col('lineItem/ProductCode')})`;
  return CurProjection(col, kLegacyNames, tag_exprs, service);
}

function Cur2Projection(columns) {
  const col = ColumnResolver(columns);
  const product_name = `json_extract_string(${col('product')}, '$.product_name')`;
  const service = `coalesce(nullif(${product_name}, ''), ${col('line_item_product_code')})`;
  return CurProjection(col, kCur2Names, [['tags', col('resource_tags')]], service);
}

function FocusProjection(columns) {
  const col = ColumnResolver(columns);
  return [
    ['date', DateOf(col('ChargePeriodStart'))],
    ['billing_period', DateOf(col('BillingPeriodStart'))],
    ['provider', col('ProviderName')],
    ['billing_account', col('BillingAccountId')],
    ['sub_account', col('SubAccountId')],
    ['service', col('ServiceName')],
    ['region', col('RegionId')],
    ['usage_type', `coalesce(${col('ChargeDescription')}, ${col('SkuId')})`],  // as costwise: docs/ingestion.md
    ['charge_category', col('ChargeCategory')],
    ['resource_id', col('ResourceId')],
    ['currency', col('BillingCurrency')],
    ['tags', col('Tags')],
    ['billed_m', Num(col('BilledCost'))],
    ['effective_m', Num(col('EffectiveCost'))],
    ['list_m', Num(col('ListCost'))],
    ['usage_m', Num(col('ConsumedQuantity'))],
  ];
}

// The column names of the CSV header line (plain or gzip); header names hold no commas.
async function ReadHeader(file) {
  let stream = createReadStream(file, { highWaterMark: 1 << 16 });
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip());
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString('utf8');
    if (text.includes('\n')) break;
  }
  stream.destroy();
  const line = text.split('\n')[0].replace(/\r$/, '').replace(/^\uFEFF/, '');
  return line.split(',').map((name) => name.replace(/^"(.*)"$/, '$1').replaceAll('""', '"'));
}

function ReadCsv(format, file, columns, parallel) {
  // FOCUS exports write NULL as an unquoted NULL token (some providers leave the field empty);
  // CUR leaves empty fields empty.
  const nullstr = format === 'focus' ? `['NULL', '']` : `''`;
  const measures = new Set(kMeasures[format]);
  const types = columns
    .map((c) => `${SqlString(c)}: '${measures.has(c) ? kDecimal : 'VARCHAR'}'`)
    .join(', ');
  return `read_csv(${SqlString(file)}, header = true, auto_detect = false, delim = ',',
      quote = '"', escape = '"', nullstr = ${nullstr},
      parallel = ${parallel}, columns = {${types}})`;
}

// DuckDB's parallel CSV reader gives up on some files with line breaks inside quoted fields
// ("does not support a full read on this file"); DuckDB then asks for parallel = false.
function IsParallelReadError(error) {
  return /parallel = false|Parallel CSV Reader/i.test(error.message);
}

async function Main() {
  const [format, file] = process.argv.slice(2);
  if (!kFormats.includes(format) || !file) Usage('expected FORMAT and FILE');

  kDecimal = `DECIMAL(38,${kScale || kDecimals[format]})`;
  const instance = await DuckDBInstance.create(':memory:', { threads: kThreads });
  const connection = await instance.connect();
  await connection.run('SET preserve_insertion_order = false');
  const version = (await connection.runAndReadAll('SELECT version()')).getRows()[0][0];

  const started = process.hrtime.bigint();
  const columns = await ReadHeader(file);
  const projection =
    format === 'cur-legacy' ? LegacyProjection(columns)
    : format === 'cur2' ? Cur2Projection(columns)
    : FocusProjection(columns);
  const keys = projection.filter(([alias]) => !alias.endsWith('_m')).map(([alias]) => alias);
  const select = projection.map(([alias, expr]) => `${expr} AS ${alias}`).join(',\n    ');
  const build = (parallel) => `CREATE OR REPLACE TEMP TABLE cube AS
    SELECT ${keys.join(', ')},
           sum(billed_m) AS billed, sum(effective_m) AS effective, sum(list_m) AS list,
           sum(usage_m) AS usage, count(*) AS line_items
    FROM (SELECT ${select} FROM ${ReadCsv(format, file, columns, parallel)})
    GROUP BY ALL`;

  let parallel = true;
  let aborted_seconds = 0;
  let attempt_started = started;
  try {
    await connection.run(build(true));
  } catch (error) {
    if (!IsParallelReadError(error)) throw error;
    parallel = false;
    const now = process.hrtime.bigint();
    aborted_seconds = Number(now - started) / 1e9;
    attempt_started = now;
    process.stderr.write(`cube.mjs: parallel read failed after ${aborted_seconds.toFixed(2)}s ` +
      `(${error.message.split('\n')[0]}); reading again with parallel = false\n`);
    await connection.run(build(false));
  }
  const totals = (await connection.runAndReadAll(`SELECT
      count(*)::BIGINT, sum(line_items)::BIGINT,
      round(coalesce(sum(billed), 0), 10)::DECIMAL(38,10)::VARCHAR,
      round(coalesce(sum(effective), 0), 10)::DECIMAL(38,10)::VARCHAR,
      round(coalesce(sum(list), 0), 10)::DECIMAL(38,10)::VARCHAR,
      round(coalesce(sum(usage), 0), 10)::DECIMAL(38,10)::VARCHAR
    FROM cube`)).getRows()[0];
  const finished = process.hrtime.bigint();
  const seconds = Number(finished - attempt_started) / 1e9;

  const result = {
    format,
    file,
    rows_in: Number(totals[1] ?? 0),
    cube_rows: Number(totals[0]),
    seconds: Math.round(seconds * 1000) / 1000,
    csv_parallel: parallel,
    aborted_parallel_seconds: Math.round(aborted_seconds * 1000) / 1000,
    billed_total: totals[2],
    effective_total: totals[3],
    list_total: totals[4],
    usage_total: totals[5],
    duckdb_version: version,
    threads: Number(kThreads),
    decimal: kDecimal,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  connection.closeSync();
  instance.closeSync();
}

Main().catch((error) => {
  process.stderr.write(`cube.mjs: ${error.message}\n`);
  process.exit(1);
});
