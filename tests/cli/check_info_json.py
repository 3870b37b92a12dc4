"""Runs `kiln info --json` and checks that it parses and has the keys docs/info.md documents."""
import json
import subprocess
import sys

kiln = sys.argv[1]
run = subprocess.run([kiln, "info", "--json"], capture_output=True, text=True)
if run.returncode != 0:
    sys.exit(f"kiln info --json exited {run.returncode}:\n{run.stderr}")
report = json.loads(run.stdout)  # a parse error fails the test with its position


def need(obj, keys, where):
    missing = [k for k in keys if k not in obj]
    if missing:
        sys.exit(f"{where}: missing keys {missing}; has {sorted(obj)}")


need(report, ["kiln_version", "instance", "devices"], "top level")
need(report["instance"], ["loader_version", "api_version", "validation", "debug_utils", "layers"], "instance")
for layer in report["instance"]["layers"]:
    need(layer, ["name", "spec_version", "implementation_version", "description"], "layer")
if not report["devices"]:
    sys.exit("no devices")
for d in report["devices"]:
    where = f"device {d.get('index')}"
    need(d, ["index", "name", "type", "vendor_id", "vendor", "device_id", "api_version", "driver_version",
             "driver_version_text", "driver", "queue_families", "memory", "features", "limits", "extensions"], where)
    need(d["driver"], ["id", "name", "info", "conformance_version"], where + " driver")
    for q in d["queue_families"]:
        need(q, ["index", "flags", "count", "timestamp_valid_bits", "min_image_transfer_granularity"], where + " queue")
        assert all(isinstance(f, str) for f in q["flags"]), q
    need(d["memory"], ["heaps", "types"], where + " memory")
    for h in d["memory"]["heaps"]:
        need(h, ["index", "size", "flags"], where + " heap")
    for t in d["memory"]["types"]:
        need(t, ["index", "heap", "flags"], where + " memory type")
    features = d["features"]
    for name in ["dynamic_rendering", "synchronization2", "timeline_semaphore", "memory_budget"]:
        if not isinstance(features.get(name), bool):
            sys.exit(f"{where}: feature {name} missing or not a boolean: {features}")
if not any("llvmpipe" in d["name"] for d in report["devices"]):
    sys.exit("no llvmpipe device in the report (tests run on lavapipe)")
print(f"kiln info --json: {len(report['devices'])} device(s), every documented key present")
