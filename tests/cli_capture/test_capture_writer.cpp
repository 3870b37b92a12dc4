// The capture writer (src/layer/dump/) on captures built by hand: which files it writes, that they hold
// the captured bytes (PNG decoded back, .npy parsed back), and capture.json field by field.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "kiln/error.h"
#include "kiln/npy.h"
#include "kiln/png.h"
#include "layer/dump/write_capture.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;
using kiln::layer::CapturedResource;
using kiln::layer::ResourceRole;

namespace {

fs::path temp_dir(const char* name) {
  fs::path dir = fs::temp_directory_path() / (std::string("kiln_test_capture_") + name + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = uint8_t(i * 31 + i / 7 + seed);
  return p;
}

Json read_json(const fs::path& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CapturedResource image(ResourceRole role, VkFormat format, uint32_t w, uint32_t h, uint32_t texel_bytes,
                       bool before, bool after) {
  CapturedResource r;
  r.role = role;
  r.is_image = true;
  r.format = format;
  r.extent = {w, h, 1};
  r.aspect = VK_IMAGE_ASPECT_COLOR_BIT;
  r.layout = VK_IMAGE_LAYOUT_GENERAL;
  r.has_before = before;
  r.has_after = after;
  if (before) r.before = pattern(size_t(w) * h * texel_bytes, 1);
  if (after) r.after = pattern(size_t(w) * h * texel_bytes, 2);
  return r;
}

// A compute dispatch and a draw, as the hook would hand them over.
kiln::layer::Capture sample_capture() {
  kiln::layer::Capture c;
  c.spec = "dispatch:1";
  c.frame = 3;
  c.command_index = 7;
  c.command = "vkCmdDispatch(groupCountX=4, groupCountY=4, groupCountZ=1)";
  c.label_path = "Frame/Blur";
  c.pipeline_name = "blur";
  c.bind_point = VK_PIPELINE_BIND_POINT_COMPUTE;
  c.stages.push_back({VK_SHADER_STAGE_COMPUTE_BIT, "main", "blur.comp"});
  c.when = "both";

  CapturedResource albedo = image(ResourceRole::Descriptor, VK_FORMAT_R8G8B8A8_UNORM, 5, 3, 4, true, true);
  albedo.set = 0, albedo.binding = 1, albedo.shader_name = "albedo", albedo.debug_name = "gbuffer.albedo";
  albedo.descriptor_type = "storage_image", albedo.handle = 0xabcdef0123456789ull, albedo.written = true;
  c.resources.push_back(albedo);

  CapturedResource params;
  params.role = ResourceRole::Descriptor;
  params.set = 0, params.binding = 0, params.shader_name = "Params", params.descriptor_type = "uniform_buffer";
  params.offset = 256, params.size = 32, params.has_before = true, params.before = pattern(32, 5);
  params.members = {{"radius", 0, 4, "float"}, {"weights", 16, 16, "vec4"}};
  c.resources.push_back(params);

  CapturedResource hdr = image(ResourceRole::Descriptor, VK_FORMAT_R16G16B16A16_SFLOAT, 4, 2, 8, false, true);
  hdr.set = 1, hdr.binding = 0, hdr.array_element = 2, hdr.shader_name = "hdr[2] out";
  hdr.descriptor_type = "storage_image", hdr.written = true;
  c.resources.push_back(hdr);
  c.notes.push_back("push constants: none");
  c.bytes_copied = 4096;
  return c;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kiln::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CaptureWriter, JsonNamesEverything) {
  const fs::path dir = temp_dir("json");
  kiln::layer::write_capture(sample_capture(), dir.string());
  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["kiln_capture"], 1);
  EXPECT_EQ(j["spec"], "dispatch:1");
  EXPECT_EQ(j["frame"], 3);
  EXPECT_EQ(j["command_index"], 7);
  EXPECT_EQ(j["command"], "vkCmdDispatch(groupCountX=4, groupCountY=4, groupCountZ=1)");
  EXPECT_EQ(j["label_path"], "Frame/Blur");
  EXPECT_EQ(j["pipeline"]["name"], "blur");
  EXPECT_EQ(j["pipeline"]["bind_point"], "compute");
  EXPECT_EQ(j["pipeline"]["stages"][0]["stage"], "compute");
  EXPECT_EQ(j["pipeline"]["stages"][0]["entry"], "main");
  EXPECT_EQ(j["pipeline"]["stages"][0]["module"], "blur.comp");
  EXPECT_EQ(j["when"], "both");
  EXPECT_EQ(j["bytes_copied"], 4096);
  ASSERT_EQ(j["resources"].size(), 3u);

  const Json& albedo = j["resources"][0];
  EXPECT_EQ(albedo["name"], "set0_binding1_albedo");
  EXPECT_EQ(albedo["role"], "descriptor");
  EXPECT_EQ(albedo["set"], 0);
  EXPECT_EQ(albedo["binding"], 1);
  EXPECT_EQ(albedo["array_element"], 0);
  EXPECT_EQ(albedo["descriptor_type"], "storage_image");
  EXPECT_EQ(albedo["shader_name"], "albedo");
  EXPECT_EQ(albedo["debug_name"], "gbuffer.albedo");
  EXPECT_EQ(albedo["handle"], "0xabcdef0123456789");
  EXPECT_EQ(albedo["written"], true);
  EXPECT_EQ(albedo["kind"], "image");
  EXPECT_EQ(albedo["format"], "VK_FORMAT_R8G8B8A8_UNORM");
  EXPECT_EQ(albedo["extent"], Json::array({5, 3, 1}));
  EXPECT_EQ(albedo["aspect"], Json::array({"color"}));
  EXPECT_EQ(albedo["layout"], "VK_IMAGE_LAYOUT_GENERAL");
  EXPECT_EQ(albedo["file_format"], "png");
  EXPECT_EQ(albedo["shape"], Json::array({3, 5, 4}));
  EXPECT_EQ(albedo["before"], "before/set0_binding1_albedo.png");
  EXPECT_EQ(albedo["after"], "after/set0_binding1_albedo.png");

  const Json& params = j["resources"][1];
  EXPECT_EQ(params["kind"], "buffer");
  EXPECT_EQ(params["offset"], 256);
  EXPECT_EQ(params["size"], 32);
  EXPECT_EQ(params["written"], false);
  EXPECT_EQ(params["members"][1]["name"], "weights");
  EXPECT_EQ(params["members"][1]["offset"], 16);
  EXPECT_EQ(params["members"][1]["type"], "vec4");
  EXPECT_EQ(params["before"], "before/set0_binding0_Params.bin");
  EXPECT_TRUE(params["after"].is_null());

  const Json& hdr = j["resources"][2];
  EXPECT_EQ(hdr["name"], "set1_binding0_element2_hdr_2__out");
  EXPECT_EQ(hdr["file_format"], "npy");
  EXPECT_EQ(hdr["dtype"], "float16");
  EXPECT_TRUE(hdr["before"].is_null());
  EXPECT_EQ(hdr["after"], "after/set1_binding0_element2_hdr_2__out.npy");
  EXPECT_EQ(j["notes"], Json::array({"push constants: none"}));
  fs::remove_all(dir);
}

TEST(CaptureWriter, FilesHoldTheCapturedBytes) {
  const fs::path dir = temp_dir("files");
  const kiln::layer::Capture c = sample_capture();
  kiln::layer::write_capture(c, dir.string());

  const kiln::PngImage before = kiln::read_png((dir / "before/set0_binding1_albedo.png").string());
  EXPECT_EQ(before.width, 5u);
  EXPECT_EQ(before.height, 3u);
  EXPECT_EQ(before.channels, 4u);
  EXPECT_EQ(before.pixels, c.resources[0].before);
  EXPECT_EQ(kiln::read_png((dir / "after/set0_binding1_albedo.png").string()).pixels, c.resources[0].after);

  EXPECT_EQ(read_bytes(dir / "before/set0_binding0_Params.bin"), c.resources[1].before);
  EXPECT_FALSE(fs::exists(dir / "after/set0_binding0_Params.bin"));

  const kiln::NpyArray hdr = kiln::read_npy((dir / "after/set1_binding0_element2_hdr_2__out.npy").string());
  EXPECT_EQ(hdr.type, kiln::NpyType::F16);
  EXPECT_EQ(hdr.shape, (std::vector<uint64_t>{2, 4, 4}));
  EXPECT_EQ(hdr.data, c.resources[2].after);
  fs::remove_all(dir);
}

TEST(CaptureWriter, PngConversions) {
  const fs::path dir = temp_dir("png");
  kiln::layer::Capture c;
  c.resources.push_back(image(ResourceRole::ColorAttachment, VK_FORMAT_B8G8R8A8_SRGB, 3, 2, 4, false, true));
  c.resources.push_back(image(ResourceRole::ColorAttachment, VK_FORMAT_R8_UNORM, 3, 2, 1, false, true));
  c.resources.push_back(image(ResourceRole::ColorAttachment, VK_FORMAT_R8G8_UNORM, 3, 2, 2, false, true));
  c.resources[1].attachment = 1;
  c.resources[2].attachment = 2;
  kiln::layer::write_capture(c, dir.string());

  // BGRA becomes RGBA.
  const kiln::PngImage bgra = kiln::read_png((dir / "after/color0.png").string());
  ASSERT_EQ(bgra.channels, 4u);
  const std::vector<uint8_t>& in = c.resources[0].after;
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(bgra.pixels[i * 4 + 0], in[i * 4 + 2]);
    EXPECT_EQ(bgra.pixels[i * 4 + 1], in[i * 4 + 1]);
    EXPECT_EQ(bgra.pixels[i * 4 + 2], in[i * 4 + 0]);
    EXPECT_EQ(bgra.pixels[i * 4 + 3], in[i * 4 + 3]);
  }
  // R8 is grey.
  const kiln::PngImage grey = kiln::read_png((dir / "after/color1.png").string());
  EXPECT_EQ(grey.channels, 1u);
  EXPECT_EQ(grey.pixels, c.resources[1].after);
  // RG8 is RGB with blue 0.
  const kiln::PngImage rg = kiln::read_png((dir / "after/color2.png").string());
  ASSERT_EQ(rg.channels, 3u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(rg.pixels[i * 3 + 0], c.resources[2].after[i * 2 + 0]);
    EXPECT_EQ(rg.pixels[i * 3 + 1], c.resources[2].after[i * 2 + 1]);
    EXPECT_EQ(rg.pixels[i * 3 + 2], 0);
  }
  fs::remove_all(dir);
}

TEST(CaptureWriter, DepthStencilAndUnknownFormats) {
  const fs::path dir = temp_dir("depth");
  kiln::layer::Capture c;
  CapturedResource d24 = image(ResourceRole::DepthAttachment, VK_FORMAT_D24_UNORM_S8_UINT, 2, 1, 4, true, false);
  d24.aspect = VK_IMAGE_ASPECT_DEPTH_BIT;
  d24.before = {0xff, 0xff, 0xff, 0x12, 0x00, 0x00, 0x80, 0x34};  // 1.0 and 0x800000 / 0xffffff; top byte ignored
  c.resources.push_back(d24);
  CapturedResource stencil = image(ResourceRole::StencilAttachment, VK_FORMAT_D24_UNORM_S8_UINT, 2, 1, 1, true, false);
  stencil.aspect = VK_IMAGE_ASPECT_STENCIL_BIT;
  c.resources.push_back(stencil);
  CapturedResource d16 = image(ResourceRole::Descriptor, VK_FORMAT_D16_UNORM, 2, 2, 2, true, false);
  d16.aspect = VK_IMAGE_ASPECT_DEPTH_BIT;
  d16.mip = 1;
  c.resources.push_back(d16);
  // ASTC in a 3D image (2D blocks, slice after slice) is not decoded to a PNG.
  c.resources.push_back(image(ResourceRole::TransferSource, VK_FORMAT_ASTC_4x4_UNORM_BLOCK, 4, 4, 0, true, false));
  c.resources.back().extent.depth = 2;
  c.resources.back().before = pattern(32, 9);
  kiln::layer::write_capture(c, dir.string());

  const kiln::NpyArray depth = kiln::read_npy((dir / "before/depth.npy").string());
  EXPECT_EQ(depth.type, kiln::NpyType::F32);
  EXPECT_EQ(depth.shape, (std::vector<uint64_t>{1, 2, 1}));
  float values[2];
  std::memcpy(values, depth.data.data(), 8);
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_FLOAT_EQ(values[1], float(0x800000) / float(0xffffff));

  const kiln::NpyArray s = kiln::read_npy((dir / "before/stencil.npy").string());
  EXPECT_EQ(s.type, kiln::NpyType::U8);
  EXPECT_EQ(s.data, c.resources[1].before);
  const kiln::NpyArray d = kiln::read_npy((dir / "before/set0_binding0_mip1.npy").string());
  EXPECT_EQ(d.type, kiln::NpyType::U16);
  EXPECT_EQ(d.data, c.resources[2].before);

  // Raw bytes, and a note saying why.
  EXPECT_EQ(read_bytes(dir / "before/src.bin"), c.resources[3].before);
  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["resources"][0]["dtype"], "float32");
  EXPECT_EQ(j["resources"][0]["aspect"], Json::array({"depth"}));
  EXPECT_EQ(j["resources"][3]["file_format"], "bin");
  ASSERT_EQ(j["notes"].size(), 1u);
  EXPECT_NE(j["notes"][0].get<std::string>().find("VK_FORMAT_ASTC_4x4_UNORM_BLOCK"), std::string::npos);
  fs::remove_all(dir);
}

