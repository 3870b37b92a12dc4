// compute_headless: a compute shader paints a 256x256 image; kiln reads it back into a PNG.
// No window and no swapchain: this runs wherever Vulkan does, the CPU driver (lavapipe) included.
//
//   compute_headless [--validation off|standard|sync] [OUTPUT.png]   (default ./compute_headless.png)
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

int main(int argc, char** argv) try {
  const example::Args args = example::parse_args(argc, argv, "compute_headless.png");
  kiln::Context ctx({.validation = args.validation});

  constexpr uint32_t kSize = 256;
  kiln::Image image(ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM,
                          .extent = {kSize, kSize, 1},
                          .usage = VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                          .name = "pattern"});
  kiln::Buffer readback(ctx, {.size = kSize * kSize * 4,
                              .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                              .memory = kiln::MemoryIntent::Readback,
                              .name = "readback"});

  // GLSL compiled at run time (cached on disk), pipeline and descriptor layout from its reflection.
  kiln::ShaderCompiler compiler;
  kiln::Program pattern(ctx, compiler, {.sources = {{.path = example::shader_path(argv[0], "pattern.comp")}},
                                        .name = "pattern"});
  pattern.bind("target", image);  // by the name in pattern.comp

  // One submission, and no barrier written by hand: record() does the image's use() (a storage image
  // the shader writes: GENERAL, after any earlier use), the copy waits for the shader's writes.
  kiln::run_now(ctx, [&](kiln::CommandBuffer& cmd) {
    pattern.record(cmd);
    cmd.dispatch(kSize / 16, kSize / 16);       // 16x16 invocations a group (pattern.comp)
    cmd.copy_image_to_buffer(image, readback);  // waits for the shader's writes
    cmd.use(readback, kiln::Use::HostRead);     // makes the copy visible to the CPU
  });
  readback.invalidate();

  kiln::write_png(args.output, kSize, kSize, 4, readback.data<uint8_t>());
  std::printf("compute_headless: wrote %s: a %ux%u gradient with rings, painted by a compute shader on %s\n",
              std::filesystem::absolute(args.output).c_str(), kSize, kSize, ctx.properties().deviceName);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "compute_headless: %s\n", e.what());
  return 1;
}
