// kiln shader reflect FILE [--json]: reflection of a .spv (read as words) or of a source compiled first.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/shader_command.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/log.h"
#include "kiln/spirv.h"

namespace kiln::cli {
namespace {

constexpr uint32_t kSpirvMagic = 0x07230203;

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::vector<uint32_t> read_spirv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(str("cannot open '", path, "'"));
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error(str("cannot read '", path, "'"));
  if (size % 4 != 0) {
    throw Error(str("'", path, "' is not valid SPIR-V: its size (", size,
                    " bytes) is not a multiple of 4 (truncated?)"));
  }
  if (size < 20) throw Error(str("'", path, "' is not valid SPIR-V: ", size, " bytes is shorter than the 5-word header"));
  std::vector<uint32_t> words(size_t(size) / 4);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(words.data()), size);
  if (!in) throw Error(str("cannot read '", path, "'"));
  if (words[0] != kSpirvMagic) {
    const bool swapped = words[0] == __builtin_bswap32(kSpirvMagic);
    throw Error(str("'", path, "' is not SPIR-V: its first word is ", hex(words[0]), ", not the magic 0x07230203",
                    swapped ? " (byte-swapped: big-endian modules are not supported)" : ""));
  }
  return words;
}


std::string stage_list(VkShaderStageFlags flags) {
  std::string out;
  for (uint32_t s = 0; s < uint32_t(ShaderStage::Count); ++s) {
    if (flags & shader_stage_bit(ShaderStage(s))) out += std::string(out.empty() ? "" : ",") + shader_stage_name(ShaderStage(s));
  }
  return out.empty() ? "-" : out;
}

const char* dim_name(uint32_t dim) {
  switch (dim) {
    case 0: return "1D";
    case 1: return "2D";
    case 2: return "3D";
    case 3: return "Cube";
    case 4: return "Rect";
    case 5: return "Buffer";
    case 6: return "SubpassData";
    default: return "?";
  }
}

std::string image_details(const DescriptorBinding& b) {
  switch (b.type) {
    case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
    case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
    case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
    case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT:
    case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
    case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER: break;
    default: return "";
  }
  std::string s = dim_name(b.dim);
  if (b.arrayed) s += " array";
  if (b.multisampled) s += " MS";
  if (b.depth) s += " depth";
  if (b.format != VK_FORMAT_UNDEFINED) s += str(" ", format_name(b.format));
  return s;
}

std::string count_text(uint32_t count) { return count == 0 ? "[]" : std::to_string(count); }

std::string access_text(const DescriptorBinding& b) {
  std::string s = b.read && b.written ? "read+write" : b.written ? "write" : b.read ? "read" : "unused";
  if (b.non_writable) s += " (NonWritable)";
  if (b.non_readable) s += " (NonReadable)";
  return s;
}

void print_members(const std::vector<BlockMember>& members, int depth) {
  for (const BlockMember& m : members) {
    std::string array;
    if (m.array_size == UINT32_MAX) array = "[]";
    else if (m.array_size) array = str("[", m.array_size, "]");
    std::string extra;
    if (m.array_stride) extra += str(" stride ", m.array_stride);
    if (m.matrix_stride) extra += str(" matrix_stride ", m.matrix_stride, m.row_major ? " row_major" : "");
    std::printf("%*s%-6u %-6u %s %s%s%s\n", 6 + 2 * depth, "", m.offset, m.size, m.type.c_str(), m.name.c_str(),
                array.c_str(), extra.c_str());
    print_members(m.members, depth + 1);
  }
}

void print_block(const BlockLayout& block, int indent) {
  std::printf("%*sstruct %s (%u bytes)\n%*soffset size   member\n", indent, "", block.type_name.c_str(), block.size,
              indent + 2, "");
  print_members(block.members, indent / 2 - 2);
}

