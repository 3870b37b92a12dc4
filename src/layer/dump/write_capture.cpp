// capture.json and the files beside it. Resource files are written first and capture.json last, through
// a temporary name: a reader that finds capture.json finds a complete capture.
#include "write_capture.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "image_file.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln::layer {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;

std::string sanitize(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '-' || c == '.';
    out += keep ? c : '_';
  }
  return out.substr(0, 64);
}

// The stable part of a resource's file name (docs/capture.md, "File names").
std::string file_stem(const CapturedResource& r) {
  std::string stem;
  switch (r.role) {
    case ResourceRole::Descriptor:
      stem = str("set", r.set, "_binding", r.binding);
      if (r.array_element) stem += str("_element", r.array_element);
      if (!r.shader_name.empty()) stem += "_" + sanitize(r.shader_name);
      break;
    case ResourceRole::ColorAttachment: stem = str("color", r.attachment); break;
    case ResourceRole::DepthAttachment: stem = "depth"; break;
    case ResourceRole::StencilAttachment: stem = "stencil"; break;
    case ResourceRole::ResolveAttachment: stem = str("resolve", r.attachment); break;
    case ResourceRole::VertexBuffer: stem = str("vertex", r.attachment); break;
    case ResourceRole::IndexBuffer: stem = "index"; break;
    case ResourceRole::IndirectBuffer: stem = "indirect"; break;
    case ResourceRole::PushConstants: stem = "push_constants"; break;
    case ResourceRole::TransferSource: stem = "src"; break;
    case ResourceRole::TransferDestination: stem = "dst"; break;
    case ResourceRole::DeviceAddress: stem = str("address_push", r.attachment); break;
    case ResourceRole::BufferAddress: stem = str("address_in", r.binding, "_", r.attachment); break;
  }
  if (r.is_image && r.mip) stem += str("_mip", r.mip);
  if (r.is_image && r.layer) stem += str("_layer", r.layer);
  return stem;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!bytes.empty()) out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw Error(str("cannot write '", path, "'"));
}

void make_folder(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw Error(str("cannot create folder '", path.string(), "': ", ec.message()));
}

void write_json(const fs::path& folder, const Json& j) {
  const fs::path path = folder / "capture.json";
  const fs::path tmp = folder / "capture.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << '\n';
    if (!out) throw Error(str("cannot write '", tmp.string(), "'"));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw Error(str("cannot rename '", tmp.string(), "' to '", path.string(), "': ", ec.message()));
}

// Removes what an earlier capture left: capture.json first, so no reader pairs it with new files.
void clear_folder(const fs::path& folder) {
  std::error_code ec;
  fs::remove(folder / "capture.json", ec);
  for (const char* sub : {"before", "after"}) {
    fs::remove_all(folder / sub, ec);
    if (ec) throw Error(str("cannot clear folder '", (folder / sub).string(), "': ", ec.message()));
  }
}

