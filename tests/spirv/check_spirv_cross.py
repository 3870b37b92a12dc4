#!/usr/bin/env python3
"""Checks that kiln's reflection (kiln_reflect_dump) agrees with `spirv-cross --reflect` on each
SPIR-V file given: bindings (set, binding, descriptor type, array size, name), block member names,
offsets, strides and block sizes, push constant members, workgroup size, spec constant ids and
stage inputs/outputs (names, locations)."""
import argparse
import json
import subprocess
import sys

# spirv-cross category -> kiln descriptor type(s)
CATEGORIES = {
    "ubos": {"uniform_buffer"},
    "ssbos": {"storage_buffer"},
    "textures": {"combined_image_sampler", "uniform_texel_buffer"},
    "separate_images": {"sampled_image", "uniform_texel_buffer"},
    "separate_samplers": {"sampler"},
    "images": {"storage_image", "storage_texel_buffer"},
    "subpass_inputs": {"input_attachment"},
    "acceleration_structures": {"acceleration_structure"},
}
GLSL_FORMATS = {
    "rgba32f": "R32G32B32A32_SFLOAT", "rgba16f": "R16G16B16A16_SFLOAT", "r32f": "R32_SFLOAT",
    "rgba8": "R8G8B8A8_UNORM", "rgba8_snorm": "R8G8B8A8_SNORM", "rg32f": "R32G32_SFLOAT",
    "rg16f": "R16G16_SFLOAT", "r11f_g11f_b10f": "B10G11R11_UFLOAT_PACK32", "r16f": "R16_SFLOAT",
    "rgba16": "R16G16B16A16_UNORM", "rgb10_a2": "A2B10G10R10_UNORM_PACK32", "rg16": "R16G16_UNORM",
    "rg8": "R8G8_UNORM", "r16": "R16_UNORM", "r8": "R8_UNORM", "rgba32i": "R32G32B32A32_SINT",
    "rgba16i": "R16G16B16A16_SINT", "rgba8i": "R8G8B8A8_SINT", "r32i": "R32_SINT", "rg32i": "R32G32_SINT",
    "rgba32ui": "R32G32B32A32_UINT", "rgba16ui": "R16G16B16A16_UINT", "rgba8ui": "R8G8B8A8_UINT",
    "r32ui": "R32_UINT", "rg32ui": "R32G32_UINT",
}


class Checker:
    def __init__(self, name):
        self.name = name
        self.errors = []
        self.checks = 0

    def eq(self, what, ours, theirs):
        self.checks += 1
        if ours != theirs:
            self.errors.append(f"{self.name}: {what}: kiln {ours!r} != spirv-cross {theirs!r}")


def count_of(res):
    n = 1
    for a in res.get("array", []):
        if a == 0:
            return 0
        n *= a
    return n


def compare_members(c, where, ours, theirs_type, types):
    theirs = theirs_type["members"]
    c.eq(f"{where} member count", len(ours), len(theirs))
    for o, t in zip(ours, theirs):
        w = f"{where}.{t['name']}"
        c.eq(f"{w} name", o["name"], t["name"])
        c.eq(f"{w} offset", o["offset"], t.get("offset"))
        if "array" in t:
            c.eq(f"{w} array size", o.get("array_size"), t["array"][-1])
            c.eq(f"{w} array stride", o.get("array_stride"), t.get("array_stride"))
        else:
            c.eq(f"{w} is array", "array_size" in o, False)
        if "matrix_stride" in t:
            c.eq(f"{w} matrix stride", o.get("matrix_stride"), t["matrix_stride"])
            c.eq(f"{w} row major", o.get("row_major"), t.get("row_major", False))
        if t["type"] in types:
            c.eq(f"{w} struct name", o["type"], "struct " + types[t["type"]]["name"])
            compare_members(c, w, o.get("members", []), types[t["type"]], types)
        else:
            c.eq(f"{w} type", o["type"], t["type"])