void print_interface(const char* title, const std::vector<InterfaceVariable>& vars) {
  if (vars.empty()) return;
  std::printf("\n%s:\n  %-8s %-10s %-22s %s\n", title, "location", "type", "format", "name");
  for (const InterfaceVariable& v : vars) {
    const std::string loc = v.component ? str(v.location, ".", v.component) : std::to_string(v.location);
    std::printf("  %-8s %-10s %-22s %s\n", loc.c_str(), v.type.c_str(),
                v.format == VK_FORMAT_UNDEFINED ? "-" : format_name(v.format), v.name.c_str());
  }
}

std::string spec_default(const SpecConstant& c) {
  if (c.type == "bool") return c.default_bits ? "true" : "false";
  if (c.type == "float") {
    float f;
    const uint32_t bits = uint32_t(c.default_bits);
    std::memcpy(&f, &bits, 4);
    return str(f);
  }
  if (c.type == "double") {
    double d;
    std::memcpy(&d, &c.default_bits, 8);
    return str(d);
  }
  if (c.type == "int") return std::to_string(int32_t(uint32_t(c.default_bits)));
  if (c.type == "int64_t") return std::to_string(int64_t(c.default_bits));
  return std::to_string(c.default_bits);
}

void print_reflection(const std::string& file, const Reflection& r) {
  std::printf("%s\n\nentry points:\n", file.c_str());
  for (const EntryPoint& e : r.entry_points) {
    std::printf("  %-12s %s", e.name.c_str(), shader_stage_name(e.stage));
    if (e.stage == ShaderStage::Compute || e.stage == ShaderStage::Mesh || e.stage == ShaderStage::Task) {
      std::printf("  workgroup %u x %u x %u", e.workgroup_size[0], e.workgroup_size[1], e.workgroup_size[2]);
    }
    std::printf("\n");
  }

  if (!r.bindings.empty()) {
    std::printf("\nbindings:\n  %-3s %-7s %-24s %-5s %-22s %-18s %s\n", "set", "binding", "type", "count", "name",
                "stages", "access");
    for (const DescriptorBinding& b : r.bindings) {
      std::printf("  %-3u %-7u %-24s %-5s %-22s %-18s %s", b.set, b.binding, descriptor_type_name(b.type),
                  count_text(b.count).c_str(), b.name.c_str(), stage_list(b.stages).c_str(), access_text(b).c_str());
      const std::string image = image_details(b);
      if (!image.empty()) std::printf("  [%s]", image.c_str());
      std::printf("\n");
    }
    for (const DescriptorBinding& b : r.bindings) {
      if (!b.block) continue;
      std::printf("\n  %s (set %u, binding %u):\n", b.name.c_str(), b.set, b.binding);
      print_block(*b.block, 4);
    }
  }
  if (r.push_constants) {
    std::printf("\npush constants:\n");
    print_block(*r.push_constants, 2);
  }
  if (!r.spec_constants.empty()) {
    std::printf("\nspecialization constants:\n  %-4s %-8s %-12s %s\n", "id", "type", "default", "name");
    for (const SpecConstant& c : r.spec_constants) {
      std::printf("  %-4u %-8s %-12s %s\n", c.id, c.type.c_str(), spec_default(c).c_str(), c.name.c_str());
    }
  }
  print_interface("inputs", r.inputs);
  print_interface("outputs", r.outputs);
}

}  // namespace

int run_shader_reflect(const ReflectOptions& o) {
  std::vector<uint32_t> words;
  std::string entry = o.source.entry;
  if (ends_with(o.source.file, ".spv")) {
    words = read_spirv_file(o.source.file);
    if (entry == "main") entry.clear();  // a .spv's first entry point unless one was named
  } else {
    CompiledShader shader;
    double ms = 0.0;
    if (!compile_or_report(o.source, &shader, &ms)) return kExitFailure;
    words = std::move(shader.spirv);
  }
  const Reflection r = with_context(str("reflecting '", o.source.file, "'"), [&] { return reflect_spirv(words, entry); });
  if (o.json) {
    std::printf("%s\n", reflection_json(r).c_str());
  } else {
    print_reflection(o.source.file, r);
  }
  return kExitOk;
}

}  // namespace kiln::cli