Json resource_json(const CapturedResource& r, const std::string& stem, const fs::path& folder,
                   std::vector<std::string>& notes) {
  Json j;
  j["name"] = stem;
  j["role"] = resource_role_name(r.role);
  if (r.role == ResourceRole::Descriptor) {
    j["set"] = r.set;
    j["binding"] = r.binding;
    j["array_element"] = r.array_element;
    j["descriptor_type"] = r.descriptor_type;
  }
  if (r.role == ResourceRole::ColorAttachment || r.role == ResourceRole::ResolveAttachment ||
      r.role == ResourceRole::VertexBuffer) {
    j["attachment"] = r.attachment;
  }
  if (r.role == ResourceRole::DeviceAddress) j["push_constant_offset"] = r.attachment;
  if (r.role == ResourceRole::BufferAddress) j["address_in"] = {{"resource", r.binding}, {"offset", r.attachment}};
  j["shader_name"] = r.shader_name;
  j["debug_name"] = r.debug_name;
  j["handle"] = hex(r.handle);
  j["written"] = r.written;
  if (!r.copy.empty()) j["copy"] = r.copy;
  j["kind"] = r.is_image ? "image" : "buffer";

  std::string extension = "bin";
  ImageFilePlan plan;
  if (r.is_image) {
    j["format"] = vk_format_name(r.format);
    j["extent"] = {r.extent.width, r.extent.height, r.extent.depth};
    if (r.samples > 1) j["samples"] = r.samples;  // captured resolved (colour: averaged; depth/stencil: sample 0)
    j["mip"] = r.mip;
    j["layer"] = r.layer;
    j["aspect"] = vk_aspect_names(r.aspect);
    j["layout"] = vk_image_layout_name(r.layout);
    // Before and after have the same size; plan on whichever exists.
    const std::vector<uint8_t>& sample = r.has_before ? r.before : r.after_bytes();
    plan = plan_image_file(r.format, r.aspect, r.extent, sample.size());
    extension = image_file_extension(plan.kind);
    j["file_format"] = extension;
    if (plan.kind != ImageFileKind::Bin) {
      j["dtype"] = npy_type_name(plan.type);  // D24 depth: converted to float32 when written
      j["shape"] = plan.shape;
    } else if (r.has_before || r.has_after) {
      notes.push_back(str(stem, ": ", plan.why_bin));
    }
  } else {
    j["offset"] = r.offset;
    j["size"] = r.size;
    j["file_format"] = "bin";
    if (!r.members.empty()) {
      Json members = Json::array();
      for (const MemberLayout& m : r.members) {
        members.push_back({{"name", m.name}, {"offset", m.offset}, {"size", m.size}, {"type", m.type}});
      }
      j["members"] = members;
    }
  }

  auto write_one = [&](const char* when, bool has, const std::vector<uint8_t>& bytes) -> Json {
    if (!has) return nullptr;
    const std::string relative = str(when, "/", stem, ".", extension);
    const std::string path = (folder / relative).string();
    if (r.is_image) {
      write_image_file(path, plan, r.format, r.aspect, r.extent, bytes);
    } else {
      write_bytes(path, bytes);
    }
    return relative;
  };
  j["before"] = write_one("before", r.has_before, r.before);
  j["after"] = write_one("after", r.has_after, r.after_bytes());
  if (plan.blocks) {
    // The PNG (BC6H: the .npy) shows the decoded texels; the blocks themselves, byte for byte, go beside it.
    auto write_blocks = [&](const char* when, bool has, const std::vector<uint8_t>& bytes) -> Json {
      if (!has) return nullptr;
      const std::string relative = str(when, "/", stem, ".blocks.bin");
      write_bytes((folder / relative).string(), bytes);
      return relative;
    };
    j["before_blocks"] = write_blocks("before", r.has_before, r.before);
    j["after_blocks"] = write_blocks("after", r.has_after, r.after_bytes());
  }
  return j;
}

}  // namespace

void write_capture(const Capture& capture, const std::string& folder_name) {
  with_context(str("writing capture to '", folder_name, "'"), [&] {
    const fs::path folder(folder_name);
    make_folder(folder);
    clear_folder(folder);
    make_folder(folder / "before");
    make_folder(folder / "after");

    std::vector<std::string> notes = capture.notes;
    Json resources = Json::array();
    std::set<std::string> used;
    for (const CapturedResource& r : capture.resources) {
      // Two resources with the same stem (two regions of one copy, say) get _2, _3 ... in capture order.
      std::string stem = file_stem(r);
      for (int n = 2; used.count(stem); ++n) stem = str(file_stem(r), "_", n);
      used.insert(stem);
      resources.push_back(resource_json(r, stem, folder, notes));
    }

    Json j;
    j["kiln_capture"] = kFormatVersion;
    j["spec"] = capture.spec;
    j["frame"] = capture.frame;
    j["command_index"] = capture.command_index;
    j["command"] = capture.command;
    if (capture.multi_draw_count)
      j["multi_draw"] = {{"draw", capture.multi_draw_index}, {"count", capture.multi_draw_count},
                         {"whole", capture.multi_draw_whole}};
    j["label_path"] = capture.label_path;
    Json stages = Json::array();
    for (const Capture::Stage& s : capture.stages) {
      stages.push_back({{"stage", vk_stage_name(s.stage)}, {"entry", s.entry}, {"module", s.module_name}});
    }
    if (capture.pipeline_name.empty() && capture.stages.empty()) {
      j["pipeline"] = nullptr;  // transfer commands run no pipeline
    } else {
      j["pipeline"] = {{"name", capture.pipeline_name},
                       {"bind_point", vk_bind_point_name(capture.bind_point)},
                       {"stages", stages}};
    }
    j["when"] = capture.when;
    j["bytes_copied"] = capture.bytes_copied;
    j["bytes_deferred"] = capture.bytes_deferred;
    j["resources"] = resources;
    j["notes"] = notes;
    write_json(folder, j);
  });
}

void write_no_match(const std::string& folder_name, const std::string& spec, uint64_t frame,
                    const std::vector<std::string>& commands) {
  with_context(str("writing capture to '", folder_name, "'"), [&] {
    const fs::path folder(folder_name);
    make_folder(folder);
    clear_folder(folder);
    Json j;
    j["kiln_capture"] = kFormatVersion;
    j["error"] = str("'", spec, "' matched no command of frame ", frame, " (", commands.size(), " commands)");
    j["spec"] = spec;
    j["frame"] = frame;
    j["commands"] = commands;
    write_json(folder, j);
  });
}

}  // namespace kiln::layer