TEST(CaptureWriter, SameNamesGetNumbersAndOldFilesGo) {
  const fs::path dir = temp_dir("names");
  kiln::layer::Capture first = sample_capture();
  kiln::layer::write_capture(first, dir.string());
  ASSERT_TRUE(fs::exists(dir / "before/set0_binding0_Params.bin"));

  kiln::layer::Capture c;
  c.resources.push_back(image(ResourceRole::TransferDestination, VK_FORMAT_R32_SFLOAT, 2, 2, 4, true, true));
  c.resources.push_back(image(ResourceRole::TransferDestination, VK_FORMAT_R32_SFLOAT, 2, 2, 4, true, true));
  kiln::layer::write_capture(c, dir.string());
  EXPECT_FALSE(fs::exists(dir / "before/set0_binding0_Params.bin")) << "files of the earlier capture are gone";
  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["resources"][0]["after"], "after/dst.npy");
  EXPECT_EQ(j["resources"][1]["after"], "after/dst_2.npy");
  EXPECT_TRUE(j["pipeline"].is_null()) << "a copy runs no pipeline";
  EXPECT_TRUE(fs::exists(dir / "after/dst_2.npy"));
  fs::remove_all(dir);
}

TEST(CaptureWriter, NoMatchListsTheCommands) {
  const fs::path dir = temp_dir("nomatch");
  kiln::layer::write_no_match(dir.string(), "draw:9", 2, {"1 vkCmdBeginRenderPass(...)", "2 vkCmdDraw(3, 1, 0, 0)"});
  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["spec"], "draw:9");
  EXPECT_EQ(j["frame"], 2);
  EXPECT_NE(j["error"].get<std::string>().find("'draw:9' matched no command of frame 2"), std::string::npos);
  EXPECT_EQ(j["commands"], Json::array({"1 vkCmdBeginRenderPass(...)", "2 vkCmdDraw(3, 1, 0, 0)"}));
  EXPECT_FALSE(j.contains("resources"));
  fs::remove_all(dir);
}

TEST(CaptureWriter, UnwritableFolderNamesThePath) {
  const fs::path dir = temp_dir("unwritable");
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  const std::string message = error_of([&] { kiln::layer::write_capture(sample_capture(), (dir / "file" / "sub").string()); });
  EXPECT_NE(message.find((dir / "file" / "sub").string()), std::string::npos) << message;
  fs::remove_all(dir);
}

