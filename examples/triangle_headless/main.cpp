// triangle_headless: dynamic rendering draws one triangle into a 256x256 image; kiln reads it back
// into a PNG. The "hello world" of graphics, without a window: it runs on lavapipe too.
//
//   triangle_headless [--validation off|standard|sync] [OUTPUT.png]   (default ./triangle_headless.png)
#include <cstdio>
#include <filesystem>

#include "common/example_args.h"
#include "common/shader_dir.h"
#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/image.h"
#include "kiln/png.h"
#include "kiln/program.h"
#include "kiln/shader_cache.h"
#include "kiln/transfer.h"

struct Vertex {
  float position[2];  // clip space: y points down in Vulkan
  float color[3];
};

int main(int argc, char** argv) try {
  const example::Args args = example::parse_args(argc, argv, "triangle_headless.png");
  kiln::Context ctx({.validation = args.validation, .required = {kiln::Feature::DynamicRendering}});

  const Vertex vertices[] = {{{0.0f, -0.7f}, {1, 0, 0}}, {{0.7f, 0.6f}, {0, 1, 0}}, {{-0.7f, 0.6f}, {0, 0, 1}}};
  kiln::Buffer vertex_buffer(ctx, {.size = sizeof(vertices),
                                   .usage = VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                   .name = "vertices"});
  kiln::upload_now(ctx, vertex_buffer, vertices, sizeof(vertices));

  constexpr uint32_t kSize = 256;
  kiln::Image target(ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM,
                           .extent = {kSize, kSize, 1},
                           .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                           .name = "target"});
  kiln::Buffer readback(ctx, {.size = kSize * kSize * 4,
                              .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                              .memory = kiln::MemoryIntent::Readback,
                              .name = "readback"});

  // The vertex layout (vec2 + vec3, interleaved, tightly packed: struct Vertex) comes from the
  // vertex shader's inputs; the stages' interfaces are checked against each other.
  kiln::ShaderCompiler compiler;
  kiln::Program triangle(ctx, compiler, {.sources = {{.path = example::shader_path(argv[0], "triangle.vert")},
                                                     {.path = example::shader_path(argv[0], "triangle.frag")}},
                                         .color_formats = {target.format()},
                                         .name = "triangle"});

  kiln::run_now(ctx, [&](kiln::CommandBuffer& cmd) {
    cmd.use(vertex_buffer, kiln::Use::VertexBuffer);  // barriers go before the pass, not inside it
    cmd.begin_rendering({.colors = {{.image = &target,
                                     .load = VK_ATTACHMENT_LOAD_OP_CLEAR,
                                     .clear = {{0.08f, 0.08f, 0.12f, 1.0f}}}}});
    triangle.record(cmd);  // pipeline (no descriptors here)
    cmd.set_viewport_scissor({kSize, kSize});
    cmd.bind_vertex_buffers(0, {vertex_buffer.handle()}, {VkDeviceSize(0)});
    cmd.draw(3);
    cmd.end_rendering();
    cmd.copy_image_to_buffer(target, readback);  // waits for the pass's writes
    cmd.use(readback, kiln::Use::HostRead);      // makes the copy visible to the CPU
  });
  readback.invalidate();

  kiln::write_png(args.output, kSize, kSize, 4, readback.data<uint8_t>());
  std::printf("triangle_headless: wrote %s: a %ux%u RGB triangle on a dark background, drawn on %s\n",
              std::filesystem::absolute(args.output).c_str(), kSize, kSize, ctx.properties().deviceName);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "triangle_headless: %s\n", e.what());
  return 1;
}
