#!/usr/bin/python3
"""End-to-end checks of `kiln capture` on real programs, by content.

  check_capture.py KILN WORK CASE [PROGRAM...]

CASE is one of: compute, copy, no_match, vkcube, vkcube_frame2, vkcube_cow_off (copy-on-write off: the same
texture, copied as the draw ran), stale (no Vulkan: a capture.json left from an earlier run is not taken for
this run's). Each runs `kiln capture` on a real program (kiln's
compute_headless example, or vkcube from Debian's vulkan-tools), then reads capture.json and the files it
names and checks them: PNG pixels decoded here (8-bit, no dependency beyond zlib), .bin bytes compared.
Runs under the validation layer (loaded below the capture layer by VK_INSTANCE_LAYERS) and fails on any
validation message.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib


def fail(message, output=""):
    print("FAIL: " + message)
    if output:
        print("--- kiln capture output ---\n" + output)
    sys.exit(1)


def read_png(path):
    """(width, height, channels, bytes) of an 8-bit non-interlaced PNG, as kiln::write_png writes them."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace:
                fail("%s: bit depth %d, interlace %d: not what kiln writes" % (path, depth, interlace))
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        out += line
        prev = line
    return width, height, channels, bytes(out)


def run_capture(kiln, work, args, program, env_extra=None, expect=0):
    out = os.path.join(work, "capture")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ)
    # Validation below the capture layer: it judges the layer's own commands too.
    env["VK_INSTANCE_LAYERS"] = "VK_LAYER_KHRONOS_validation"
    env["VK_LAYER_ENABLES"] = "VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT"
    env.update(env_extra or {})
    cmd = [kiln, "capture", "--out", out] + args + ["--"] + program
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240)
    if p.returncode != expect:
        fail("%s exited with %d, expected %d" % (" ".join(cmd), p.returncode, expect), p.stdout)
    # Errors and warnings fail the test. Performance warnings do not: the layer copies images in the
    # layout the program left them in (GENERAL, say) rather than changing the program's layouts.
    for bad in ("Validation Error", "Validation Warning", "VUID-", "SYNC-HAZARD"):
        if bad in p.stdout:
            fail("a validation message: " + bad, p.stdout)
    capture = json.load(open(os.path.join(out, "capture.json")))
    return out, capture, p.stdout


def one(capture, output, **fields):
    found = [r for r in capture.get("resources", []) if all(r.get(k) == v for k, v in fields.items())]
    if len(found) != 1:
        fail("expected one resource with %s, found %d" % (fields, len(found)), output)
    return found[0]


def check_compute(kiln, work, program):
    png = os.path.join(work, "pattern.png")
    out, c, output = run_capture(kiln, work, ["--command", "dispatch:1"], program + [png])
    if not c["command"].startswith("vkCmdDispatch"):
        fail("command is " + c["command"], output)
    if c["pipeline"]["bind_point"] != "compute" or c["when"] != "both" or c["spec"] != "dispatch:1":
        fail("pipeline/when/spec: %s" % json.dumps(c), output)
    r = one(c, output, role="descriptor", set=0, binding=0)
    expect = {"shader_name": "target", "descriptor_type": "storage_image", "written": True, "kind": "image",
              "format": "VK_FORMAT_R8G8B8A8_UNORM", "extent": [256, 256, 1], "file_format": "png",
              "after": "after/set0_binding0_target.png", "before": "before/set0_binding0_target.png"}
    for k, v in expect.items():
        if r.get(k) != v:
            fail("resource %s is %r, expected %r" % (k, r.get(k), v), output)
    # What the dispatch wrote is what the example itself read back afterwards.
    if read_png(os.path.join(out, r["after"])) != read_png(png):
        fail("after/set0_binding0_target.png differs from the example's own read-back", output)
    if not os.path.exists(os.path.join(out, r["before"])):
        fail("before file missing", output)
    if "set0_binding0_target" not in output or "R8G8B8A8_UNORM 256x256" not in output:
        fail("the table does not show the resource", output)