namespace {

void put16(std::vector<uint8_t>& b, uint16_t v) { b.push_back(uint8_t(v)), b.push_back(uint8_t(v >> 8)); }
void put_bits(std::vector<uint8_t>& b, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
// A BC1 colour block whose texel i takes palette entry i % 4 (so column x shows entry x).
std::vector<uint8_t> colour_block(uint16_t c0, uint16_t c1) {
  std::vector<uint8_t> b;
  put16(b, c0), put16(b, c1);
  uint64_t bits = 0;
  for (int i = 0; i < 16; ++i) bits |= uint64_t(i & 3) << (2 * i);
  put_bits(b, bits, 4);
  return b;
}
// A BC4 channel block whose texel i takes palette entry i % 8.
std::vector<uint8_t> channel_block(uint8_t a0, uint8_t a1) {
  std::vector<uint8_t> b{a0, a1};
  uint64_t bits = 0;
  for (int i = 0; i < 16; ++i) bits |= uint64_t(i & 7) << (3 * i);
  put_bits(b, bits, 6);
  return b;
}
std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

CapturedResource blocks(VkFormat format, uint32_t w, uint32_t h, std::vector<uint8_t> bytes, uint32_t binding) {
  CapturedResource r = image(ResourceRole::Descriptor, format, w, h, 0, true, false);
  r.before = std::move(bytes);
  r.binding = binding;
  return r;
}

}  // namespace

// BC1-BC5 textures become PNGs of their decoded texels (the palette rounded to the nearest 8-bit step),
// with the raw blocks beside them; the expected values are worked out by hand from the format's rules.
TEST(CaptureWriter, BlockCompressedImagesBecomePngs) {
  const fs::path dir = temp_dir("blocks");
  kiln::layer::Capture c;
  // Red (0xF800) and blue (0x001F): four colours; the other order in BC1 gives three and transparent black.
  const std::vector<uint8_t> red_blue = colour_block(0xF800, 0x001F), blue_red = colour_block(0x001F, 0xF800);
  c.resources.push_back(blocks(VK_FORMAT_BC1_RGBA_UNORM_BLOCK, 4, 4, red_blue, 0));
  c.resources.push_back(blocks(VK_FORMAT_BC1_RGBA_UNORM_BLOCK, 4, 4, blue_red, 1));
  c.resources.push_back(blocks(VK_FORMAT_BC1_RGB_UNORM_BLOCK, 4, 4, blue_red, 2));
  std::vector<uint8_t> bc2;
  put_bits(bc2, 0xfedcba9876543210ull, 8);  // texel i: alpha nibble i
  c.resources.push_back(blocks(VK_FORMAT_BC2_UNORM_BLOCK, 4, 4, cat(bc2, blue_red), 3));
  c.resources.push_back(blocks(VK_FORMAT_BC3_UNORM_BLOCK, 4, 4, cat(channel_block(200, 10), blue_red), 4));
  c.resources.push_back(blocks(VK_FORMAT_BC4_UNORM_BLOCK, 4, 4, channel_block(10, 200), 5));
  c.resources.push_back(blocks(VK_FORMAT_BC5_UNORM_BLOCK, 4, 4, cat(channel_block(200, 10), channel_block(10, 200)), 6));
  c.resources.push_back(blocks(VK_FORMAT_BC4_SNORM_BLOCK, 4, 4, channel_block(127, 0x81), 7));  // 1.0, -1.0
  // 6x5 texels: 2x2 blocks, cut at the right and bottom edges.
  std::vector<uint8_t> four;
  for (uint8_t v : {uint8_t(0), uint8_t(60), uint8_t(120), uint8_t(180)}) four = cat(four, {v, v, 0, 0, 0, 0, 0, 0});
  c.resources.push_back(blocks(VK_FORMAT_BC4_UNORM_BLOCK, 6, 5, four, 8));
  kiln::layer::write_capture(c, dir.string());

  auto png = [&](int binding) { return kiln::read_png((dir / ("before/set0_binding" + std::to_string(binding) + ".png")).string()); };
  using Px = std::array<int, 4>;
  auto texel = [](const kiln::PngImage& img, uint32_t x, uint32_t y) {
    Px p{0, 0, 0, 255};
    for (uint32_t ch = 0; ch < img.channels; ++ch) p[ch] = img.pixels[(y * img.width + x) * img.channels + ch];
    return p;
  };
  // Columns show palette entries 0..3.
  const kiln::PngImage bc1 = png(0);
  ASSERT_EQ(bc1.channels, 4u);
  const Px four_colours[4] = {{255, 0, 0, 255}, {0, 0, 255, 255}, {170, 0, 85, 255}, {85, 0, 170, 255}};
  for (uint32_t x = 0; x < 4; ++x) EXPECT_EQ(texel(bc1, x, 2), four_colours[x]) << "BC1 four colours, column " << x;
  const Px three_rgba[4] = {{0, 0, 255, 255}, {255, 0, 0, 255}, {128, 0, 128, 255}, {0, 0, 0, 0}};
  for (uint32_t x = 0; x < 4; ++x) EXPECT_EQ(texel(png(1), x, 1), three_rgba[x]) << "BC1 three colours, column " << x;
  EXPECT_EQ(texel(png(2), 3, 0), (Px{0, 0, 0, 255})) << "BC1_RGB: black is opaque";
  // BC2 and BC3: always four colours (blue, red, 2:1 and 1:2 mixes); alpha explicit or interpolated.
  const Px blue_red_four[4] = {{0, 0, 255, 0}, {255, 0, 0, 0}, {85, 0, 170, 0}, {170, 0, 85, 0}};
  const kiln::PngImage bc2_png = png(3), bc3_png = png(4);
  const int bc4_down[8] = {200, 10, 173, 146, 119, 91, 64, 37};  // 200 > 10: six steps between
  for (uint32_t i = 0; i < 16; ++i) {
    Px want = blue_red_four[i % 4];
    want[3] = int(i) * 17;
    EXPECT_EQ(texel(bc2_png, i % 4, i / 4), want) << "BC2 texel " << i;
    want[3] = bc4_down[i % 8];
    EXPECT_EQ(texel(bc3_png, i % 4, i / 4), want) << "BC3 texel " << i;
  }
  // BC4: 10 < 200, four steps between and 0, 255; grey PNG. BC5: R and G, blue 0.
  const int bc4_up[8] = {10, 200, 48, 86, 124, 162, 0, 255};
  const kiln::PngImage bc4 = png(5), bc5 = png(6), snorm = png(7);
  EXPECT_EQ(bc4.channels, 1u);
  EXPECT_EQ(bc5.channels, 3u);
  for (uint32_t i = 0; i < 16; ++i) {
    EXPECT_EQ(texel(bc4, i % 4, i / 4)[0], bc4_up[i % 8]) << "BC4 texel " << i;
    EXPECT_EQ(texel(bc5, i % 4, i / 4), (Px{bc4_down[i % 8], bc4_up[i % 8], 0, 255})) << "BC5 texel " << i;
  }
  // Signed: 1.0 -> 255, -1.0 -> 0, 5/7 -> 219 (shown as (v + 1) / 2).
  EXPECT_EQ(texel(snorm, 0, 0)[0], 255);
  EXPECT_EQ(texel(snorm, 1, 0)[0], 0);
  EXPECT_EQ(texel(snorm, 2, 0)[0], 219);
  // The cut edges: 6x5, each block's constant value in its quarter.
  const kiln::PngImage cut = png(8);
  ASSERT_EQ(cut.width, 6u);
  ASSERT_EQ(cut.height, 5u);
  EXPECT_EQ(texel(cut, 3, 3)[0], 0);
  EXPECT_EQ(texel(cut, 5, 0)[0], 60);
  EXPECT_EQ(texel(cut, 0, 4)[0], 120);
  EXPECT_EQ(texel(cut, 5, 4)[0], 180);

  // The raw blocks beside each PNG, byte for byte, and named in capture.json.
  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["resources"][0]["file_format"], "png");
  EXPECT_EQ(j["resources"][0]["before_blocks"], "before/set0_binding0.blocks.bin");
  EXPECT_EQ(j["resources"][0]["after_blocks"], nullptr);
  EXPECT_EQ(read_bytes(dir / "before/set0_binding0.blocks.bin"), red_blue);
  EXPECT_EQ(j["resources"][8]["shape"], Json::array({5, 6, 1}));
  EXPECT_TRUE(j["notes"].empty()) << j["notes"].dump();
  fs::remove_all(dir);
}

