"""kiln shader reflect --json: the output parses and names the shader's bindings with their types."""
import json
import subprocess
import sys
import tempfile

kiln, shader = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as cache:
    out = subprocess.run([kiln, "shader", "reflect", shader, "--json", "--cache-dir", cache],
                         check=True, capture_output=True, text=True).stdout
r = json.loads(out)
text = json.dumps(r)
for name in ("source_image", "blurred", "params"):
    assert name in text, f"binding {name} missing from {out}"
bindings = r["bindings"] if isinstance(r, dict) and "bindings" in r else None
assert bindings, f"no bindings array in {out}"
by_name = {b["name"]: b for b in bindings}
assert by_name["blurred"]["binding"] == 1 and by_name["blurred"]["set"] == 0, by_name["blurred"]
print("ok:", ", ".join(sorted(by_name)))
