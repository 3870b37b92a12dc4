// Program: creation from modules or sources, binding by name, record(), and the hot-reload swap.
#include "kiln/program.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/image.h"
#include "kiln/log.h"
#include "kiln/sampler.h"
#include "kiln/shader_cache.h"
#include "shader/program/program_internal.h"
#include "shader/program/reloader.h"

namespace kiln {

using detail::BindingInfo;
using detail::Element;
using detail::OwnedBlock;
using detail::ProgramCore;
using detail::SetData;

namespace {

const char* type_word(VkDescriptorType t) {
  switch (t) {
    case VK_DESCRIPTOR_TYPE_SAMPLER: return "sampler";
    case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER: return "combined image sampler";
    case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE: return "sampled image";
    case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE: return "storage image";
    case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER: return "uniform buffer";
    case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER: return "storage buffer";
    default: return "unsupported descriptor";
  }
}

void list_members(std::string& out, const std::vector<BlockMember>& members, const std::string& prefix) {
  for (const auto& m : members) {
    out += str("\n    ", prefix, m.name, ": ", m.type,
               m.array_size == UINT32_MAX ? std::string("[]") : m.array_size ? str("[", m.array_size, "]") : std::string(),
               " at offset ", m.offset, ", ", m.size, " bytes");
    if (!m.members.empty()) list_members(out, m.members, prefix + m.name + ".");
  }
}

// "lights[2]" → ("lights", 2); no brackets → index -1.
std::string_view split_index(std::string_view s, int64_t* index) {
  *index = -1;
  const size_t open = s.find('[');
  if (open == std::string_view::npos || s.back() != ']') return s;
  uint32_t v = 0;
  const auto r = std::from_chars(s.data() + open + 1, s.data() + s.size() - 1, v);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size() - 1) *index = v;
  return s.substr(0, open);
}

Use stage_use(VkDescriptorType type, VkShaderStageFlagBits stage, bool written, bool read) {
  const bool v = stage == VK_SHADER_STAGE_VERTEX_BIT, f = stage == VK_SHADER_STAGE_FRAGMENT_BIT,
             c = stage == VK_SHADER_STAGE_COMPUTE_BIT;
  switch (type) {
    case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
      return v ? Use::UniformInVertex : f ? Use::UniformInFragment : c ? Use::UniformInCompute : Use::General;
    case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
    case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
      if (written) {
        return c ? (read ? Use::StorageReadWriteInCompute : Use::StorageWriteInCompute)
                 : f ? Use::StorageWriteInFragment : Use::General;
      }
      return v ? Use::StorageReadInVertex : f ? Use::StorageReadInFragment : c ? Use::StorageReadInCompute : Use::General;
    case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
    case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
      return v ? Use::SampledInVertex : f ? Use::SampledInFragment : c ? Use::SampledInCompute : Use::General;
    default: return Use::None;
  }
}

}  // namespace

struct Program::Impl {
  Context* ctx = nullptr;
  ShaderCompiler* compiler = nullptr;
  ProgramDesc desc;                    // kept for hot reload (graphics state)
  std::string name;
  std::unique_ptr<ProgramCore> core;
  std::vector<std::shared_ptr<SetData>> sets;      // per set index
  std::vector<std::vector<std::string>> set_names;  // per set, per SetData binding index: names for errors
  std::vector<BindingInfo> infos;                  // per merged binding
  // What use_resources() checks, flattened from `infos`: one entry per element and use (rebuilt with
  // them; elements never move within their SetData).
  struct UseCheck {
    const Element* element;
    Use use;
    UseInfo buffer_use;
  };
  std::vector<UseCheck> use_checks;
  std::vector<uint8_t> push_data;
  // Which values push_data holds, for BindingState: this program's id (unique in the process) and a
  // count of its changes.
  uint64_t push_source = next_push_source();
  uint64_t push_version = 1;
  uint64_t pushes_skipped = 0;
  std::unique_ptr<detail::Reloader> reloader;