namespace {

// A BC7 block built field by field, each field's bits packed from bit 0 of byte 0 upwards as the format lays
// them out.
class Bc7Bits {
 public:
  Bc7Bits& put(uint32_t value, int count) {
    for (int i = 0; i < count; ++i, ++pos_) bytes_[pos_ / 8] |= uint8_t(((value >> i) & 1) << (pos_ % 8));
    return *this;
  }
  std::vector<uint8_t> block() const {
    EXPECT_EQ(pos_, 128) << "a BC7 block is 128 bits";
    return bytes_;
  }

 private:
  std::vector<uint8_t> bytes_ = std::vector<uint8_t>(16);
  int pos_ = 0;
};

// Mode 1 (two subsets, 6-bit endpoints, a P-bit shared by each subset's endpoints) with the same endpoints
// for any partition: subset 0 from red (129, 0, 0) to green (0, 129, 0), subset 1 from (2, 2, 255) to white.
// index(i) must fit the anchor texels' 2 bits: texel 0 and `anchor`, the second subset's.
std::vector<uint8_t> bc7_mode1(uint32_t partition, uint32_t anchor, const std::function<uint32_t(uint32_t)>& index) {
  Bc7Bits b;
  b.put(0b10, 2).put(partition, 6);
  for (uint32_t v : {32, 0, 0, 63}) b.put(v, 6);  // R: subset 0 ends 0 and 1, subset 1 ends 0 and 1
  for (uint32_t v : {0, 32, 0, 63}) b.put(v, 6);  // G
  for (uint32_t v : {0, 0, 63, 63}) b.put(v, 6);  // B
  b.put(0, 1).put(1, 1);                          // P-bits: subset 0, subset 1
  for (uint32_t i = 0; i < 16; ++i) b.put(index(i), i == 0 || i == anchor ? 2 : 3);
  return b.block();
}

}  // namespace

// BC7 textures become RGBA PNGs of their decoded texels, exactly (BC7 leaves no rounding to the decoder).
// The blocks are built field by field and the expected texels worked out by hand from
// ARB_texture_compression_bptc: endpoints widened with their P-bit and top bits replicated, weights out of
// 64 (((64 - w) * e0 + w * e1 + 32) >> 6), partition and anchor tables, rotation and index selection.
TEST(CaptureWriter, Bc7BlocksBecomePngs) {
  const fs::path dir = temp_dir("bc7");
  using Px = std::array<int, 4>;
  // Mode 6 (one subset, RGBA 7 bits + a P-bit per endpoint, 4-bit indices): R 0 -> 255, G and A 254 -> 1,
  // B 128 -> 129; texel i takes index i, so the row shows the whole 16-step ramp.
  Bc7Bits mode6;
  mode6.put(1 << 6, 7);
  for (uint32_t v : {0, 127, 127, 0, 64, 64, 127, 0}) mode6.put(v, 7);  // R0 R1 G0 G1 B0 B1 A0 A1
  mode6.put(0, 1).put(1, 1);                                            // P-bits of endpoints 0 and 1
  for (uint32_t i = 0; i < 16; ++i) mode6.put(i, i == 0 ? 3 : 4);
  const int ramp_up[16] = {0, 16, 36, 52, 68, 84, 104, 120, 135, 151, 171, 187, 203, 219, 239, 255};
  const int ramp_down[16] = {254, 238, 218, 203, 187, 171, 151, 135, 120, 104, 84, 68, 52, 37, 17, 1};
  // Mode 4 (one subset, RGB 5 bits, alpha 6 bits, 2- and 3-bit index sets), rotation 1 (alpha and red
  // swapped after interpolation) and index selection 1 (colour from the 3-bit set, alpha from the 2-bit one):
  // R 255 -> 0 and G 0 -> 255 by texel i % 8, B 132 (16 widened to 8 bits), alpha 0 -> 255 by texel i % 4.
  Bc7Bits mode4;
  mode4.put(1 << 4, 5).put(1, 2).put(1, 1);
  for (uint32_t v : {31, 0, 0, 31, 16, 16}) mode4.put(v, 5);  // R0 R1 G0 G1 B0 B1
  mode4.put(0, 6).put(63, 6);                                // A0 A1
  for (uint32_t i = 0; i < 16; ++i) mode4.put(i % 4, i == 0 ? 1 : 2);
  for (uint32_t i = 0; i < 16; ++i) mode4.put(i % 8, i == 0 ? 2 : 3);
  const int ramp3_down[8] = {255, 219, 183, 147, 108, 72, 36, 0}, ramp3_up[8] = {0, 36, 72, 108, 147, 183, 219, 255};
  const int ramp2_up[4] = {0, 84, 171, 255};
  // Mode 1, partition 17 (subset 1 is texels 1, 2, 3 and 7; its anchor is texel 2): texel i takes index i % 8.
  const std::vector<uint8_t> partition17 = bc7_mode1(17, 2, [](uint32_t i) { return i % 8; });
  const Px mode1_texels[16] = {{129, 0, 0, 255}, {38, 38, 255, 255}, {73, 73, 255, 255},  {109, 109, 255, 255},
                               {54, 75, 0, 255},  {36, 93, 0, 255},   {18, 111, 0, 255},   {255, 255, 255, 255},
                               {129, 0, 0, 255},  {111, 18, 0, 255},  {93, 36, 0, 255},    {75, 54, 0, 255},
                               {54, 75, 0, 255},  {36, 93, 0, 255},   {18, 111, 0, 255},   {0, 129, 0, 255}};
  // Mode 1, partition 35 (subset 1 is texels 2, 3, 6, 7, 8, 9, 12, 13): its anchor is texel 8, as the ARB
  // text's table has it (the Data Format Specification's says 2, an erratum); texel 2 takes index 7, which
  // needs all 3 bits, texel 8 index 3, every other texel 0.
  const std::vector<uint8_t> partition35 = bc7_mode1(35, 8, [](uint32_t i) { return i == 2 ? 7u : i == 8 ? 3u : 0u; });
  // The reserved mode (first byte 0): transparent black, whatever the other bits.
  std::vector<uint8_t> reserved(16, 0xff);
  reserved[0] = 0;

  kiln::layer::Capture c;
  // 8x8: mode 6 and mode 4 above, the two mode 1 blocks below.
  c.resources.push_back(blocks(VK_FORMAT_BC7_UNORM_BLOCK, 8, 8,
                               cat(cat(mode6.block(), mode4.block()), cat(partition17, partition35)), 0));
  // sRGB blocks decode to the same bytes (the PNG keeps them encoded); 6x3 cuts both blocks.
  c.resources.push_back(blocks(VK_FORMAT_BC7_SRGB_BLOCK, 6, 3, cat(reserved, mode6.block()), 1));
  kiln::layer::write_capture(c, dir.string());

  auto png = [&](int binding) {
    return kiln::read_png((dir / ("before/set0_binding" + std::to_string(binding) + ".png")).string());
  };
  auto texel = [](const kiln::PngImage& img, uint32_t x, uint32_t y) {
    Px p{};
    for (uint32_t ch = 0; ch < 4; ++ch) p[ch] = img.pixels[(y * img.width + x) * img.channels + ch];
    return p;
  };
  const kiln::PngImage unorm = png(0), srgb = png(1);
  ASSERT_EQ(unorm.channels, 4u);
  ASSERT_EQ(unorm.width, 8u);
  ASSERT_EQ(unorm.height, 8u);
  for (uint32_t i = 0; i < 16; ++i) {
    const uint32_t x = i % 4, y = i / 4;
    EXPECT_EQ(texel(unorm, x, y), (Px{ramp_up[i], ramp_down[i], i < 8 ? 128 : 129, ramp_down[i]}))
        << "mode 6 texel " << i;
    EXPECT_EQ(texel(unorm, 4 + x, y), (Px{ramp2_up[i % 4], ramp3_up[i % 8], 132, ramp3_down[i % 8]}))
        << "mode 4 texel " << i << " (alpha and red swapped)";
    EXPECT_EQ(texel(unorm, x, 4 + y), mode1_texels[i]) << "mode 1 partition 17 texel " << i;
    const Px partition35_want = i == 2 ? Px{255, 255, 255, 255}
                                : i == 8 ? Px{109, 109, 255, 255}
                                : (x == 2 || x == 3) == (y < 2) ? Px{2, 2, 255, 255}
                                                                 : Px{129, 0, 0, 255};
    EXPECT_EQ(texel(unorm, 4 + x, 4 + y), partition35_want) << "mode 1 partition 35 texel " << i;
  }
  ASSERT_EQ(srgb.channels, 4u);
  ASSERT_EQ(srgb.width, 6u);
  ASSERT_EQ(srgb.height, 3u);
  for (uint32_t y = 0; y < 3; ++y) {
    for (uint32_t x = 0; x < 4; ++x) {
      EXPECT_EQ(texel(srgb, x, y), (Px{0, 0, 0, 0})) << "reserved mode texel " << x << "," << y;
    }
    for (uint32_t x = 0; x < 2; ++x) {
      EXPECT_EQ(texel(srgb, 4 + x, y), texel(unorm, x, y)) << "sRGB mode 6 texel " << x << "," << y;
    }
  }

  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["resources"][0]["file_format"], "png");
  EXPECT_EQ(j["resources"][0]["shape"], Json::array({8, 8, 4}));
  EXPECT_EQ(j["resources"][1]["shape"], Json::array({3, 6, 4}));
  EXPECT_EQ(read_bytes(dir / "before/set0_binding1.blocks.bin"), cat(reserved, mode6.block()));
  EXPECT_TRUE(j["notes"].empty()) << j["notes"].dump();
  fs::remove_all(dir);
}