def read_npy(path):
    """(descr, shape, bytes) of a .npy file."""
    data = open(path, "rb").read()
    if data[:6] != b"\x93NUMPY":
        fail(path + " is not a .npy file")
    length = struct.unpack("<H", data[8:10])[0]
    header = eval(data[10:10 + length].decode("latin1"))  # a Python dict literal, by the format's definition
    return header["descr"], list(header["shape"]), data[10 + length:]


def check_copy(kiln, work, program):
    png = os.path.join(work, "pattern.png")
    out, c, output = run_capture(kiln, work, ["--command", "copy:1", "--when", "before", "--json"], program + [png])
    # --json prints capture.json itself, after the program's own output.
    if json.loads(output[output.index("\n{") + 1:]) != c:
        fail("--json did not print capture.json", output)
    if not c["command"].startswith("vkCmdCopyImageToBuffer"):
        fail("command is " + c["command"], output)
    if c["pipeline"] is not None:
        fail("a copy has no pipeline: %s" % c["pipeline"], output)
    src = one(c, output, role="transfer_source")
    if src["after"] is not None or src["file_format"] != "png":
        fail("source: %s" % json.dumps(src), output)
    if read_png(os.path.join(out, src["before"])) != read_png(png):
        fail("the copy's source before the copy differs from the example's read-back", output)


def check_no_match(kiln, work, program):
    png = os.path.join(work, "pattern.png")
    out, c, output = run_capture(kiln, work, ["--command", "draw:1"], program + [png], expect=3)
    if "error" not in c or "resources" in c:
        fail("no-match capture.json: %s" % json.dumps(c), output)
    if not any("vkCmdDispatch" in line for line in c["commands"]):
        fail("the command list lacks the dispatch: %s" % c["commands"], output)
    if "vkCmdDispatch" not in output or "matched no command" not in output:
        fail("the command list is not printed", output)