  static uint64_t next_push_source() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }

  // What a bind() by name reaches: the binding, its slot in `infos`, the element, the owned block
  // (uniform blocks) and the set holding them.
  struct Target {
    const DescriptorBinding* binding = nullptr;
    uint32_t slot = 0;
    int64_t index = -1;  // "[i]" in the name, else -1
    Element* element = nullptr;
    OwnedBlock* owned = nullptr;
    SetData* set = nullptr;
  };
  // bind()'s lookups by full name ("lights[2]"), remembered: a draw loop binds the same few names
  // over and over. Cleared whenever the bindings change (build_infos), which is also when the
  // pointers in a Target could change.
  struct NameMemo {
    std::string name;
    Target target;
    bool valid = false;
  };
  std::array<NameMemo, 16> name_memo;
  static size_t memo_slot(std::string_view n) {
    return n.empty() ? 0 : (n.size() * 7 + size_t(uint8_t(n.front())) * 3 + size_t(uint8_t(n.back()))) % 16;
  }

  const Reflection& refl() const { return core->reflection; }

  void build_sets(const std::vector<std::shared_ptr<SetData>>* old);
  void build_infos();
  std::string list_names() const;
  [[noreturn]] void unknown(std::string_view what, std::string_view name) const;
  int find(std::string_view name) const;
  const Target& target(std::string_view full_name);
  [[gnu::noinline]] const Target& find_target(std::string_view full_name, NameMemo& memo);
  Element& element(uint32_t binding_index, int64_t index);
  OwnedBlock* owned(uint32_t binding_index, int64_t index);
  void install(std::unique_ptr<ProgramCore> next);
};

// ---- creation ----

void Program::Impl::build_sets(const std::vector<std::shared_ptr<SetData>>* old) {
  std::vector<std::shared_ptr<SetData>> next;
  for (uint32_t s = 0; s < core->sets.size(); ++s) {
    if (old && s < old->size() && (*old)[s]->hash == core->set_hash[s]) {
      next.push_back((*old)[s]);  // unchanged by the reload: keep what is bound (and any sharing)
      continue;
    }
    auto sd = std::make_shared<SetData>(*ctx, str(name, ".set", s), core->sets[s], core->layout_stages);
    if (old && s < old->size()) {
      // Carry over what still fits: same binding number, type and count.
      const SetData& o = *(*old)[s];
      for (size_t i = 0; i < sd->bindings.size(); ++i) {
        const int j = o.find_binding(sd->bindings[i].binding);
        if (j < 0 || o.bindings[size_t(j)].type != sd->bindings[i].type || o.bindings[size_t(j)].count != sd->bindings[i].count) continue;
        for (uint32_t k = 0; k < sd->bindings[i].count; ++k) {
          sd->elements[sd->first_element[i] + k] = o.elements[o.first_element[size_t(j)] + k];
        }
      }
    }
    next.push_back(std::move(sd));
  }
  // Program-owned uniform blocks (non-array uniform buffers with a block layout).
  for (const DescriptorBinding& b : refl().bindings) {
    if (b.type != VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER || b.count != 1 || !b.block) continue;
    SetData& sd = *next[b.set];
    const uint32_t e = sd.first_element[size_t(sd.find_binding(b.binding))];
    if (std::any_of(sd.owned.begin(), sd.owned.end(), [&](const OwnedBlock& o) { return o.element == e; })) continue;
    OwnedBlock block{.element = e, .data = std::vector<uint8_t>(std::max<uint32_t>(b.block->size, 4), 0)};
    block.active = !sd.elements[e].bound || sd.elements[e].buffer == nullptr;
    sd.owned.push_back(std::move(block));
    sd.owned_dirty = true;
  }
  sets = std::move(next);
}