namespace {

// ETC2 and EAC blocks are one big-endian 64-bit word each: byte 0 holds bits 63..56.
std::vector<uint8_t> be64(uint64_t word) {
  std::vector<uint8_t> b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(word >> (56 - 8 * i));
  return b;
}

// ETC2 colour indices (bits 31..0): texel (x, y) is letter x * 4 + y, its index's low bit at that bit and its
// high bit 16 above. These give texel (x, y) index x (so column x shows index x) or index y.
constexpr uint64_t kIndexIsColumn = 0xFF00F0F0, kIndexIsRow = 0xCCCCAAAA;
// EAC indices (bits 47..0, 3 bits a letter from the top): letter L takes index L % 8, so texel (x, y) takes
// (x % 2) * 4 + y.
constexpr uint64_t kEacIndices = 0x053977053977;
std::vector<uint8_t> eac_block(uint8_t base, uint32_t multiplier, uint32_t table) {
  return be64(uint64_t(base) << 56 | uint64_t(multiplier) << 52 | uint64_t(table) << 48 | kEacIndices);
}
int eac_index(uint32_t x, uint32_t y) { return int(x % 2 * 4 + y); }

}  // namespace

// ETC2 and EAC textures become PNGs of their decoded texels. Each block is built bit by bit from the Data
// Format Specification's layout tables (most reuse its worked examples' colours) and its texels worked out by
// hand: extend4/5/6/7 by replicating top bits, the intensity modifier tables, the T/H distance table, the
// planar plane rounded half up, EAC's base * 8 + 4 (unsigned) or base * 8 (signed) plus modifier * multiplier
// * 8, a multiplier of 0 meaning 1/8, 11-bit values rounded to 8 bits (signed ones shown as (v + 1) / 2).
TEST(CaptureWriter, Etc2BlocksBecomePngs) {
  const fs::path dir = temp_dir("etc2");
  using Rgb = std::array<int, 3>;
  using Px = std::array<int, 4>;
  // Individual mode: subblock 1 (left) R G B 4, 11, 9 -> 68, 187, 153 with table 4 (18, 60); subblock 2
  // (right) 14, 3, 8 -> 238, 51, 136 with table 0 (2, 8). Row y takes index y: +small, +large, -small, -large.
  const std::vector<uint8_t> individual = be64(0x4EB39880ull << 32 | kIndexIsRow);
  const Rgb individual_left[4] = {{86, 205, 171}, {128, 247, 213}, {50, 169, 135}, {8, 127, 93}};
  const Rgb individual_right[4] = {{240, 53, 138}, {246, 59, 144}, {236, 49, 134}, {230, 43, 128}};
  // Differential mode, flipped (subblock 1 on top): 5-bit 29, 26, 8 -> 239, 214, 66 with table 2 (9, 29); plus
  // -4, -3, +3 -> 25, 23, 11 -> 206, 189, 90 with table 3 (13, 42). Column x takes index x.
  const std::vector<uint8_t> differential = be64(0xECD5434Full << 32 | kIndexIsColumn);
  const Rgb differential_top[4] = {{248, 223, 75}, {255, 243, 95}, {230, 205, 57}, {210, 185, 37}};
  const Rgb differential_bottom[4] = {{219, 202, 103}, {248, 231, 132}, {193, 176, 77}, {164, 147, 48}};
  // T mode (R 31 + 1 overflows): colours 13, 1, 8 -> 221, 17, 136 and 4, 12, 13 -> 68, 204, 221, distance index
  // 5 (32); paint colours first, second + 32, second, second - 32, column x taking paint colour x.
  const std::vector<uint8_t> t_mode = be64(0xF9184CDBull << 32 | kIndexIsColumn);
  const Rgb t_paint[4] = {{221, 17, 136}, {100, 236, 253}, {68, 204, 221}, {36, 172, 189}};
  // H mode (R 13 + 0 fits, G 3 - 4 does not): the same two colours, distance index 1, 0 and (first >= second)
  // = 1, so 5 (32); paint colours first +- 32, second +- 32, clamped (17 - 32 -> 0).
  const std::vector<uint8_t> h_mode = be64(0x681C266Eull << 32 | kIndexIsColumn);
  const Rgb h_paint[4] = {{253, 49, 168}, {189, 0, 104}, {100, 236, 253}, {36, 172, 189}};
  // Planar mode (R and G fit, B 31 + 3 does not): O 12, 64, 62 -> 48, 129, 251; H 50, 5, 37 -> 203, 10, 150;
  // V 40, 112, 45 -> 162, 225, 182; texel (x, y) = (x * (H - O) + y * (V - O) + 4 * O + 2) >> 2, row by row.
  const std::vector<uint8_t> planar = be64(0x1901FB66ull << 32 | 0x0B2D1C2D);
  const Rgb planar_texels[16] = {{48, 129, 251},  {87, 99, 226},   {126, 70, 201},  {164, 40, 175},
                                 {77, 153, 234},  {115, 123, 209}, {154, 94, 183},  {193, 64, 158},
                                 {105, 177, 217}, {144, 147, 191}, {183, 118, 166}, {221, 88, 141},
                                 {134, 201, 199}, {172, 171, 174}, {211, 142, 149}, {250, 112, 124}};
  // Punch-through alpha: the differential and T blocks above with the opaque bit (33) cleared. Index 2 is then
  // transparent black, and in the differential mode index 0 adds nothing (the base colour itself).
  const std::vector<uint8_t> differential_clear = be64(0xECD5434Dull << 32 | kIndexIsColumn);
  const std::vector<uint8_t> t_clear = be64(0xF9184CD9ull << 32 | kIndexIsColumn);
  const Px clear_top[4] = {{239, 214, 66, 255}, {255, 243, 95, 255}, {0, 0, 0, 0}, {210, 185, 37, 255}};
  const Px clear_bottom[4] = {{206, 189, 90, 255}, {248, 231, 132, 255}, {0, 0, 0, 0}, {164, 147, 48, 255}};
  // EAC with table 13 (-1, -2, -3, -10, 0, 1, 2, 9). ETC2 alpha, base 103, multiplier 2: 103 + 2 * modifier.
  // R11 base 103, multiplier 2: 828 + 16 * modifier (812 ... 972), in 8 bits v * 255 / 2047 rounded; multiplier
  // 0: 828 + modifier (827 ... 837). Base 255, multiplier 1: 2044 + 8 * modifier, clamped to 2047; base 0,
  // multiplier 3: 4 + 24 * modifier, clamped to 0. Signed base 60, multiplier 2: 480 + 16 * modifier; base
  // 0x80 (-128, read as -127), multiplier 0: -1016 + modifier, clamped to -1023; in 8 bits (v + 1023) * 255 /
  // 2046 rounded.
  const int alpha_103[8] = {101, 99, 97, 83, 103, 105, 107, 121};
  const int r11_103[8] = {101, 99, 97, 83, 103, 105, 107, 121};
  const int r11_103_times_eighth[8] = {103, 103, 103, 102, 103, 103, 103, 104};
  const int r11_255[8] = {254, 253, 252, 245, 255, 255, 255, 255};
  const int r11_0[8] = {0, 0, 0, 0, 0, 3, 6, 27};
  const int r11_signed_60[8] = {185, 183, 181, 167, 187, 189, 191, 205};
  const int r11_signed_minus_127[8] = {1, 1, 0, 0, 1, 1, 1, 2};

  kiln::layer::Capture c;
  // 10x8 RGB: individual, T, differential (cut to two columns) above; H, planar, individual (cut) below. The
  // punch-through texture shows the differential block whole, opaque.
  const std::vector<uint8_t> rgb_blocks =
      cat(cat(cat(individual, t_mode), cat(differential, h_mode)), cat(planar, individual));
  c.resources.push_back(blocks(VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK, 10, 8, rgb_blocks, 0));
  c.resources.push_back(blocks(VK_FORMAT_ETC2_R8G8B8_SRGB_BLOCK, 4, 4, planar, 1));
  c.resources.push_back(blocks(VK_FORMAT_ETC2_R8G8B8A1_UNORM_BLOCK, 12, 4,
                               cat(cat(differential, differential_clear), t_clear), 2));
  const std::vector<uint8_t> rgba_block = cat(eac_block(103, 2, 13), individual);
  const std::vector<uint8_t> signed_pair = cat(eac_block(60, 2, 13), eac_block(0x80, 0, 13));
  c.resources.push_back(blocks(VK_FORMAT_ETC2_R8G8B8A8_UNORM_BLOCK, 4, 4, rgba_block, 3));
  c.resources.push_back(
      blocks(VK_FORMAT_EAC_R11_UNORM_BLOCK, 8, 4, cat(eac_block(103, 2, 13), eac_block(103, 0, 13)), 4));
  c.resources.push_back(blocks(VK_FORMAT_EAC_R11_SNORM_BLOCK, 8, 4, signed_pair, 5));
  c.resources.push_back(
      blocks(VK_FORMAT_EAC_R11G11_UNORM_BLOCK, 4, 4, cat(eac_block(255, 1, 13), eac_block(0, 3, 13)), 6));
  c.resources.push_back(blocks(VK_FORMAT_EAC_R11G11_SNORM_BLOCK, 4, 4, signed_pair, 7));
  kiln::layer::write_capture(c, dir.string());

  auto png = [&](int binding) {
    return kiln::read_png((dir / ("before/set0_binding" + std::to_string(binding) + ".png")).string());
  };
  auto texel = [](const kiln::PngImage& img, uint32_t x, uint32_t y) {
    Px p{0, 0, 0, 255};
    for (uint32_t ch = 0; ch < img.channels; ++ch) p[ch] = img.pixels[(y * img.width + x) * img.channels + ch];
    return p;
  };
  auto opaque = [](const Rgb& colour) { return Px{colour[0], colour[1], colour[2], 255}; };
  const kiln::PngImage rgb = png(0), srgb = png(1), punch = png(2), rgba = png(3);
  ASSERT_EQ(rgb.channels, 3u) << "ETC2 RGB is an RGB PNG";
  ASSERT_EQ(rgb.width, 10u);
  ASSERT_EQ(rgb.height, 8u);
  ASSERT_EQ(srgb.channels, 3u);
  ASSERT_EQ(punch.channels, 4u);
  ASSERT_EQ(rgba.channels, 4u);
  for (uint32_t y = 0; y < 4; ++y) {
    for (uint32_t x = 0; x < 4; ++x) {
      const Px individual_want = opaque(x < 2 ? individual_left[y] : individual_right[y]);
      const Px differential_want = opaque(y < 2 ? differential_top[x] : differential_bottom[x]);
      EXPECT_EQ(texel(rgb, x, y), individual_want) << "individual texel " << x << "," << y;
      EXPECT_EQ(texel(rgb, 4 + x, y), opaque(t_paint[x])) << "T texel " << x << "," << y;
      if (x < 2) {
        EXPECT_EQ(texel(rgb, 8 + x, y), differential_want) << "cut differential texel " << x << "," << y;
        EXPECT_EQ(texel(rgb, 8 + x, 4 + y), individual_want) << "cut individual texel " << x << "," << y;
      }
      EXPECT_EQ(texel(rgb, x, 4 + y), opaque(h_paint[x])) << "H texel " << x << "," << y;
      EXPECT_EQ(texel(rgb, 4 + x, 4 + y), opaque(planar_texels[y * 4 + x])) << "planar texel " << x << "," << y;
      EXPECT_EQ(texel(srgb, x, y), opaque(planar_texels[y * 4 + x])) << "sRGB planar texel " << x << "," << y;
      EXPECT_EQ(texel(punch, x, y), differential_want) << "opaque punch-through texel " << x << "," << y;
      EXPECT_EQ(texel(punch, 4 + x, y), y < 2 ? clear_top[x] : clear_bottom[x])
          << "punch-through differential texel " << x << "," << y;
      EXPECT_EQ(texel(punch, 8 + x, y), (x == 2 ? Px{0, 0, 0, 0} : opaque(t_paint[x])))
          << "punch-through T texel " << x << "," << y;
      Px rgba_want = individual_want;
      rgba_want[3] = alpha_103[eac_index(x, y)];
      EXPECT_EQ(texel(rgba, x, y), rgba_want) << "RGBA texel " << x << "," << y;
    }
  }

  const kiln::PngImage r11 = png(4), r11_signed = png(5), rg11 = png(6), rg11_signed = png(7);
  ASSERT_EQ(r11.channels, 1u);
  ASSERT_EQ(r11_signed.channels, 1u);
  ASSERT_EQ(rg11.channels, 3u) << "RG11 is widened to RGB, blue 0";
  ASSERT_EQ(rg11_signed.channels, 3u);
  for (uint32_t y = 0; y < 4; ++y) {
    for (uint32_t x = 0; x < 4; ++x) {
      const int i = eac_index(x, y);
      EXPECT_EQ(texel(r11, x, y)[0], r11_103[i]) << "R11 texel " << x << "," << y;
      EXPECT_EQ(texel(r11, 4 + x, y)[0], r11_103_times_eighth[i]) << "R11 multiplier 0 texel " << x << "," << y;
      EXPECT_EQ(texel(r11_signed, x, y)[0], r11_signed_60[i]) << "signed R11 texel " << x << "," << y;
      EXPECT_EQ(texel(r11_signed, 4 + x, y)[0], r11_signed_minus_127[i]) << "signed R11 -128 texel " << x << "," << y;
      EXPECT_EQ(texel(rg11, x, y), (Px{r11_255[i], r11_0[i], 0, 255})) << "RG11 texel " << x << "," << y;
      EXPECT_EQ(texel(rg11_signed, x, y), (Px{r11_signed_60[i], r11_signed_minus_127[i], 0, 255}))
          << "signed RG11 texel " << x << "," << y;
    }
  }

  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["resources"][0]["file_format"], "png");
  EXPECT_EQ(j["resources"][0]["shape"], Json::array({8, 10, 3}));
  EXPECT_EQ(j["resources"][2]["shape"], Json::array({4, 12, 4}));
  EXPECT_EQ(j["resources"][4]["shape"], Json::array({4, 8, 1}));
  EXPECT_EQ(j["resources"][6]["shape"], Json::array({4, 4, 3}));
  EXPECT_EQ(read_bytes(dir / "before/set0_binding3.blocks.bin"), rgba_block);
  EXPECT_TRUE(j["notes"].empty()) << j["notes"].dump();
  fs::remove_all(dir);
}