def check(path, dump, cross):
    c = Checker(path)
    ours = json.loads(subprocess.run([dump, path], check=True, capture_output=True, text=True).stdout)
    theirs = json.loads(subprocess.run([cross, path, "--reflect"], check=True, capture_output=True, text=True).stdout)
    types = theirs.get("types", {})

    # Entry points and workgroup size (a dimension given by a spec constant id is skipped).
    c.eq("entry point names", [e["name"] for e in ours["entry_points"]], [e["name"] for e in theirs["entryPoints"]])
    for o, t in zip(ours["entry_points"], theirs["entryPoints"]):
        if "workgroup_size" in t:
            spec = t.get("workgroup_size_is_spec_constant_id", [False] * 3)
            for i in range(3):
                if not spec[i]:
                    c.eq(f"workgroup_size[{i}]", o["workgroup_size"][i], t["workgroup_size"][i])

    # Descriptor bindings.
    by_slot = {(b["set"], b["binding"]): b for b in ours["bindings"]}
    seen = set()
    for category, kinds in CATEGORIES.items():
        for res in theirs.get(category, []):
            slot = (res["set"], res["binding"])
            seen.add(slot)
            b = by_slot.get(slot)
            c.checks += 1
            if b is None:
                c.errors.append(f"{path}: kiln has no binding at set {slot[0]} binding {slot[1]} ({res['name']})")
                continue
            where = f"binding {slot}"
            c.eq(f"{where} type", b["type"] in kinds, True)
            c.eq(f"{where} count", b["count"], count_of(res))
            if category in ("ubos", "ssbos"):
                c.eq(f"{where} block name", b["block"]["type_name"], res["name"])
                c.eq(f"{where} block size", b["block"]["size"], res["block_size"])
                compare_members(c, where, b["block"]["members"], types[res["type"]], types)
                c.eq(f"{where} readonly", b["non_writable"], res.get("readonly", False))
            else:
                c.eq(f"{where} name", b["name"], res["name"])
            if category == "images":
                c.eq(f"{where} readonly", b["non_writable"], res.get("readonly", False))
                c.eq(f"{where} writeonly", b["non_readable"], res.get("writeonly", False))
                if "format" in res:
                    c.eq(f"{where} format", b["image"]["format"], "VK_FORMAT_" + GLSL_FORMATS.get(res["format"], "?"))
    c.eq("binding slots", sorted(by_slot), sorted(seen))

    # Push constants.
    pcs = theirs.get("push_constants", [])
    c.eq("has push constants", ours["push_constants"] is not None, bool(pcs))
    if pcs and ours["push_constants"]:
        compare_members(c, "push_constants", ours["push_constants"]["members"], types[pcs[0]["type"]], types)

    # Specialisation constants.
    c.eq("spec constant ids", sorted(s["id"] for s in ours["spec_constants"]),
         sorted(s["id"] for s in theirs.get("specialization_constants", [])))
    for t in theirs.get("specialization_constants", []):
        o = next((s for s in ours["spec_constants"] if s["id"] == t["id"]), None)
        if o:
            c.eq(f"spec constant {t['id']} name", o["name"], t["name"])
            c.eq(f"spec constant {t['id']} type", o["type"], t["type"])

    # Stage inputs and outputs.
    for key in ("inputs", "outputs"):
        c.eq(f"{key}", sorted((v["location"], v["name"], v["type"]) for v in ours[key]),
             sorted((v["location"], v["name"], v["type"]) for v in theirs.get(key, [])))
    return c


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dump", required=True)
    p.add_argument("--spirv-cross", required=True)
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    failed = 0
    for f in args.files:
        c = check(f, args.dump, args.spirv_cross)
        status = "ok" if not c.errors else "FAILED"
        print(f"{f}: {c.checks} checks {status}")
        for e in c.errors:
            print("  " + e)
        failed += bool(c.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