void Program::Impl::build_infos() {
  for (NameMemo& memo : name_memo) memo.valid = false;
  infos.clear();
  set_names.assign(sets.size(), {});
  for (uint32_t s = 0; s < sets.size(); ++s) set_names[s].resize(sets[s]->bindings.size());
  for (const DescriptorBinding& b : refl().bindings) {
    BindingInfo info;
    info.set_data = b.set;
    const int i = sets[b.set]->find_binding(b.binding);
    info.element = sets[b.set]->first_element[size_t(i)];
    info.count = b.count;
    set_names[b.set][size_t(i)] = b.name;
    // One use per stage the binding is in; images keep one layout (General wins when mixed).
    for (uint32_t bit = 1; bit <= VK_SHADER_STAGE_COMPUTE_BIT && info.use_count < info.uses.size(); bit <<= 1) {
      if (!(b.stages & bit)) continue;
      const Use u = stage_use(b.type, VkShaderStageFlagBits(bit), b.written, b.read);
      if (u != Use::None) info.uses[info.use_count++] = u;
    }
    const bool general = std::any_of(info.uses.begin(), info.uses.begin() + info.use_count,
                                     [](Use u) { return u == Use::General; });
    if (general) {
      info.uses[0] = Use::General;
      info.use_count = info.use_count ? 1 : 0;
    }
    for (uint32_t u = 0; u < info.use_count; ++u) info.buffer_uses[u] = use_info(info.uses[u]);
    infos.push_back(info);
  }
  use_checks.clear();
  for (const BindingInfo& info : infos) {
    for (uint32_t k = 0; k < info.count; ++k) {
      for (uint32_t u = 0; u < info.use_count; ++u) {
        use_checks.push_back({&sets[info.set_data]->elements[info.element + k], info.uses[u], info.buffer_uses[u]});
      }
    }
  }
  const uint32_t push = core->push_size;
  push_data.resize(push, 0);
}

Program::Program(Context& ctx, ShaderCompiler& compiler, const ProgramDesc& desc) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = &ctx;
  impl_->compiler = &compiler;
  impl_->desc = desc;
  impl_->name = desc.name ? desc.name : (!desc.sources.empty() ? desc.sources[0].path : std::string("program"));
  impl_->desc.name = nullptr;  // the pointer may not outlive the call
  with_context(str("creating program '", impl_->name, "'"), [&] {
    std::vector<detail::StageModule> modules;
    std::vector<ShaderDependency> deps;
    if (!desc.sources.empty()) {
      std::vector<CompiledShader> compiled = compiler.compile_all(desc.sources);
      for (size_t i = 0; i < compiled.size(); ++i) {
        modules.push_back({compiled[i].stage, std::move(compiled[i].spirv),
                           compiled[i].entry.empty() ? desc.sources[i].entry : compiled[i].entry, desc.sources[i].path});
        for (auto& d : compiled[i].dependencies) deps.push_back(std::move(d));
      }
    }
    for (const auto& m : desc.modules) {
      modules.push_back({m.stage, m.spirv, m.entry, m.name.empty() ? std::string(shader_stage_name(m.stage)) : m.name});
    }
    impl_->core = detail::build_core(ctx, impl_->name, modules, impl_->desc);
    impl_->build_sets(nullptr);
    impl_->build_infos();
    if (desc.hot_reload && !desc.sources.empty()) {
      impl_->reloader = std::make_unique<detail::Reloader>(ctx, compiler, impl_->name, impl_->desc, std::move(deps));
    }
  });
}

Program::Program(Context& ctx, const ProgramDesc& desc) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = &ctx;
  impl_->desc = desc;
  impl_->name = desc.name ? desc.name : "program";
  impl_->desc.name = nullptr;
  with_context(str("creating program '", impl_->name, "'"), [&] {
    if (!desc.sources.empty()) throw Error("ProgramDesc::sources needs a ShaderCompiler: Program(ctx, compiler, desc)");
    std::vector<detail::StageModule> modules;
    for (const auto& m : desc.modules) {
      modules.push_back({m.stage, m.spirv, m.entry, m.name.empty() ? std::string(shader_stage_name(m.stage)) : m.name});
    }
    impl_->core = detail::build_core(ctx, impl_->name, modules, impl_->desc);
    impl_->build_sets(nullptr);
    impl_->build_infos();
  });
}

Program::~Program() = default;
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;

