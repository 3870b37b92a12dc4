// Small helpers the benchmarks share: the clock, JSON string escaping and a colour render target.
// Header-only on purpose: each bench stays one standalone program (bench/CMakeLists.txt globs *.cpp).
#pragma once

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/image.h"
#include "kiln/log.h"

namespace bench {

using Clock = std::chrono::steady_clock;

// The context of a bench that times copies: validation off whatever KILN_VALIDATION says (the layer
// would be what is measured), warnings and errors only.
inline kiln::Context quiet_context() {
  unsetenv("KILN_VALIDATION");
  kiln::set_log_level(kiln::LogLevel::Warn);
  return kiln::Context({.validation = kiln::Validation::Off});
}

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// For device names and the like inside a JSON string: quotes and backslashes escaped, control
// characters dropped (a name never needs them, and dropping keeps the line one line).
inline std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// A colour attachment in COLOR_ATTACHMENT_OPTIMAL and the raw dynamic-rendering pass over it. The raw
// vkCmdBeginRendering is the same on kiln and baseline sides, so that only what is measured differs.
// Not movable: `info` points at `color`.
struct RenderTarget {
  kiln::Image target;
  PFN_vkCmdBeginRendering begin_rendering = nullptr;
  PFN_vkCmdEndRendering end_rendering = nullptr;
  VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
  VkRenderingInfo info{VK_STRUCTURE_TYPE_RENDERING_INFO};

  RenderTarget(kiln::Context& ctx, VkFormat format, VkExtent2D extent)
      : target(ctx, {.format = format, .extent = {extent.width, extent.height, 1},
                     .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, .name = "bench.target"}) {
    kiln::run_now(ctx, kiln::QueueKind::Graphics,
                  [&](kiln::CommandBuffer& cmd) { cmd.use(target, kiln::Use::ColorAttachment, true); });
    begin_rendering = ctx.fn().cmd_begin_rendering;
    end_rendering = ctx.fn().cmd_end_rendering;
    color.imageView = target.view();
    color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    color.loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    info.renderArea = {{0, 0}, extent};
    info.layerCount = 1;
    info.colorAttachmentCount = 1;
    info.pColorAttachments = &color;
  }
  RenderTarget(const RenderTarget&) = delete;
  RenderTarget& operator=(const RenderTarget&) = delete;

  void begin(VkCommandBuffer cmd) const { begin_rendering(cmd, &info); }
  void end(VkCommandBuffer cmd) const { end_rendering(cmd); }
};

}  // namespace bench