namespace {

// BC6H lays its fields out as BC7 does, from bit 0 of byte 0 upwards.
using Bc6hBits = Bc7Bits;

// Mode 3 (mode bits 00011; Direct3D's mode 11): one subset, both endpoints stored whole, 10 bits a channel,
// 4-bit indices. R 0 -> 1023, G 512 -> 512, B 100 -> 900; texel i takes index i.
std::vector<uint8_t> bc6h_mode3() {
  Bc6hBits b;
  b.put(0b00011, 5);
  for (uint32_t v : {0, 512, 100, 1023, 512, 900}) b.put(v, 10);  // R0 G0 B0 R1 G1 B1
  for (uint32_t i = 0; i < 16; ++i) b.put(i, i == 0 ? 3 : 4);
  return b.block();
}

// Mode 0 (mode bits 00): two subsets, endpoint 0 of 10 bits a channel and the other three as 5-bit two's
// complement deltas from it (transformed endpoints), interleaved as Table.F's row for mode 0 has them;
// partition 17 (subset 1 is texels 1, 2, 3 and 7, its anchor texel 2), 3-bit indices, texel i taking i % 8.
// R 5, +10, -16, +15; G 1023, -1, +1, 0; B 512, 0, -8, +8.
std::vector<uint8_t> bc6h_mode0() {
  const uint32_t r0 = 5, g0 = 1023, b0 = 512, r1 = 10, g1 = 31, b1 = 0;
  const uint32_t r2 = 16, g2 = 1, b2 = 24, r3 = 15, g3 = 0, b3 = 8;
  Bc6hBits b;
  b.put(0b00, 2).put(g2 >> 4, 1).put(b2 >> 4, 1).put(b3 >> 4, 1).put(r0, 10).put(g0, 10).put(b0, 10);
  b.put(r1, 5).put(g3 >> 4, 1).put(g2, 4).put(g1, 5).put(b3, 1).put(g3, 4).put(b1, 5).put(b3 >> 1, 1);
  b.put(b2, 4).put(r2, 5).put(b3 >> 2, 1).put(r3, 5).put(b3 >> 3, 1);
  b.put(17, 5);
  for (uint32_t i = 0; i < 16; ++i) b.put(i % 8, i == 0 || i == 2 ? 2 : 3);
  return b.block();
}

// Mode 15 (mode bits 01111): one subset, endpoint 0 of 16 bits a channel, its top six stored reversed (r0[10:15]:
// the first bit stored is bit 15), endpoint 1 as 4-bit deltas. R 0x8000, +7; G 0, -2; B 0x7FFF, +1 (which
// wraps to 0x8000); texel i takes index i.
std::vector<uint8_t> bc6h_mode15() {
  auto top_reversed = [](uint32_t v) {
    uint32_t r = 0;
    for (uint32_t k = 0; k < 6; ++k) r |= ((v >> (15 - k)) & 1) << k;
    return r;
  };
  const uint32_t e0[3] = {0x8000, 0, 0x7FFF}, delta[3] = {7, 14, 1};
  Bc6hBits b;
  b.put(0b01111, 5).put(e0[0], 10).put(e0[1], 10).put(e0[2], 10);
  for (int c = 0; c < 3; ++c) b.put(delta[c], 4).put(top_reversed(e0[c]), 6);
  for (uint32_t i = 0; i < 16; ++i) b.put(i, i == 0 ? 3 : 4);
  return b.block();
}

}  // namespace