VkPipeline Program::pipeline() const { return impl_->core->pipeline; }
VkPipelineLayout Program::layout() const { return impl_->core->layout; }
VkPipelineBindPoint Program::bind_point() const { return impl_->core->bind_point; }
VkDescriptorSetLayout Program::set_layout(uint32_t set) const {
  return set < impl_->core->set_layouts.size() ? impl_->core->set_layouts[set] : VK_NULL_HANDLE;
}
uint32_t Program::set_count() const { return uint32_t(impl_->core->sets.size()); }
const Reflection& Program::reflection() const { return impl_->refl(); }
const std::string& Program::name() const { return impl_->name; }

// ---- names ----

std::string Program::Impl::list_names() const {
  std::string out;
  for (const DescriptorBinding& b : refl().bindings) {
    out += str("\n  set ", b.set, " binding ", b.binding, ": '", b.name, "' ", type_word(b.type),
               b.count != 1 ? str("[", b.count, "]") : std::string());
    if (b.block && b.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER) {
      const std::string prefix = b.name + ".";
      list_members(out, b.block->members, prefix);
    }
  }
  if (refl().push_constants) {
    out += "\n  push constants:";
    list_members(out, refl().push_constants->members, "");
  }
  return out.empty() ? std::string("\n  (no bindings)") : out;
}

void Program::Impl::unknown(std::string_view what, std::string_view n) const {
  throw Error(str("program '", name, "': ", what, " '", n, "'; it has:", list_names()));
}

int Program::Impl::find(std::string_view n) const {
  const auto& bs = refl().bindings;
  for (size_t i = 0; i < bs.size(); ++i) {
    if (bs[i].name == n || (bs[i].block && bs[i].block->type_name == n)) return int(i);
  }
  return -1;
}

Element& Program::Impl::element(uint32_t binding_index, int64_t index) {
  const BindingInfo& info = infos[binding_index];
  return sets[info.set_data]->elements[info.element + uint32_t(std::max<int64_t>(index, 0))];
}

OwnedBlock* Program::Impl::owned(uint32_t binding_index, int64_t index) {
  const BindingInfo& info = infos[binding_index];
  const uint32_t e = info.element + uint32_t(std::max<int64_t>(index, 0));
  for (OwnedBlock& o : sets[info.set_data]->owned) {
    if (o.element == e) return &o;
  }
  return nullptr;
}

const Program::Impl::Target& Program::Impl::target(std::string_view full) {
  NameMemo& memo = name_memo[memo_slot(full)];
  if (memo.valid && memo.name.size() == full.size()) {
    // Names are short: a plain loop beats a call to memcmp.
    size_t i = 0;
    while (i < full.size() && memo.name[i] == full[i]) ++i;
    if (i == full.size()) return memo.target;
  }
  return find_target(full, memo);
}

const Program::Impl::Target& Program::Impl::find_target(std::string_view full, NameMemo& memo) {
  int64_t index = -1;
  const std::string_view n = split_index(full, &index);
  const int i = find(n);
  if (i < 0) unknown("no binding named", full);
  const DescriptorBinding& b = refl().bindings[size_t(i)];
  if (index >= int64_t(b.count)) {
    throw Error(str("program '", name, "': '", full, "': index out of range, '", b.name, "' has ", b.count, " elements"));
  }
  const uint32_t slot = uint32_t(i);
  memo.valid = false;
  memo.name.assign(full);
  memo.target = Target{.binding = &b,
                       .slot = slot,
                       .index = index,
                       .element = &element(slot, index),
                       .owned = owned(slot, index),
                       .set = sets[infos[slot].set_data].get()};
  memo.valid = true;
  return memo.target;
}

[[noreturn]] static void wrong_kind(const std::string& program, const DescriptorBinding& b, const char* given,
                                    const std::string& names) {
  throw Error(str("program '", program, "': '", b.name, "' is a ", type_word(b.type), " (set ", b.set, " binding ",
                  b.binding, "), not something to bind a ", given, " to; it has:", names));
}

// ---- bind ----

