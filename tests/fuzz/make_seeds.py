#!/usr/bin/env python3
"""Regenerates the committed fuzz seeds in tests/fuzz/corpus/ and tests/fuzz/billing_headers.h
from the real billing samples in ../shared/data. Not run by scripts/fuzz.sh: the seeds are
committed so that fuzzing works without the samples; rerun this after changing it.

    python3 tests/fuzz/make_seeds.py [SHARED_DATA_DIR]
"""
import csv
import gzip
import io
import json
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
CUR_SAMPLE = DATA / "cur-sample" / "legacy_cur_anonymized_2023-11.csv"
FOCUS_SAMPLE = DATA / "focus-sample" / "focus_1.0_sample_1000.csv"
CORPUS = ROOT / "tests" / "fuzz" / "corpus"

# The legacy sample has neither tag columns nor reservation ARNs: the fuzz header appends them so
# that tag columns and the RI fee rule are reachable.
LEGACY_EXTRA = ["resourceTags/user:team", "resourceTags/user:Environment",
                "reservation/ReservationARN"]

CUR2_HEADER = [
    "identity_line_item_id", "bill_payer_account_id", "bill_billing_period_start_date",
    "line_item_usage_account_id", "line_item_line_item_type", "line_item_usage_start_date",
    "line_item_product_code", "line_item_usage_type", "line_item_usage_amount",
    "line_item_currency_code", "line_item_unblended_cost", "line_item_resource_id", "product",
    "product_region_code", "pricing_public_on_demand_cost", "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee", "reservation_reservation_a_r_n",
    "savings_plan_savings_plan_effective_cost", "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment", "resource_tags", "resource_tags_user_cost_center"]


def csv_line(fields):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


def read(path):
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    rows = list(csv.reader(io.StringIO(text)))
    return lines, rows