def check_vkcube(kiln, work, program, cow=True):
    out, c, output = run_capture(kiln, work, ["--command", "draw:1"] + ([] if cow else ["--cow", "off"]), program)
    tex = one(c, output, role="descriptor", descriptor_type="combined_image_sampler")
    # Copy-on-write: vkcube never writes its texture again, so the layer never copied it as the draw ran:
    # it read the untouched texture when it wrote the capture. Off: copied at the draw, like the rest.
    tex_bytes = tex["extent"][0] * tex["extent"][1] * 4
    if cow and (tex.get("copy") != "untouched" or c["bytes_deferred"] < tex_bytes or "copy-on-write deferred" not in output):
        fail("copy-on-write: texture copy %r, bytes_deferred %d" % (tex.get("copy"), c["bytes_deferred"]), output)
    if not cow and ("copy" in tex or c["bytes_deferred"] != 0 or "untouched" in output):
        fail("--cow off: texture copy %r, bytes_deferred %d" % (tex.get("copy"), c["bytes_deferred"]), output)
    w, h, ch, pixels = read_png(os.path.join(out, tex["before"]))
    if (w, h) != tuple(tex["extent"][:2]) or w < 64 or h < 64:
        fail("texture is %dx%d (%s)" % (w, h, tex["extent"]), output)
    # The LunarG logo: many distinct colours, not a cleared or uninitialised image.
    colours = {pixels[i:i + ch] for i in range(0, len(pixels), ch)}
    if len(colours) < 50:
        fail("texture has only %d distinct colours" % len(colours), output)
    colour = one(c, output, role="color_attachment", attachment=0)
    if colour["file_format"] != "png" or colour["before"] is None or colour["after"] is None:
        fail("colour attachment: %s" % json.dumps(colour), output)
    bw, bh, bch, before = read_png(os.path.join(out, colour["before"]))
    aw, ah, ach, after = read_png(os.path.join(out, colour["after"]))
    if (bw, bh) != (aw, ah):
        fail("before %dx%d, after %dx%d" % (bw, bh, aw, ah), output)

    def px(img, x, y):
        return img[(y * bw + x) * bch:(y * bw + x + 1) * bch]

    # The cube covers the middle of the window and leaves its corners alone.
    if px(before, bw // 2, bh // 2) == px(after, bw // 2, bh // 2):
        fail("the draw did not change the centre pixel", output)
    for x, y in ((0, 0), (bw - 1, 0), (0, bh - 1), (bw - 1, bh - 1)):
        if px(before, x, y) != px(after, x, y):
            fail("the draw changed corner (%d, %d)" % (x, y), output)
    changed = sum(1 for i in range(0, len(before), bch) if before[i:i + bch] != after[i:i + bch])
    if changed < bw * bh // 20:
        fail("only %d pixels changed" % changed, output)

    # The uniform buffer is only read: the same bytes before and after, the size reflection gives its block.
    ubuf = one(c, output, role="descriptor", descriptor_type="uniform_buffer")
    ubuf_before = open(os.path.join(out, ubuf["before"]), "rb").read()
    if ubuf["written"] or len(ubuf_before) != ubuf["size"] or ubuf_before != open(os.path.join(out, ubuf["after"]), "rb").read():
        fail("uniform buffer: %s" % json.dumps(ubuf), output)
    if sum(m["size"] for m in ubuf.get("members", [])) != ubuf["size"]:
        fail("uniform buffer members do not cover it: %s" % ubuf.get("members"), output)

    # Depth (D16, uint16): cleared to 1.0 before the draw, nearer in the cube's middle after it.
    depth = one(c, output, role="depth_attachment")
    descr, shape, d_before = read_npy(os.path.join(out, depth["before"]))
    _, _, d_after = read_npy(os.path.join(out, depth["after"]))
    if descr != "<u2" or shape != [bh, bw, 1] or depth["dtype"] != "uint16":
        fail("depth file %s %s" % (descr, shape), output)
    centre = ((bh // 2) * bw + bw // 2) * 2
    if set(d_before) != {0xff} or struct.unpack("<H", d_after[centre:centre + 2])[0] >= 0xffff:
        fail("depth before is not all 1.0, or the cube did not write depth", output)


def check_vkcube_frame2(kiln, work, program):
    """--frame and --when reach the layer: frame 2's draw, after it only."""
    out, c, output = run_capture(kiln, work, ["--command", "draw:1", "--frame", "2", "--when", "after"], program)
    if c["frame"] != 2 or c["when"] != "after" or not c["command"].startswith("vkCmdDraw"):
        fail("frame %s, when %s, command %s" % (c["frame"], c["when"], c["command"]), output)
    for r in c["resources"]:
        if r["before"] is not None or r["after"] is None or not os.path.exists(os.path.join(out, r["after"])):
            fail("resource %s: before %s, after %s" % (r["name"], r["before"], r["after"]), output)
    if os.listdir(os.path.join(out, "before")):
        fail("before/ is not empty", output)


def check_stale(kiln, work, program):
    out = os.path.join(work, "capture")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(out)
    with open(os.path.join(out, "capture.json"), "w") as f:
        f.write('{"kiln_capture": 1, "spec": "draw:1", "resources": []}')
    p = subprocess.run([kiln, "capture", "--command", "draw:1", "--out", out, "--"] + program,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    if p.returncode != 1 or "no capture was written" not in p.stdout:
        fail("exit %d" % p.returncode, p.stdout)
    if os.path.exists(os.path.join(out, "capture.json")):
        fail("the stale capture.json is still there", p.stdout)


if __name__ == "__main__":
    kiln, work, case, program = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    {"compute": check_compute, "copy": check_copy, "no_match": check_no_match, "vkcube": check_vkcube,
     "vkcube_frame2": check_vkcube_frame2,
     "vkcube_cow_off": lambda k, w, p: check_vkcube(k, w, p, cow=False),
     "stale": check_stale}[case](
        kiln, work, program)
    print("ok: " + case)