void Program::bind(std::string_view name, Buffer& buffer, VkDeviceSize offset, VkDeviceSize range) {
  Impl& m = *impl_;
  const Impl::Target& t = m.target(name);
  const DescriptorBinding& b = *t.binding;
  if (b.type != VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER && b.type != VK_DESCRIPTOR_TYPE_STORAGE_BUFFER) {
    wrong_kind(m.name, b, "buffer", m.list_names());
  }
  const VkBufferUsageFlags need = b.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ? VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT
                                                                              : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  if (!(buffer.usage() & need)) {
    throw Error(str("program '", m.name, "': buffer '", buffer.name(), "' bound to '", b.name, "' (", type_word(b.type),
                    ") lacks ", need == VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT ? "VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT"
                                                                           : "VK_BUFFER_USAGE_STORAGE_BUFFER_BIT"));
  }
  if (offset >= buffer.size()) {
    throw Error(str("program '", m.name, "': offset ", offset, " is past the end of buffer '", buffer.name(), "'"));
  }
  const VkDeviceSize r = range == VK_WHOLE_SIZE ? buffer.size() - offset : range;
  if (t.owned) t.owned->active = false;
  Element& e = *t.element;
  if (e.bound && e.buffer == &buffer && e.id == buffer.id() && e.offset == offset && e.range == r) return;
  e = Element{.buffer = &buffer, .id = buffer.id(), .vk_buffer = buffer.handle(), .offset = offset, .range = r, .bound = true};
  t.set->dirty = true;
}

void Program::bind(std::string_view name, Image& image, const Sampler* sampler, uint32_t array_index) {
  Impl& m = *impl_;
  const Impl::Target& t = m.target(name);
  const DescriptorBinding& b = *t.binding;
  int64_t index = t.index;
  if (index < 0 && array_index > 0) {
    index = array_index;
    if (index >= int64_t(b.count)) {
      throw Error(str("program '", m.name, "': '", b.name, "'[", array_index, "]: index out of range, it has ", b.count, " elements"));
    }
  }
  VkImageUsageFlags need = 0;
  switch (b.type) {
    case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
      if (!sampler) {
        throw Error(str("program '", m.name, "': '", b.name, "' is a combined image sampler: bind(\"", b.name,
                        "\", image, &sampler)"));
      }
      need = VK_IMAGE_USAGE_SAMPLED_BIT;
      break;
    case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE: need = VK_IMAGE_USAGE_SAMPLED_BIT; break;
    case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE: need = VK_IMAGE_USAGE_STORAGE_BIT; break;
    default: wrong_kind(m.name, b, "image", m.list_names());
  }
  if (sampler && b.type != VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER) {
    throw Error(str("program '", m.name, "': '", b.name, "' is a ", type_word(b.type),
                    " without sampler: bind the sampler to its own name"));
  }
  if (!(image.usage() & need)) {
    throw Error(str("program '", m.name, "': image '", image.name(), "' bound to '", b.name, "' (", type_word(b.type),
                    ") lacks ", need == VK_IMAGE_USAGE_SAMPLED_BIT ? "VK_IMAGE_USAGE_SAMPLED_BIT" : "VK_IMAGE_USAGE_STORAGE_BIT"));
  }
  const BindingInfo& info = m.infos[t.slot];
  const bool depth = (image.aspect() & (VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT)) != 0;
  const VkImageLayout layout = info.use_count ? use_info(info.uses[0], depth).layout : VK_IMAGE_LAYOUT_GENERAL;
  const VkSampler vk_sampler = sampler ? sampler->handle() : VK_NULL_HANDLE;
  const uint64_t sampler_id = sampler ? sampler->id() : 0;
  Element& e = index == t.index ? *t.element : m.element(t.slot, index);
  if (e.bound && e.image == &image && e.id == image.id() && e.sampler_id == sampler_id && e.layout == layout) return;
  e = Element{.image = &image, .id = image.id(), .sampler_id = sampler_id, .view = image.view(), .sampler = vk_sampler,
              .layout = layout, .bound = true};
  t.set->dirty = true;
}

