// kiln seqgen OUT [--kind points|mesh] [--frames N] [--points N | --grid N | --size BYTES] [--texture N]
//                 [--compress none|lz4|zstd] [--level L] [--seed S] [--threads N] [--json]
#include <nlohmann/json.hpp>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cli/seq_command.h"
#include "kiln/jobs.h"
#include "kiln/log.h"
#include "kiln/sequence_gen.h"

namespace kiln::cli {
namespace {

struct SeqgenOptions {
  std::string out;
  std::string kind = "points";
  uint32_t frames = 120;
  uint32_t points = 0;
  uint32_t grid = 0;
  std::string size;
  uint32_t texture = 0;
  std::string compress = "none";
  int level = 0;
  uint64_t seed = 1;
  uint32_t threads = 0;
  bool json = false;
};

// "8GiB", "512MiB", "1.5GB", "4096": binary units with 'i', decimal without; false when malformed.
bool parse_size(const std::string& text, uint64_t* bytes) {
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    return false;
  }
  std::string unit = text.substr(end);
  for (char& c : unit) c = char(std::tolower(static_cast<unsigned char>(c)));
  const bool binary = unit.size() >= 2 && unit[1] == 'i';
  double scale = 1;
  if (!unit.empty() && unit != "b") {
    const char* prefixes = "kmgt";
    const char* p = std::strchr(prefixes, unit[0]);
    const std::string rest = unit.substr(binary ? 2 : 1);
    if (!p || !(rest.empty() || rest == "b")) return false;
    scale = std::pow(binary ? 1024.0 : 1000.0, double(p - prefixes + 1));
  }
  if (!(value > 0) || value * scale > 1.8e19) return false;
  *bytes = static_cast<uint64_t>(value * scale);
  return true;
}

std::string human(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof(buf), u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

int run_seqgen(const SeqgenOptions& o) {
  const GeneratorKind kind = parse_generator_kind(o.kind);
  GeneratorParams p{.kind = kind, .frames = o.frames};
  if (!o.size.empty()) {
    uint64_t bytes = 0;
    parse_size(o.size, &bytes);  // the option's check accepted it
    p = generator_params_for_size(kind, bytes, o.frames);
  }
  if (o.points) p.points = o.points;
  if (o.grid) p.grid = o.grid;
  p.texture_size = o.texture;
  p.seed = o.seed;
  const SequenceWriteOptions write{.compression = parse_compression(o.compress), .level = o.level};

  JobPool jobs({.threads = o.threads, .name = "kiln-seqgen"});
  ProgressLine line("frames");
  const uint64_t frame_bytes = generator_frame_size(p);
  const auto start = std::chrono::steady_clock::now();
  write_generated_sequence(o.out, p, write, &jobs,
                           [&](uint32_t done, uint32_t total) { line.update(done, total, done * frame_bytes); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  line.end();

  const SequenceReader r(o.out);
  uint64_t raw = 0, stored = 0;
  for (uint32_t i = 0; i < r.frame_count(); ++i) {
    for (uint32_t f = 0; f < r.layout().fields.size(); ++f) {
      raw += r.blob(i, f).raw_size;
      stored += r.blob(i, f).stored_size;
    }
  }
  const double gbps = seconds > 0 ? double(raw) / seconds / 1e9 : 0.0;
  if (o.json) {
    nlohmann::ordered_json j;
    j["path"] = o.out;
    j["kind"] = generator_kind_name(p.kind);
    j["frames"] = p.frames;
    if (p.kind == GeneratorKind::PointCloud) j["points"] = p.points;
    else j["grid"] = p.grid;
    j["texture_size"] = p.texture_size;
    j["seed"] = p.seed;
    j["compression"] = compression_name(write.compression);
    j["level"] = write.level;
    j["threads"] = jobs.threads();
    j["bytes_raw"] = raw;
    j["bytes_stored"] = stored;
    j["file_size"] = r.file_size();
    j["seconds"] = seconds;
    j["gb_per_s"] = gbps;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    const std::string what = p.kind == GeneratorKind::PointCloud ? str(p.points, " points") : str(p.grid, "² grid");
    std::printf("wrote %s: %u frames of %s (%s), %s raw, %s stored (%s, %.2f), %.2f s, %.2f GB/s on %u threads\n",
                o.out.c_str(), p.frames, generator_kind_name(p.kind), what.c_str(), human(double(raw)).c_str(),
                human(double(stored)).c_str(), compression_name(write.compression),
                raw ? double(stored) / double(raw) : 1.0, seconds, gbps, jobs.threads());
  }
  return kExitOk;
}

}  // namespace

Command add_seqgen_command(CLI::App& root) {
  auto o = std::make_shared<SeqgenOptions>();
  CLI::App* app = root.add_subcommand(
      "seqgen", "Generate a procedural sequence file (an animated point cloud or a deforming mesh) for the "
                "player, the benchmarks and tests. Format: docs/sequence-format.md; guide: docs/sequences.md.");
  app->add_option("OUT", o->out, "The sequence file to write (.kseq)")->required();
  app->add_option("--kind", o->kind, "What to generate (default points)")
      ->check(CLI::IsMember({"points", "mesh"}))
      ->type_name("points|mesh");
  app->add_option("--frames", o->frames, "Frames (default 120)")->check(CLI::Range(1u, 1u << 24))->type_name("N");
  CLI::Option* points = app->add_option("--points", o->points, "Points per frame (points; default 100000)")
                            ->check(CLI::Range(1u, 1u << 28))
                            ->type_name("N");
  CLI::Option* grid = app->add_option("--grid", o->grid, "Grid vertices per side (mesh; default 256)")
                          ->check(CLI::Range(2u, 46341u))
                          ->type_name("N");
  CLI::Option* size =
      app->add_option("--size", o->size, "Total raw size; points or grid chosen to fit (e.g. 8GiB, 500MB)")
          ->check(CLI::Validator(
              [](std::string& s) {
                uint64_t b = 0;
                return parse_size(s, &b) ? std::string() : "'" + s + "' is not a size (expected e.g. 8GiB, 512MiB, 1.5GB, 4096)";
              },
              "BYTES"))
          ->type_name("BYTES");
  size->excludes(points)->excludes(grid);
  app->add_option("--texture", o->texture, "Add an RGBA8 'albedo' image field of N×N texels")
      ->check(CLI::Range(0u, 16384u))
      ->type_name("N");
  app->add_option("--compress", o->compress, "Blob compression (default none)")
      ->check(CLI::IsMember({"none", "lz4", "zstd"}))
      ->type_name("none|lz4|zstd");
  app->add_option("--level", o->level, "Compression level (0: codec default; lz4 1..12 is LZ4-HC)")->type_name("L");
  app->add_option("--seed", o->seed, "Random seed (default 1)")->type_name("S");
  app->add_option("--threads", o->threads, "Generator threads (default: one per hardware thread)")->type_name("N");
  app->add_flag("--json", o->json, "Print one JSON object describing what was written");
  return {app, [o] { return run_seqgen(*o); }};
}

}  // namespace kiln::cli