def write(target, name, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (directory / name).write_bytes(data)


def gz(data, members=1):
    if isinstance(data, str):
        data = data.encode()
    if members == 1:
        return gzip.compress(data, compresslevel=6, mtime=0)
    cut = len(data) // 2
    return gzip.compress(data[:cut], mtime=0) + gzip.compress(data[cut:], mtime=0)


def legacy_rows(cur_lines, cur_rows):
    """Real rows with the appended columns, then synthetic rows for every amortisation rule."""
    header = cur_rows[0]
    col = {name: i for i, name in enumerate(header)}
    real = [line.rstrip("\n") + ",,," + "\n" for line in cur_lines[1:]]
    tax = next(i for i, r in enumerate(cur_rows[1:]) if r[col["lineItem/LineItemType"]] == "Tax")
    base = cur_rows[1 + 5]

    def synth(kind, extra, **values):
        row = list(base) + extra
        row[col["lineItem/LineItemType"]] = kind
        for name, value in values.items():
            row[col[name]] = value
        return csv_line(row)

    synthetic = [
        synth("SavingsPlanCoveredUsage", ["core", "prod", ""],
              **{"savingsPlan/SavingsPlanEffectiveCost": "0.0421"}),
        synth("SavingsPlanRecurringFee", ["", "", ""],
              **{"savingsPlan/TotalCommitmentToDate": "12.5",
                 "savingsPlan/UsedCommitment": "11.25"}),
        synth("SavingsPlanNegation", ["core", "", ""], **{"lineItem/UnblendedCost": "-0.05"}),
        synth("DiscountedUsage", ["data", "dev", ""],
              **{"reservation/EffectiveCost": "1.0E-4"}),
        synth("RIFee", ["", "", ""],
              **{"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "3.3",
                 "reservation/UnusedRecurringFee": "0.7"}),
        synth("Fee", ["", "", "arn:aws:ec2:us-east-1:123412340534:reserved-instances/r-1"],
              **{"lineItem/UnblendedCost": "876"}),
        synth("Credit", ["core", "prod", ""], **{"lineItem/UnblendedCost": "-1.5"}),
    ]
    return real, real[tax], synthetic


def cur2_rows(cur_rows, count):
    header = cur_rows[0]
    col = {name: i for i, name in enumerate(header)}
    out = []
    kinds = ["Usage", "SavingsPlanCoveredUsage", "DiscountedUsage", "RIFee", "Tax"]
    for k, row in enumerate(cur_rows[1:1 + count]):
        g = lambda name: row[col[name]]
        product = {"product_name": g("product/ProductName"), "region": g("product/region"),
                   "servicecode": g("product/servicecode")}
        tags = {"user_team": ["core", "data", "web"][k % 3], "user_env": "prod"}
        tag_text = json.dumps(tags) if k % 2 == 0 else "{user_team=core, user_env=dev}"
        out.append(csv_line([
            g("identity/LineItemId"), g("bill/PayerAccountId"), g("bill/BillingPeriodStartDate"),
            g("lineItem/UsageAccountId"), kinds[k % len(kinds)], g("lineItem/UsageStartDate"),
            g("lineItem/ProductCode"), g("lineItem/UsageType"), g("lineItem/UsageAmount"),
            g("lineItem/CurrencyCode"), g("lineItem/UnblendedCost"), "", json.dumps(product),
            g("product/regionCode"), g("pricing/publicOnDemandCost"), "0.01", "0.5", "0.25", "",
            "0.02", "10", "9.5", tag_text, "cc-%d" % k if k % 3 == 0 else ""]))
    return out


def write_headers_h(cur_header_line, focus_header_line):
    def literal(name, text):
        # One string literal per line, cut after commas, each line within clang-format's 100.
        escape = lambda t: t.replace("\\", "\\\\").replace('"', '\\"')
        lines, line = [], ""
        for column in [c + "," for c in text.split(",")[:-1]] + [text.split(",")[-1]]:
            if line and len(escape(line + column)) > 88:
                lines.append(line)
                line = ""
            line += column
        lines.append(line)
        body = "\n".join('    "%s"' % escape(chunk) for chunk in lines)
        return "inline constexpr std::string_view %s =\n%s;\n" % (name, body)

    legacy = cur_header_line.rstrip("\n") + "," + ",".join(LEGACY_EXTRA)
    text = (
        "#pragma once\n"
        "// Generated by tests/fuzz/make_seeds.py from the real samples in ../shared/data: the\n"
        "// header rows the row mapper fuzzer puts in front of its input. The legacy CUR header is\n"
        "// the sample's own, with two resourceTags/user:* columns and reservation/ReservationARN\n"
        "// appended (the sample has none), so that tag columns and the RI fee rule are reachable.\n"
        "#include <string_view>\n\n"
        "namespace costwise::fuzz {\n\n"
        + literal("kLegacyCurHeader", legacy) + "\n"
        + literal("kFocusHeader", focus_header_line.rstrip("\n")) + "\n"
        + literal("kCur2Header", ",".join(CUR2_HEADER)) + "\n"
        "}  // namespace costwise::fuzz\n")
    (ROOT / "tests" / "fuzz" / "billing_headers.h").write_text(text)


def main():
    cur_lines, cur_rows = read(CUR_SAMPLE)
    focus_lines, focus_rows = read(FOCUS_SAMPLE)
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    write_headers_h(cur_lines[0], focus_lines[0])

    legacy_header = cur_lines[0].rstrip("\n") + "," + ",".join(LEGACY_EXTRA) + "\n"
    legacy_real, legacy_tax, legacy_synth = legacy_rows(cur_lines, cur_rows)
    focus_header = focus_lines[0]
    focus_data = focus_lines[1:]
    # Rows that exercise Credit, Adjustment, tags and NULLs.
    focus_mixed = [focus_data[i] for i in (0, 1, 456, 947, 948)]
    cur2_header = ",".join(CUR2_HEADER) + "\n"
    cur2 = cur2_rows(cur_rows, 10)

    # csv_parser_fuzz: one block of records.
    write("csv_parser_fuzz", "focus_3_rows.csv", focus_header + "".join(focus_data[:3]))
    write("csv_parser_fuzz", "focus_tags_rows.csv", "".join(focus_mixed))
    write("csv_parser_fuzz", "legacy_2_rows.csv", "".join(legacy_real[:2]))
    write("csv_parser_fuzz", "cur2_3_rows.csv", "".join(cur2[:3]))
    write("csv_parser_fuzz", "crlf.csv", "a,b,c\r\n1,\"x\r\ny\",3\r\n\r\n4,5,6\r\n")
    write("csv_parser_fuzz", "escaped_quotes.csv",
          '"a ""quoted"" word","",""""\n"multi\nline ""x""",plain,\n')
    write("csv_parser_fuzz", "malformed.csv",
          'a,b"c,d\n"x"y,z\n"unclosed,\nq\rr,s\n"ok",1\n"never closed')
    write("csv_parser_fuzz", "blank_and_trailing.csv", "\n\n\ufeffh1,h2\n\n1,\n2,3,")

    # tag_parser_fuzz: one tag map.
    seen = []
    for row in focus_rows[1:]:
        value = row[-1]
        if value != "NULL" and value not in seen:
            seen.append(value)
        if len(seen) == 6:
            break
    for i, value in enumerate(seen):
        write("tag_parser_fuzz", "focus_tags_%d.json" % i, value)
    write("tag_parser_fuzz", "presto.txt", "{user_team=core, user_env=prod, aws:createdBy=x=y}")
    write("tag_parser_fuzz", "cur2_product.json",
          json.dumps({"product_name": "Amazon S3", "region": "us-east-1"}))
    write("tag_parser_fuzz", "escapes.json",
          '{"k\\u00e9y": "v\\"al\\\\ue\\n", "emoji": "\\ud83d\\ude00", "tab\\t": "\\/\\b\\f\\r"}')
    write("tag_parser_fuzz", "literals.json",
          '{"n": 12.5e3, "t": true, "z": null, "o": {"a": [1, {"b": "}"}]}, "e": ""}')
    write("tag_parser_fuzz", "empty.json", " { } ")

    # row_mapper_fuzz: first byte picks the header put in front ('0' none, '1' legacy CUR,
    # '2' FOCUS, '3' CUR 2.0); the rest is CSV.
    write("row_mapper_fuzz", "raw_legacy.csv", "0" + legacy_header + "".join(legacy_real[:2]))
    write("row_mapper_fuzz", "raw_focus.csv", "0" + focus_header + "".join(focus_data[:3]))
    write("row_mapper_fuzz", "raw_cur2.csv", "0" + cur2_header + "".join(cur2[:3]))
    focus12 = focus_header.rstrip("\n") + ',"InvoiceId"\n'
    write("row_mapper_fuzz", "raw_focus12_bom.csv",
          "0\ufeff" + focus12 + focus_data[1].rstrip("\n") + ",INV-1\n")
    write("row_mapper_fuzz", "raw_legacy_bom.csv", "0\ufeff" + legacy_header + legacy_real[7])
    write("row_mapper_fuzz", "legacy_1_row.csv", "1" + legacy_real[0])
    write("row_mapper_fuzz", "legacy_tax.csv", "1" + legacy_tax)
    write("row_mapper_fuzz", "legacy_5_rows.csv", "1" + "".join(legacy_real[100:105]))
    write("row_mapper_fuzz", "legacy_amortisation.csv", "1" + "".join(legacy_synth))
    write("row_mapper_fuzz", "focus_1_row.csv", "2" + focus_data[0])
    write("row_mapper_fuzz", "focus_mixed.csv", "2" + "".join(focus_mixed))
    write("row_mapper_fuzz", "focus_12_rows.csv", "2" + "".join(focus_data[10:22]))
    write("row_mapper_fuzz", "cur2_10_rows.csv", "3" + "".join(cur2))

    # file_ingest_fuzz: a whole file, plain or gzip; "gz:" asks the harness to gzip the rest.
    legacy_file = legacy_header + "".join(legacy_real[:3]) + "".join(legacy_synth[:3])
    focus_file = focus_header + "".join(focus_data[:10])
    cur2_file = cur2_header + "".join(cur2[:6])
    write("file_ingest_fuzz", "legacy.csv", legacy_file)
    write("file_ingest_fuzz", "focus.csv", focus_file)
    write("file_ingest_fuzz", "cur2.csv", cur2_file)
    write("file_ingest_fuzz", "focus_crlf_malformed.csv",
          (focus_header + "".join(focus_data[:4])).replace("\n", "\r\n")
          + 'NULL,"unclosed\r\nx,1\r\n')
    write("file_ingest_fuzz", "legacy.csv.gz", gz(legacy_file))
    write("file_ingest_fuzz", "focus.csv.gz", gz(focus_file))
    write("file_ingest_fuzz", "cur2_2_members.csv.gz", gz(cur2_file, members=2))
    write("file_ingest_fuzz", "focus_truncated.csv.gz", gz(focus_file)[:-40])
    write("file_ingest_fuzz", "harness_gzip_focus.txt", "gz:" + focus_header
          + "".join(focus_data[20:26]))
    write("file_ingest_fuzz", "harness_gzip_cur2.txt", "gz:" + cur2_file)


if __name__ == "__main__":
    main()