void Program::bind(std::string_view name, const Sampler& sampler) {
  Impl& m = *impl_;
  const Impl::Target& t = m.target(name);
  if (t.binding->type != VK_DESCRIPTOR_TYPE_SAMPLER) wrong_kind(m.name, *t.binding, "sampler", m.list_names());
  Element& e = *t.element;
  if (e.bound && e.sampler_id == sampler.id()) return;
  e = Element{.sampler_id = sampler.id(), .sampler = sampler.handle(), .bound = true};
  t.set->dirty = true;
}

// ---- set / push ----

namespace {

struct Resolved {
  uint32_t offset = 0, size = 0;
  const BlockMember* member = nullptr;
  bool whole_array = false;
};

// Walks "a.b[2].c" through a block's members.
bool resolve(const std::vector<BlockMember>& members, std::string_view path, Resolved* out) {
  const std::vector<BlockMember>* level = &members;
  uint32_t base = 0;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    const std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    int64_t index = -1;
    const std::string_view n = split_index(part, &index);
    const BlockMember* found = nullptr;
    for (const auto& m : *level) {
      if (m.name == n) found = &m;
    }
    if (!found) return false;
    if (index >= 0 && (found->array_size == 0 || (found->array_size != UINT32_MAX && index >= int64_t(found->array_size)))) {
      return false;
    }
    base += found->offset + uint32_t(std::max<int64_t>(index, 0)) * found->array_stride;
    out->member = found;
    out->offset = base;
    out->whole_array = found->array_size != 0 && index < 0;
    out->size = out->whole_array && found->array_size != UINT32_MAX ? found->array_size * found->array_stride : found->size;
    level = &found->members;
  }
  return out->member != nullptr;
}

bool is_scalar_type(const std::string& t) {
  return t == "float" || t == "double" || t == "int" || t == "uint" || t == "bool";
}

void check_value(const std::string& program, std::string_view path, const Resolved& r, size_t size, const char* scalar) {
  if (size != r.size) {
    throw Error(str("program '", program, "': '", path, "' is ", r.member->type,
                    r.whole_array ? str("[", r.member->array_size, "] (stride ", r.member->array_stride, ")") : std::string(),
                    ", ", r.size, " bytes; the value given has ", size));
  }
  if (scalar && is_scalar_type(r.member->type) && r.member->type != scalar) {
    throw Error(str("program '", program, "': '", path, "' is ", r.member->type, "; the value given is ", scalar));
  }
}

}  // namespace

void Program::set_bytes(std::string_view path, const void* data, size_t size, const char* scalar) {
  Impl& m = *impl_;
  const size_t dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  int64_t index = -1;
  const std::string_view block_name = split_index(head, &index);
  const int i = m.find(block_name);
  if (i < 0 || dot == std::string_view::npos) m.unknown("no uniform block member named", path);
  const DescriptorBinding& b = m.refl().bindings[size_t(i)];
  OwnedBlock* o = b.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ? m.owned(uint32_t(i), index) : nullptr;
  if (!o || !b.block) {
    throw Error(str("program '", m.name, "': set(\"", path, "\"): '", b.name, "' is a ", type_word(b.type),
                    b.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ? " array: bind buffers to it" : ", not a uniform block: bind() a resource to it",
                    "; it has:", m.list_names()));
  }
  Resolved r;
  if (!resolve(b.block->members, path.substr(dot + 1), &r)) m.unknown("no uniform block member named", path);
  check_value(m.name, path, r, size, scalar);
  SetData& sd = *m.sets[m.infos[size_t(i)].set_data];
  if (!o->active) {
    // Back to program-owned data: the buffer bound before is forgotten.
    o->active = true;
    sd.elements[o->element] = Element{};
  }
  const bool changed = std::memcmp(o->data.data() + r.offset, data, size) != 0;
  if (changed) std::memcpy(o->data.data() + r.offset, data, size);
  if (changed || !sd.elements[o->element].bound) {
    o->dirty = true;
    sd.owned_dirty = true;
  }
}

