// Shader stage names, parsing and file-extension mapping.
#include "kiln/spirv.h"

namespace kiln {
namespace {

struct StageInfo {
  const char* name;
  const char* short_name;   // glslang's file extension
  VkShaderStageFlagBits bit;
};

constexpr StageInfo kStages[] = {
    {"vertex", "vert", VK_SHADER_STAGE_VERTEX_BIT},
    {"tess_control", "tesc", VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT},
    {"tess_eval", "tese", VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT},
    {"geometry", "geom", VK_SHADER_STAGE_GEOMETRY_BIT},
    {"fragment", "frag", VK_SHADER_STAGE_FRAGMENT_BIT},
    {"compute", "comp", VK_SHADER_STAGE_COMPUTE_BIT},
    {"task", "task", VK_SHADER_STAGE_TASK_BIT_EXT},
    {"mesh", "mesh", VK_SHADER_STAGE_MESH_BIT_EXT},
    {"raygen", "rgen", VK_SHADER_STAGE_RAYGEN_BIT_KHR},
    {"anyhit", "rahit", VK_SHADER_STAGE_ANY_HIT_BIT_KHR},
    {"closesthit", "rchit", VK_SHADER_STAGE_CLOSEST_HIT_BIT_KHR},
    {"miss", "rmiss", VK_SHADER_STAGE_MISS_BIT_KHR},
    {"intersection", "rint", VK_SHADER_STAGE_INTERSECTION_BIT_KHR},
    {"callable", "rcall", VK_SHADER_STAGE_CALLABLE_BIT_KHR},
};
static_assert(std::size(kStages) == static_cast<size_t>(ShaderStage::Count));

}  // namespace

const char* shader_stage_name(ShaderStage s) {
  auto i = static_cast<size_t>(s);
  return i < std::size(kStages) ? kStages[i].name : "unknown";
}

bool parse_shader_stage(std::string_view name, ShaderStage* out) {
  for (size_t i = 0; i < std::size(kStages); ++i) {
    if (name == kStages[i].name || name == kStages[i].short_name) {
      if (out) *out = static_cast<ShaderStage>(i);
      return true;
    }
  }
  // A few common spellings people type.
  struct Alias { std::string_view name; ShaderStage stage; };
  static constexpr Alias kAliases[] = {
      {"tesscontrol", ShaderStage::TessControl}, {"tesseval", ShaderStage::TessEval},
      {"pixel", ShaderStage::Fragment},          {"closest_hit", ShaderStage::ClosestHit},
      {"any_hit", ShaderStage::AnyHit},          {"ray_generation", ShaderStage::RayGen},
  };
  for (const Alias& a : kAliases) {
    if (name == a.name) {
      if (out) *out = a.stage;
      return true;
    }
  }
  return false;
}

VkShaderStageFlagBits shader_stage_bit(ShaderStage s) {
  auto i = static_cast<size_t>(s);
  return i < std::size(kStages) ? kStages[i].bit : VkShaderStageFlagBits{};
}

std::optional<ShaderStage> stage_from_path(std::string_view path) {
  // Only the file name counts: "shaders.v2/foo" has no stage.
  if (auto slash = path.find_last_of("/\\"); slash != std::string_view::npos) path.remove_prefix(slash + 1);
  auto strip_suffix = [&](std::string_view suffix) {
    if (path.size() > suffix.size() && path.substr(path.size() - suffix.size()) == suffix) {
      path.remove_suffix(suffix.size());
    }
  };
  strip_suffix(".glsl");
  strip_suffix(".hlsl");
  auto dot = path.find_last_of('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view ext = path.substr(dot + 1);
  for (size_t i = 0; i < std::size(kStages); ++i) {
    if (ext == kStages[i].short_name) return static_cast<ShaderStage>(i);
  }
  return std::nullopt;
}

}  // namespace kiln
