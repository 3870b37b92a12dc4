// The generator's parameters: names, the layout and sizes they imply, sizing for "--size 8GiB", and
// the JSON they are stored as in a sequence's metadata.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "kiln/log.h"
#include "kiln/sequence_gen.h"

namespace kiln {

const char* generator_kind_name(GeneratorKind kind) {
  switch (kind) {
    case GeneratorKind::PointCloud: return "points";
    case GeneratorKind::Mesh: return "mesh";
  }
  return "unknown";
}

GeneratorKind parse_generator_kind(std::string_view name) {
  if (name == "points") return GeneratorKind::PointCloud;
  if (name == "mesh") return GeneratorKind::Mesh;
  throw Error(str("unknown sequence kind '", name, "' (valid: points, mesh)"));
}

namespace {

void check(const GeneratorParams& p) {
  if (p.frames == 0) throw Error("generator: frames must be at least 1");
  if (p.kind == GeneratorKind::PointCloud && p.points == 0) throw Error("generator: points must be at least 1");
  if (p.kind == GeneratorKind::Mesh && (p.grid < 2 || p.grid > 46341)) {
    throw Error(str("generator: grid ", p.grid, " must be 2..46341 (vertex indices are 32-bit)"));
  }
}

}  // namespace

SequenceLayout generator_layout(const GeneratorParams& p) {
  check(p);
  SequenceLayout layout;
  if (p.kind == GeneratorKind::PointCloud) {
    layout.fields.push_back({.name = "positions", .kind = FieldKind::Buffer, .element_size = 16});
    layout.fields.push_back({.name = "colors", .kind = FieldKind::Buffer, .element_size = 4});
  } else {
    layout.fields.push_back({.name = "vertices", .kind = FieldKind::Buffer, .element_size = 24});
    layout.fields.push_back({.name = "indices", .kind = FieldKind::Buffer, .element_size = 4});
  }
  if (p.texture_size > 0) {
    layout.fields.push_back({.name = "albedo", .kind = FieldKind::Image2D, .format = VK_FORMAT_R8G8B8A8_UNORM,
                             .width = p.texture_size, .height = p.texture_size});
  }
  nlohmann::ordered_json j;
  j["generator"] = "kiln";
  j["kind"] = generator_kind_name(p.kind);
  j["frames"] = p.frames;
  if (p.kind == GeneratorKind::PointCloud) j["points"] = p.points;
  else j["grid"] = p.grid;
  j["texture_size"] = p.texture_size;
  j["seed"] = p.seed;
  layout.metadata = j.dump();
  return layout;
}

uint64_t generator_field_size(const GeneratorParams& p, uint32_t field) {
  const uint64_t g = p.grid;
  switch (field) {
    case 0: return p.kind == GeneratorKind::PointCloud ? uint64_t(p.points) * 16 : g * g * 24;
    case 1: return p.kind == GeneratorKind::PointCloud ? uint64_t(p.points) * 4 : (g - 1) * (g - 1) * 6 * 4;
    case 2:
      if (p.texture_size > 0) return uint64_t(p.texture_size) * p.texture_size * 4;
      break;
    default: break;
  }
  throw Error(str("generator: no field ", field, " in a ", generator_kind_name(p.kind), " sequence",
                  p.texture_size ? "" : " without texture"));
}

uint64_t generator_frame_size(const GeneratorParams& p) {
  uint64_t sum = generator_field_size(p, 0) + generator_field_size(p, 1);
  if (p.texture_size > 0) sum += generator_field_size(p, 2);
  return sum;
}

GeneratorParams generator_params_for_size(GeneratorKind kind, uint64_t total_bytes, uint32_t frames) {
  GeneratorParams p{.kind = kind, .frames = std::max(frames, 1u)};
  const uint64_t per_frame = total_bytes / p.frames;
  if (kind == GeneratorKind::PointCloud) {
    p.points = static_cast<uint32_t>(std::clamp<uint64_t>(per_frame / 20, 1, 0xffffffffu / 16));
  } else {
    // grid² × 24 bytes of vertices + (grid-1)² × 24 bytes of indices ≈ 48 × grid².
    p.grid = static_cast<uint32_t>(std::clamp<double>(std::round(std::sqrt(double(per_frame) / 48.0)), 2, 46341));
  }
  return p;
}

bool generator_params_from_metadata(const std::string& metadata, GeneratorParams& out) {
  const nlohmann::json j = nlohmann::json::parse(metadata, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("generator", "") != "kiln") return false;
  try {
    GeneratorParams p;
    p.kind = parse_generator_kind(j.at("kind").get<std::string>());
    p.frames = j.at("frames").get<uint32_t>();
    if (p.kind == GeneratorKind::PointCloud) p.points = j.at("points").get<uint32_t>();
    else p.grid = j.at("grid").get<uint32_t>();
    p.texture_size = j.value("texture_size", 0u);
    p.seed = j.value("seed", uint64_t(1));
    out = p;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace kiln
