// kiln seqinfo FILE [--verify] [--json]
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/seq_command.h"
#include "kiln/format.h"
#include "kiln/log.h"
#include "kiln/sequence_file.h"
#include "kiln/sequence_gen.h"

namespace kiln::cli {
namespace {

struct SeqinfoOptions {
  std::string file;
  bool verify = false;
  bool json = false;
};

struct FieldSummary {
  uint64_t raw = 0, stored = 0, min_raw = UINT64_MAX, max_raw = 0;
  uint32_t by_compression[3] = {};
};

double ratio(uint64_t stored, uint64_t raw) { return raw ? double(stored) / double(raw) : 1.0; }

int run_seqinfo(const SeqinfoOptions& o) {
  const SequenceReader r(o.file);
  const SequenceLayout& layout = r.layout();
  const uint32_t fields = static_cast<uint32_t>(layout.fields.size());
  std::vector<FieldSummary> sum(fields);
  uint64_t raw = 0, stored = 0;
  for (uint32_t i = 0; i < r.frame_count(); ++i) {
    for (uint32_t f = 0; f < fields; ++f) {
      const BlobInfo& b = r.blob(i, f);
      FieldSummary& s = sum[f];
      s.raw += b.raw_size;
      s.stored += b.stored_size;
      s.min_raw = std::min(s.min_raw, b.raw_size);
      s.max_raw = std::max(s.max_raw, b.raw_size);
      s.by_compression[static_cast<uint32_t>(b.compression)]++;
      raw += b.raw_size;
      stored += b.stored_size;
    }
  }

  VerifyResult verified;
  if (o.verify) {
    ProgressLine line("blobs");
    const uint32_t per_frame = std::max(fields, 1u);
    verified = r.verify([&](uint32_t done, uint32_t total) {
      // Bytes so far, roughly: whole frames' raw sizes.
      const uint32_t frame = done / per_frame;
      line.update(done, total, frame ? raw / r.frame_count() * frame : 0);
    });
    line.end();
  }

  GeneratorParams params;
  const bool generated = generator_params_from_metadata(layout.metadata, params);
  if (o.json) {
    nlohmann::ordered_json j;
    j["path"] = r.path();
    j["version"] = r.version();
    j["file_size"] = r.file_size();
    j["frames"] = r.frame_count();
    j["fields"] = nlohmann::ordered_json::array();
    for (uint32_t f = 0; f < fields; ++f) {
      const FieldDesc& d = layout.fields[f];
      const FieldSummary& s = sum[f];
      nlohmann::ordered_json jf;
      jf["name"] = d.name;
      jf["kind"] = field_kind_name(d.kind);
      if (d.kind == FieldKind::Buffer) {
        jf["element_size"] = d.element_size;
      } else {
        jf["format"] = format_name(d.format);
        jf["width"] = d.width;
        jf["height"] = d.height;
      }
      jf["raw_bytes"] = s.raw;
      jf["stored_bytes"] = s.stored;
      jf["ratio"] = ratio(s.stored, s.raw);
      jf["min_frame_bytes"] = r.frame_count() ? s.min_raw : 0;
      jf["max_frame_bytes"] = s.max_raw;
      jf["blobs"] = {{"none", s.by_compression[0]}, {"lz4", s.by_compression[1]}, {"zstd", s.by_compression[2]}};
      j["fields"].push_back(jf);
    }
    j["raw_bytes"] = raw;
    j["stored_bytes"] = stored;
    j["ratio"] = ratio(stored, raw);
    j["metadata"] = layout.metadata;
    if (generated) {
      j["generator"] = nlohmann::ordered_json::parse(layout.metadata);
    }
    if (o.verify) {
      j["verify"] = {{"blobs", verified.blobs}, {"bad", verified.bad}, {"ok", verified.ok()},
                     {"errors", verified.errors}};
    }
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s: kiln sequence version %u, %u frames, %u fields, %llu bytes\n", r.path().c_str(), r.version(),
                r.frame_count(), fields, static_cast<unsigned long long>(r.file_size()));
    if (!layout.metadata.empty()) std::printf("metadata: %s\n", layout.metadata.c_str());
    for (uint32_t f = 0; f < fields; ++f) {
      const FieldDesc& d = layout.fields[f];
      const FieldSummary& s = sum[f];
      const std::string shape = d.kind == FieldKind::Buffer
                                    ? str("buffer, ", d.element_size, " B/element")
                                    : str("image2d ", format_name(d.format), " ", d.width, "x", d.height);
      std::printf("  field %u '%s': %s; %llu bytes raw, %llu stored (%.3f); blobs none %u, lz4 %u, zstd %u\n", f,
                  d.name.c_str(), shape.c_str(), static_cast<unsigned long long>(s.raw),
                  static_cast<unsigned long long>(s.stored), ratio(s.stored, s.raw), s.by_compression[0],
                  s.by_compression[1], s.by_compression[2]);
    }
    std::printf("total: %llu bytes raw, %llu stored (%.3f)\n", static_cast<unsigned long long>(raw),
                static_cast<unsigned long long>(stored), ratio(stored, raw));
  }
  if (o.verify) {
    for (const std::string& e : verified.errors) std::fprintf(stderr, "damaged: %s\n", e.c_str());
    if (!o.json) {
      if (verified.ok()) std::printf("verify: all %u blobs intact\n", verified.blobs);
      else std::printf("verify: %u of %u blobs damaged\n", verified.bad, verified.blobs);
    }
    if (!verified.ok()) return kExitDamaged;
  }
  return kExitOk;
}

}  // namespace

Command add_seqinfo_command(CLI::App& root) {
  auto o = std::make_shared<SeqinfoOptions>();
  CLI::App* app = root.add_subcommand("seqinfo", "Show a sequence file's header, fields and index; with --verify, "
                                                 "check every blob.");
  app->footer("Exit status: 0 when the file is readable (and with --verify, every blob intact); 1 when it cannot "
              "be opened or its header or index is damaged; 2 for a wrong command line; 3 when --verify found "
              "damaged blobs (each named on stderr).");
  app->add_option("FILE", o->file, "The sequence file (.kseq)")->required();
  app->add_flag("--verify", o->verify, "Read, decompress and checksum every blob");
  app->add_flag("--json", o->json, "Print one JSON object instead of text (shape: docs/sequences.md)");
  return {app, [o] { return run_seqinfo(*o); }};
}

}  // namespace kiln::cli
