#!/usr/bin/env python3
"""Enforces the layering of docs/architecture.md on #include lines.

- An engine (src/engines/*) includes only core, its own engine folder, the standard library and
  Eigen: never store, ingest, service, api, cli, another engine, HTTP or JSON headers.
- Only src/api/ includes the HTTP server header (httplib.h).
- core includes nothing of costwise but core; ingest and store never include each other, nor
  service, api, cli or engines; service never includes api or cli or HTTP/JSON headers.
- JSON headers belong to src/api/, except in src/ingest/aws/, where JSON 1.1 is the wire
  format of Athena and Pricing.

Usage: check_includes.py [SRC_DIR]   (exit 1 and one line per violation when rules are broken)
       check_includes.py --self-test (proves the checker catches each kind of violation)
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
HTTP_HEADERS = ("httplib.h",)
JSON_HEADERS = ("nlohmann/", "json.hpp", "rapidjson/", "simdjson")
PROJECT_FOLDERS = ("core", "ingest", "store", "service", "api", "cli", "engines")

# Which costwise folders each layer may include (besides itself).
ALLOWED = {
    "core": {"core"},
    "ingest": {"core", "ingest"},
    "store": {"core", "store"},
    "service": {"core", "ingest", "store", "engines", "service"},
    "api": {"core", "service", "store", "ingest", "engines", "api"},
    "cli": {"core", "service", "store", "ingest", "engines", "api", "cli"},
}


def layer_of(relative):
    parts = relative.split("/")
    if parts[0] == "engines" and len(parts) > 2:
        return "engines/" + parts[1]
    return parts[0]


def target_of(header):
    parts = header.split("/")
    if parts[0] not in PROJECT_FOLDERS or len(parts) < 2:
        return None
    if parts[0] == "engines" and len(parts) > 2:
        return "engines/" + parts[1]
    return parts[0]


def check(src_dir):
    violations = []
    for root, _, files in os.walk(src_dir):
        for name in sorted(files):
            if not name.endswith((".h", ".hpp", ".cpp", ".cc")):
                continue
            path = os.path.join(root, name)
            relative = os.path.relpath(path, src_dir).replace(os.sep, "/")
            layer = layer_of(relative)
            with open(path, encoding="utf-8", errors="replace") as source:
                for number, line in enumerate(source, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    header = match.group(1)
                    where = f"src/{relative}:{number}: includes {header}"
                    if header.endswith(HTTP_HEADERS) and layer != "api":
                        violations.append(f"{where}: only src/api/ may include the HTTP server")
                        continue
                    if layer.startswith("engines/"):
                        if header.startswith(JSON_HEADERS) or header.endswith(HTTP_HEADERS):
                            violations.append(f"{where}: engines must not include JSON/HTTP")
                            continue
                        target = target_of(header)
                        if target is not None and target not in ("core", layer):
                            violations.append(
                                f"{where}: engines may include only core and their own folder")
                        continue
                    # AWS's JSON 1.1 protocol (Athena, Pricing) is a wire format of the AWS
                    # client in ingest/aws/, as XML is for the query and REST-XML protocols.
                    aws_wire = relative.startswith("ingest/aws/")
                    if layer in ("core", "ingest", "store", "service") and header.startswith(
                            JSON_HEADERS) and not aws_wire:
                        violations.append(f"{where}: JSON belongs to src/api/")
                        continue
                    target = target_of(header)
                    if target is None or layer not in ALLOWED:
                        continue
                    base = target.split("/")[0]
                    if base not in ALLOWED[layer]:
                        violations.append(f"{where}: {layer} must not depend on {target}")
    return violations


def self_test():
    cases = {
        "engines/anomaly/bad_store.cpp": '#include "store/repository.h"\n',
        "engines/anomaly/bad_ingest.cpp": '#include "ingest/file_ingest.h"\n',
        "engines/forecast/bad_json.cpp": "#include <nlohmann/json.hpp>\n",
        "engines/forecast/bad_http.cpp": "#include <httplib.h>\n",
        "engines/forecast/bad_other_engine.cpp": '#include "engines/anomaly/forest.h"\n',
        "service/bad_http.cpp": "#include <httplib.h>\n",
        "cli/bad_http.cpp": '#include "httplib.h"\n',
        "core/bad_up.h": '#include "store/repository.h"\n',
        "ingest/bad_store.cpp": '#include "store/repository.h"\n',
        "ingest/bad_json.cpp": "#include <nlohmann/json.hpp>\n",
        "ingest/aws/bad_store.cpp": '#include "store/repository.h"\n',
    }
    good = {
        "engines/anomaly/good.cpp": '#include "core/money.h"\n#include <Eigen/Dense>\n'
                                    '#include "engines/anomaly/forest.h"\n',
        "api/good.cpp": "#include <httplib.h>\n#include <nlohmann/json.hpp>\n",
        "service/good.cpp": '#include "store/repository.h"\n#include "ingest/file_ingest.h"\n',
        "ingest/aws/good.cpp": "#include <nlohmann/json.hpp>\n#include <pugixml.hpp>\n",
    }
    with tempfile.TemporaryDirectory() as tmp:
        for relative, text in {**cases, **good}.items():
            path = os.path.join(tmp, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as out:
                out.write(text)
        found = check(tmp)
    flagged = {line.split(":")[0][len("src/"):] for line in found}
    missed = sorted(set(cases) - flagged)
    wrong = sorted(flagged - set(cases))
    if missed or wrong:
        print("self-test failed; missed:", missed, "wrongly flagged:", wrong)
        return 1
    print(f"self-test passed: {len(cases)} violations caught, {len(good)} clean files accepted")
    return 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    src_dir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "../../src")
    violations = check(os.path.normpath(src_dir))
    for line in violations:
        print(line)
    if violations:
        print(f"{len(violations)} include rule violation(s); see docs/architecture.md")
        return 1
    print("include rules hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