// BC6H textures become float16 .npy files of their decoded texels (HDR: no PNG), bit exact, with the raw blocks
// beside them. The blocks are built field by field and the expected halves worked out from
// ARB_texture_compression_bptc and the Data Format Specification: endpoints sign-extended (signed format) or
// added to endpoint 0 and wrapped (transformed modes), unquantized to 16 bits (unsigned: 0 stays, all ones
// becomes 0xFFFF, else (x << 15 + 0x4000) >> (bits - 1); signed: the magnitude so, from 0x7FFF on at
// 2^(bits-1) - 1, sign put back), interpolated ((64 - w) * e0 + w * e1 + 32) >> 6 (rounding down when
// negative), then scaled into a half (unsigned: * 31 >> 6; signed: the magnitude * 31 >> 5, sign bit put back).
TEST(CaptureWriter, Bc6hBlocksBecomeHalfFloatNpys) {
  const fs::path dir = temp_dir("bc6h");
  using Rgb = std::array<uint16_t, 3>;
  const std::vector<uint8_t> mode3 = bc6h_mode3(), mode0 = bc6h_mode0(), mode15 = bc6h_mode15();
  // A reserved mode (low 5 bits 10011: mode 19) decodes to zeros, whatever the other bits.
  std::vector<uint8_t> reserved(16, 0xff);
  reserved[0] = 0xf3;
  const std::vector<uint8_t> grid = cat(cat(mode3, mode0), cat(mode15, reserved));

  // Mode 3 unsigned: endpoints x * 64 + 32 but 0 and 1023: R 0 -> 0xFFFF, G 32800, B 6432 -> 57632. R runs
  // from 0 to 0x7BFF (65504), G stays 0x3E0F (1.5146484375).
  const uint16_t mode3_r[16] = {0x0000, 0x07C0, 0x1170, 0x1930, 0x20F0, 0x28B0, 0x3260, 0x3A20,
                                0x41DF, 0x499F, 0x534F, 0x5B0F, 0x62CF, 0x6A8F, 0x743F, 0x7BFF};
  const uint16_t mode3_b[16] = {0x0C2B, 0x1239, 0x19CB, 0x1FD9, 0x25E7, 0x2BF5, 0x3386, 0x3994,
                                0x3FA2, 0x45B0, 0x4D42, 0x5350, 0x595E, 0x5F6C, 0x66FD, 0x6D0B};
  // Mode 3 signed: R 0 -> -1 (1023 sign-extended, -96 unquantized), G -512 (-0x7FFF: 0xFBFF, -65504), B
  // 6432 -> -124 (-7968), crossing zero between texels 6 and 7.
  const uint16_t mode3_signed_r[16] = {0x0000, 0x8005, 0x800C, 0x8012, 0x8018, 0x801E, 0x8025, 0x802B,
                                       0x8031, 0x8037, 0x803E, 0x8043, 0x8049, 0x804F, 0x8057, 0x805D};
  const uint16_t mode3_signed_b[16] = {0x1857, 0x14EF, 0x10AD, 0x0D45, 0x09DD, 0x0675, 0x0233, 0x8134,
                                       0x849B, 0x8803, 0x8C45, 0x8FAD, 0x9315, 0x967D, 0x9ABF, 0x9E27};
  // Mode 0 unsigned: endpoints 0 to 3 are R 5, 15, 1013 (5 - 16 wrapped), 20; G 1023, 1022, 0 (1024 wrapped),
  // 1023; B 512, 512, 504, 520; unquantized R 352, 992, 64864, 1312; G 65535, 65440, 0, 65535; B 32800, 32800,
  // 32288, 33312. Signed, the same bits are R 5, 15, -11, 20; G -1, -2, 0, -1; B -512, -512, 504, -504;
  // unquantized R 352, 992, -736, 1312; G -96, -160, 0, -96; B -32767, -32767, 32288, -32288. Texel 1 (subset 1,
  // weight 9) shows the rounding down: R (55 * -736 + 9 * 1312 + 32) >> 6 = -448, not -447.
  const Rgb mode0_texels[16] = {{0x00AA, 0x7BFF, 0x3E0F}, {0x69D1, 0x1170, 0x3D5D}, {0x58E8, 0x22E0, 0x3DA3},
                                {0x47FF, 0x3450, 0x3DE8}, {0x015D, 0x7BE4, 0x3E0F}, {0x0189, 0x7BDE, 0x3E0F},
                                {0x01B4, 0x7BD7, 0x3E0F}, {0x027B, 0x7BFF, 0x3F07}, {0x00AA, 0x7BFF, 0x3E0F},
                                {0x00D6, 0x7BF9, 0x3E0F}, {0x0101, 0x7BF2, 0x3E0F}, {0x012D, 0x7BEC, 0x3E0F},
                                {0x015D, 0x7BE4, 0x3E0F}, {0x0189, 0x7BDE, 0x3E0F}, {0x01B4, 0x7BD7, 0x3E0F},
                                {0x01E0, 0x7BD1, 0x3E0F}};
  const Rgb mode0_signed_texels[16] = {
      {0x0155, 0x805D, 0xFBFF}, {0x81B2, 0x800C, 0x57D1}, {0x809B, 0x801A, 0x3574}, {0x007C, 0x8026, 0x1317},
      {0x02BB, 0x8080, 0xFBFF}, {0x0312, 0x8089, 0xFBFF}, {0x0369, 0x8092, 0xFBFF}, {0x04F7, 0x805D, 0xFA2F},
      {0x0155, 0x805D, 0xFBFF}, {0x01AC, 0x8065, 0xFBFF}, {0x0203, 0x806E, 0xFBFF}, {0x025A, 0x8077, 0xFBFF},
      {0x02BB, 0x8080, 0xFBFF}, {0x0312, 0x8089, 0xFBFF}, {0x0369, 0x8092, 0xFBFF}, {0x03C1, 0x809B, 0xFBFF}};
  // Mode 15 (16 bits: no unquantizing), texels 0, 4 (weight 17) and 15. Unsigned: R 0x8000 -> 0x8007, G 0 ->
  // 0xFFFE, B 0x7FFF -> 0x8000. Signed: R -0x8000 becomes 0xFC00, -infinity, at texel 0; G 0 -> -2 gives
  // (17 * -2 + 32) >> 6 = -1 at texel 4, which becomes 0x8000, -0.0; B 0x7FFF -> -0x8000 ends at -infinity.
  const int mode15_picked[3] = {0, 4, 15};
  const Rgb mode15_texels[3] = {{0x3E00, 0x0000, 0x3DFF}, {0x3E00, 0x20EF, 0x3DFF}, {0x3E03, 0x7BFF, 0x3E00}};
  const Rgb mode15_signed_texels[3] = {{0xFC00, 0x0000, 0x7BFF}, {0xFBFE, 0x8000, 0x3A1F}, {0xFBF9, 0x8001, 0xFC00}};

  kiln::layer::Capture c;
  // 8x8: modes 3 and 0 above, 15 and reserved below; the same blocks as UFLOAT and as SFLOAT.
  c.resources.push_back(blocks(VK_FORMAT_BC6H_UFLOAT_BLOCK, 8, 8, grid, 0));
  c.resources.push_back(blocks(VK_FORMAT_BC6H_SFLOAT_BLOCK, 8, 8, grid, 1));
  // A 3D image, 5x3x2 texels: two blocks a slice, both cut (modes 3 and 0, then 15 and reserved).
  CapturedResource volume = blocks(VK_FORMAT_BC6H_UFLOAT_BLOCK, 5, 3, grid, 2);
  volume.extent.depth = 2;
  c.resources.push_back(volume);
  kiln::layer::write_capture(c, dir.string());

  auto npy = [&](int binding) {
    return kiln::read_npy((dir / ("before/set0_binding" + std::to_string(binding) + ".npy")).string());
  };
  // Texel (x, y) of slice z of an image `width` x `height`.
  auto texel = [](const kiln::NpyArray& a, uint32_t width, uint32_t height, uint32_t x, uint32_t y, uint32_t z = 0) {
    Rgb v{};
    std::memcpy(v.data(), a.data.data() + ((size_t(z) * height + y) * width + x) * sizeof v, sizeof v);
    return v;
  };
  const kiln::NpyArray unsigned_npy = npy(0), signed_npy = npy(1), volume_npy = npy(2);
  ASSERT_EQ(unsigned_npy.type, kiln::NpyType::F16);
  ASSERT_EQ(unsigned_npy.shape, (std::vector<uint64_t>{8, 8, 3}));
  ASSERT_EQ(signed_npy.shape, (std::vector<uint64_t>{8, 8, 3}));
  ASSERT_EQ(volume_npy.shape, (std::vector<uint64_t>{2, 3, 5, 3}));
  for (uint32_t i = 0; i < 16; ++i) {
    const uint32_t x = i % 4, y = i / 4;
    EXPECT_EQ(texel(unsigned_npy, 8, 8, x, y), (Rgb{mode3_r[i], 0x3E0F, mode3_b[i]})) << "mode 3 texel " << i;
    EXPECT_EQ(texel(signed_npy, 8, 8, x, y), (Rgb{mode3_signed_r[i], 0xFBFF, mode3_signed_b[i]}))
        << "signed mode 3 texel " << i;
    EXPECT_EQ(texel(unsigned_npy, 8, 8, 4 + x, y), mode0_texels[i]) << "mode 0 texel " << i;
    EXPECT_EQ(texel(signed_npy, 8, 8, 4 + x, y), mode0_signed_texels[i]) << "signed mode 0 texel " << i;
    EXPECT_EQ(texel(unsigned_npy, 8, 8, 4 + x, 4 + y), (Rgb{})) << "reserved mode texel " << i;
    EXPECT_EQ(texel(signed_npy, 8, 8, 4 + x, 4 + y), (Rgb{})) << "signed reserved mode texel " << i;
  }
  for (int k = 0; k < 3; ++k) {
    const uint32_t i = uint32_t(mode15_picked[k]);
    EXPECT_EQ(texel(unsigned_npy, 8, 8, i % 4, 4 + i / 4), mode15_texels[k]) << "mode 15 texel " << i;
    EXPECT_EQ(texel(signed_npy, 8, 8, i % 4, 4 + i / 4), mode15_signed_texels[k]) << "signed mode 15 texel " << i;
  }
  // Each slice of the 3D image shows the top left 5x3 texels of a block row of the 8x8 one.
  for (uint32_t z = 0; z < 2; ++z) {
    for (uint32_t y = 0; y < 3; ++y) {
      for (uint32_t x = 0; x < 5; ++x) {
        EXPECT_EQ(texel(volume_npy, 5, 3, x, y, z), texel(unsigned_npy, 8, 8, x, 4 * z + y))
            << "3D texel " << x << "," << y << "," << z;
      }
    }
  }

  const Json j = read_json(dir / "capture.json");
  EXPECT_EQ(j["resources"][0]["file_format"], "npy");
  EXPECT_EQ(j["resources"][0]["dtype"], "float16");
  EXPECT_EQ(j["resources"][0]["shape"], Json::array({8, 8, 3}));
  EXPECT_EQ(j["resources"][2]["shape"], Json::array({2, 3, 5, 3}));
  EXPECT_EQ(j["resources"][1]["before"], "before/set0_binding1.npy");
  EXPECT_EQ(j["resources"][1]["before_blocks"], "before/set0_binding1.blocks.bin");
  EXPECT_EQ(j["resources"][1]["after_blocks"], nullptr);
  EXPECT_EQ(read_bytes(dir / "before/set0_binding1.blocks.bin"), grid);
  EXPECT_TRUE(j["notes"].empty()) << j["notes"].dump();
  fs::remove_all(dir);
}