void Program::push_bytes(std::string_view path, const void* data, size_t size, const char* scalar) {
  Impl& m = *impl_;
  const auto& pc = m.refl().push_constants;
  if (!pc) m.unknown("no push constants (the shaders declare none), so no member", path);
  std::string_view rest = path;
  const size_t dot = path.find('.');
  if (dot != std::string_view::npos && path.substr(0, dot) == pc->type_name) rest = path.substr(dot + 1);
  Resolved r;
  if (!resolve(pc->members, rest, &r)) m.unknown("no push-constant member named", path);
  check_value(m.name, path, r, size, scalar);
  std::memcpy(m.push_data.data() + r.offset, data, size);
  ++m.push_version;
}

// ---- sharing ----

void Program::share_set(uint32_t set, Program& owner) {
  Impl& m = *impl_;
  Impl& o = *owner.impl_;
  if (set >= m.sets.size() || set >= o.sets.size()) {
    throw Error(str("share_set(", set, "): program '", m.name, "' has ", m.sets.size(), " sets and '", o.name, "' has ",
                    o.sets.size()));
  }
  if (m.sets[set]->hash != o.sets[set]->hash) {
    auto describe = [](const Impl& p, uint32_t s) {
      std::string out;
      for (const DescriptorBinding& b : p.refl().bindings) {
        if (b.set == s) out += str(" ", b.binding, ":'", b.name, "' ", type_word(b.type), b.count != 1 ? str("[", b.count, "]") : std::string());
      }
      return out.empty() ? std::string(" (none)") : out;
    };
    throw Error(str("share_set(", set, "): the layouts differ: '", m.name, "' has", describe(m, set), "; '", o.name,
                    "' has", describe(o, set)));
  }
  m.sets[set] = o.sets[set];
  m.build_infos();
}

// ---- recording ----

void Program::use_resources(CommandBuffer& cmd) {
  for (const Impl::UseCheck& u : impl_->use_checks) {
    const Element& e = *u.element;  // unbound, or program-owned memory: neither buffer nor image
    if (e.buffer) {
      // Checked here first: drawing again with the same buffers is the common case.
      if (!use_needs_nothing(e.buffer->state(), u.buffer_use, cmd.family())) cmd.use(*e.buffer, u.use);
    } else if (e.image) {
      cmd.use(*e.image, u.use);
    }
  }
}

void Program::record(CommandBuffer& cmd, BindingState* state) {
  Impl& m = *impl_;
  const ProgramCore& core = *m.core;
  use_resources(cmd);
  const uint32_t n = uint32_t(m.sets.size());
  std::array<VkDescriptorSet, BindingState::kMaxSets> handles;  // [0, n) filled below
  try {
    for (uint32_t s = 0; s < n; ++s) {
      SetData& sd = *m.sets[s];
      if (sd.dirty || sd.owned_dirty) sd.flush(m.set_names[s]);
      handles[s] = sd.current;
    }
  } catch (Error& e) {
    e.add_context(str("recording program '", m.name, "'"));
    throw;
  }
  uint32_t first = 0;
  if (state) {
    BindingState::Point& pt = state->points[core.bind_point == VK_PIPELINE_BIND_POINT_COMPUTE ? 1 : 0];
    if (pt.pipeline != core.pipeline) {
      cmd.bind_pipeline(core.bind_point, core.pipeline);
      pt.pipeline = core.pipeline;
      if (state->push_layout != core.layout) state->push_layout = VK_NULL_HANDLE;
    }
    // One pass: the first set that differs, and the state updated (rewriting equal entries costs
    // less than a second loop, which the compiler turns into a call to memcpy).
    first = n;
    for (uint32_t s = 0; s < n; ++s) {
      if (first == n && (pt.sets[s] != handles[s] || pt.compat[s] != core.compat[s])) first = s;
      pt.sets[s] = handles[s];
      pt.compat[s] = core.compat[s];
    }
    // Past this program's sets: forgotten.
    for (uint32_t s = n; s < pt.count; ++s) {
      pt.sets[s] = VK_NULL_HANDLE;
      pt.compat[s] = 0;
    }
    pt.count = n;
  } else {
    cmd.bind_pipeline(core.bind_point, core.pipeline);
  }
  if (first < n) {
    cmd.bind_descriptor_sets(core.bind_point, core.layout, first, Slice<VkDescriptorSet>(handles.data() + first, n - first));
  }
  if (core.push_size) {
    // Drawing many times with the same values is common; sending them again costs a driver call.
    if (state && state->push_layout == core.layout && state->push_source == m.push_source &&
        state->push_version == m.push_version) {
      ++m.pushes_skipped;
      return;
    }
    cmd.push_constants(core.layout, core.layout_stages, 0, core.push_size, m.push_data.data());
    if (state) {
      state->push_layout = core.layout;
      state->push_source = m.push_source;
      state->push_version = m.push_version;
    }
  }
}

