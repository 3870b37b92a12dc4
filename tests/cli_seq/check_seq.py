#!/usr/bin/env python3
"""kiln seqgen, then kiln seqinfo --json checked by content, --verify on the file (exit 0) and on a
copy with one damaged blob (exit 3, the blob named), and a truncated copy (exit 1, offset named).

usage: check_seq.py KILN WORKDIR KIND-COMPRESSION   (e.g. points-lz4)
"""
import json
import os
import shutil
import struct
import subprocess
import sys


def run(args, expect):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != expect:
        sys.exit(f"{' '.join(args)}: exit {p.returncode}, expected {expect}\n--- stdout ---\n{p.stdout}\n"
                 f"--- stderr ---\n{p.stderr}")
    return p


def check(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)


def main():
    kiln, work, config = sys.argv[1:4]
    kind, compression = config.split("-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    path = os.path.join(work, "seq.kseq")
    frames = 7
    size_args = ["--points", "5000"] if kind == "points" else ["--grid", "40"]
    gen = run([kiln, "seqgen", path, "--kind", kind, "--frames", str(frames), *size_args, "--texture", "32",
               "--compress", compression, "--seed", "9", "--threads", "2", "--json"], 0)
    written = json.loads(gen.stdout)
    check(written["path"] == path and written["frames"] == frames, f"seqgen --json: {written}")
    check(written["compression"] == compression, "seqgen --json compression")

    info = json.loads(run([kiln, "seqinfo", path, "--json"], 0).stdout)
    check(info["version"] == 1, "version")
    check(info["frames"] == frames, "frames")
    check(info["file_size"] == os.path.getsize(path), "file_size")
    names = [f["name"] for f in info["fields"]]
    if kind == "points":
        check(names == ["positions", "colors", "albedo"], f"field names {names}")
        sizes = [5000 * 16, 5000 * 4, 32 * 32 * 4]
        check(info["generator"]["points"] == 5000, "generator params")
    else:
        check(names == ["vertices", "indices", "albedo"], f"field names {names}")
        sizes = [40 * 40 * 24, 39 * 39 * 6 * 4, 32 * 32 * 4]
        check(info["generator"]["grid"] == 40, "generator params")
    check(info["generator"]["seed"] == 9 and info["generator"]["kind"] == kind, "generator params")
    for f, size in zip(info["fields"], sizes):
        check(f["raw_bytes"] == size * frames, f"{f['name']} raw_bytes {f['raw_bytes']}, expected {size * frames}")
        check(f["min_frame_bytes"] == size and f["max_frame_bytes"] == size, f"{f['name']} frame sizes")
        check(sum(f["blobs"].values()) == frames, f"{f['name']} blob counts")
        if compression == "none":
            check(f["blobs"]["none"] == frames and f["stored_bytes"] == f["raw_bytes"], f"{f['name']} stored raw")
    check(info["fields"][2]["format"] == "VK_FORMAT_R8G8B8A8_UNORM", "albedo format")
    check(info["raw_bytes"] == sum(sizes) * frames, "raw_bytes")
    check(info["raw_bytes"] == written["bytes_raw"] and info["stored_bytes"] == written["bytes_stored"],
          "seqgen and seqinfo agree on sizes")
    if compression != "none":
        check(info["stored_bytes"] < info["raw_bytes"], "compression saved nothing")
        # The mesh's index buffer is highly regular: it must compress.
        check(sum(f["blobs"][compression] for f in info["fields"]) > 0, "no compressed blob")

    ok = json.loads(run([kiln, "seqinfo", path, "--verify", "--json"], 0).stdout)
    check(ok["verify"] == {"blobs": frames * 3, "bad": 0, "ok": True, "errors": []}, f"verify: {ok['verify']}")
    text = run([kiln, "seqinfo", path, "--verify"], 0).stdout
    check(f"verify: all {frames * 3} blobs intact" in text, text)

    # The first blob written starts right after the 64-byte header: damage it.
    bad = os.path.join(work, "damaged.kseq")
    data = bytearray(open(path, "rb").read())
    data[64 + 5] ^= 0x5A
    open(bad, "wb").write(data)
    p = run([kiln, "seqinfo", bad, "--verify"], 3)
    check("verify: 1 of %d blobs damaged" % (frames * 3) in p.stdout, p.stdout)
    check("damaged: " + bad + ": offset 64: frame " in p.stderr, p.stderr)
    check(f"field '{names[0]}'" in p.stderr, p.stderr)
    bad_json = json.loads(run([kiln, "seqinfo", bad, "--verify", "--json"], 3).stdout)
    check(bad_json["verify"]["bad"] == 1 and not bad_json["verify"]["ok"], f"{bad_json['verify']}")
    check("offset 64" in bad_json["verify"]["errors"][0], bad_json["verify"]["errors"][0])

    # Truncated: the index no longer ends the file.
    cut = os.path.join(work, "truncated.kseq")
    open(cut, "wb").write(data[: len(data) - 10])
    p = run([kiln, "seqinfo", cut], 1)
    check(cut + ": offset 24: the index should span" in p.stderr and "truncated" in p.stderr, p.stderr)
    print("ok")


if __name__ == "__main__":
    main()
