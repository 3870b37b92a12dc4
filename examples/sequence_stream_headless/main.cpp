// sequence_stream_headless: plays an animated point cloud from a sequence file through
// kiln::SequenceStream — each frame's buffers loaded on a job pool straight into staging memory and
// copied to the GPU while earlier frames draw — and writes the last frame drawn as a PNG. The
// sequence is generated first (kiln::write_generated_sequence, LZ4 blobs) when it is not there yet.
//
//   sequence_stream_headless [--validation off|standard|sync] [OUTPUT.png]
//   (default ./sequence_stream_headless.png; the sequence goes next to it: OUTPUT.kseq)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "common/example_args.h"
#include "common/shader_dir.h"
#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/image.h"
#include "kiln/png.h"
#include "kiln/program.h"
#include "kiln/sequence_gen.h"
#include "kiln/sequence_stream.h"
#include "kiln/shader_cache.h"
#include "kiln/transfer.h"

int main(int argc, char** argv) try {
  const example::Args args = example::parse_args(argc, argv, "sequence_stream_headless.png");
  kiln::Context ctx({.validation = args.validation, .required = {kiln::Feature::DynamicRendering}});

  // 48 frames of 20000 points: positions (float4) and colours (RGBA8) per point.
  const kiln::GeneratorParams params{.kind = kiln::GeneratorKind::PointCloud, .frames = 48, .points = 20000};
  const std::string sequence = std::filesystem::path(args.output).replace_extension(".kseq").string();
  kiln::write_generated_sequence(sequence, params, {.compression = kiln::Compression::Lz4});

  constexpr uint32_t kSize = 256;
  kiln::Image target(ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM,
                           .extent = {kSize, kSize, 1},
                           .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                           .name = "target"});
  kiln::ShaderCompiler compiler;
  kiln::Program points(ctx, compiler,
                       {.sources = {{.path = example::shader_path(argv[0], "points.vert")},
                                    {.path = example::shader_path(argv[0], "points.frag")}},
                        .color_formats = {target.format()},
                        .topology = VK_PRIMITIVE_TOPOLOGY_POINT_LIST,
                        // Two buffers of the frame, one attribute each.
                        .vertex_bindings = {{0, 16, VK_VERTEX_INPUT_RATE_VERTEX}, {1, 4, VK_VERTEX_INPUT_RATE_VERTEX}},
                        .vertex_attributes = {{0, 0, VK_FORMAT_R32G32B32A32_SFLOAT, 0}, {1, 1, VK_FORMAT_R8G8B8A8_UNORM, 0}},
                        .name = "points"});

  // Prefetch 8 frames ahead; the loop below never waits for the CPU side of a load.
  kiln::SequenceStream stream(ctx, sequence, {.prefetch = 8});
  kiln::CommandPool pool(ctx);
  uint32_t shown = 0, frame = 0;
  while (shown < params.frames) {
    const kiln::StreamFrame* f = stream.get(frame);
    if (!f) {
      // Late: a viewer would show the previous frame again at its display rate; this one just waits.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    kiln::Buffer& positions = f->buffer("positions");
    kiln::Buffer& colors = f->buffer("colors");
    kiln::CommandBuffer cmd = pool.begin("draw frame");
    cmd.use(positions, kiln::Use::VertexBuffer);
    cmd.use(colors, kiln::Use::VertexBuffer);
    cmd.begin_rendering({.colors = {{.image = &target, .load = VK_ATTACHMENT_LOAD_OP_CLEAR,
                                     .clear = {{0.02f, 0.02f, 0.05f, 1.0f}}}}});
    points.record(cmd);
    cmd.set_viewport_scissor({kSize, kSize});
    cmd.bind_vertex_buffers(0, {positions.handle(), colors.handle()}, {VkDeviceSize(0), VkDeviceSize(0)});
    cmd.draw(params.points);
    cmd.end_rendering();
    // The GPU waits for the frame's copies; the CPU goes on.
    kiln::CommandBuffer* cmds[] = {&cmd};
    const kiln::SemaphoreSubmit waits[] = {f->ready.wait_info()};
    const uint64_t serial = ctx.queue().submit({.commands = kiln::Slice<kiln::CommandBuffer*>(cmds, 1), .waits = kiln::Slice<kiln::SemaphoreSubmit>(waits, 1)});
    stream.used(*f, ctx.queue(), serial);
    ++shown;
    frame = (frame + 1) % params.frames;
  }

  std::vector<uint8_t> pixels = kiln::read_image_now(ctx, target);
  kiln::write_png(args.output, kSize, kSize, 4, pixels.data());
  const kiln::StreamStats st = stream.stats();
  std::printf("sequence_stream_headless: wrote %s: frame %u of a %u-point cloud streamed from %s "
              "(%u frames shown, %.1f MB to the GPU; %llu times the frame was still loading), on %s\n",
              std::filesystem::absolute(args.output).c_str(), params.frames - 1, params.points, sequence.c_str(),
              shown, double(st.bytes_uploaded) / 1e6,
              static_cast<unsigned long long>(st.late), ctx.properties().deviceName);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "sequence_stream_headless: %s\n", e.what());
  return 1;
}