// ---- hot reload ----

void Program::Impl::install(std::unique_ptr<ProgramCore> next) {
  std::vector<std::shared_ptr<SetData>> old = sets;
  // Owned uniform data and push constants carry over member by member (same name and size).
  struct Saved {
    std::string name;
    BlockLayout layout;
    std::vector<uint8_t> data;
  };
  std::vector<Saved> saved;
  for (size_t i = 0; i < refl().bindings.size(); ++i) {
    const DescriptorBinding& b = refl().bindings[i];
    if (OwnedBlock* o = b.block ? owned(uint32_t(i), -1) : nullptr) saved.push_back({b.name, *b.block, o->data});
  }
  const std::optional<BlockLayout> old_push = refl().push_constants;
  const std::vector<uint8_t> old_push_data = push_data;

  core = std::move(next);  // the old core's objects are destroyed deferred
  build_sets(&old);
  build_infos();
  auto copy_members = [](const BlockLayout& from, const std::vector<uint8_t>& src, const BlockLayout& to,
                         std::vector<uint8_t>& dst) {
    for (const auto& t : to.members) {
      for (const auto& f : from.members) {
        if (f.name == t.name && f.type == t.type && f.array_size == t.array_size && f.offset + f.size <= src.size() &&
            t.offset + t.size <= dst.size()) {
          const uint32_t bytes = t.array_size && t.array_size != UINT32_MAX ? t.array_size * t.array_stride : t.size;
          if (f.offset + bytes <= src.size() && t.offset + bytes <= dst.size()) {
            std::memcpy(dst.data() + t.offset, src.data() + f.offset, bytes);
          }
        }
      }
    }
  };
  for (size_t i = 0; i < refl().bindings.size(); ++i) {
    const DescriptorBinding& b = refl().bindings[i];
    OwnedBlock* o = b.block ? owned(uint32_t(i), -1) : nullptr;
    if (!o) continue;
    for (const Saved& s : saved) {
      if (s.name == b.name && s.data != o->data) {
        copy_members(s.layout, s.data, *b.block, o->data);
        o->dirty = true;
        sets[infos[i].set_data]->owned_dirty = true;
      }
    }
  }
  if (old_push && refl().push_constants) copy_members(*old_push, old_push_data, *refl().push_constants, push_data);
  ++push_version;
}

bool Program::update() {
  Impl& m = *impl_;
  bool swapped = false;
  if (m.reloader) {
    if (std::unique_ptr<ProgramCore> next = m.reloader->take()) {
      m.install(std::move(next));
      log(LogLevel::Info, str("program '", m.name, "': reloaded"));
      swapped = true;
    }
  }
  for (auto& sd : m.sets) sd->retire_to_gpu(sd);
  return swapped;
}

ProgramStats Program::stats() const {
  ProgramStats s;
  s.pushes_skipped = impl_->pushes_skipped;
  for (const auto& sd : impl_->sets) {
    s.sets_written += sd->cache.misses();
    s.sets_reused += sd->cache.hits() + sd->one_memo_hits;
  }
  return s;
}

std::string Program::reload_error() const { return impl_->reloader ? impl_->reloader->error() : std::string(); }
uint64_t Program::reload_attempts() const { return impl_->reloader ? impl_->reloader->attempts() : 0; }

}  // namespace kiln
