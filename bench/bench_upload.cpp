// A 256 MiB upload with kiln::upload_now into a DeviceOnly buffer, against the device's peak
// vkCmdCopyBuffer rate (host-visible staging → device-local, one copy of the whole size) on EACH queue
// family that can copy, measured in the same run on a bare VkDevice with one queue per family: timed
// with timestamps (where the family has them) and with the wall clock from submit to fence, best of
// several. The CPU's memcpy rate into mapped staging memory is given as context: upload_now has to do
// that copy too, so peak copy and memcpy together bound what it can reach.
//
//   bench_upload [MiB] [reps] [chunk MiB] [threads]   prints one JSON line; ratio = kiln_gbps / peak_gbps (best family)
//
// GB/s here are 10^9 bytes per second.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/transfer.h"
#include "core/transfer/staging_ring.h"  // the default chunk size, reported with the result
#include "bench_util.h"
#include "copy_peak.h"

namespace {

using bench::Clock;
using bench::json_escape;
using bench::seconds_since;
using bench::FamilyResult;
using bench::measure_peak;

}  // namespace

int main(int argc, char** argv) {
  try {
    kiln::Context ctx = bench::quiet_context();
    const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    const VkDeviceSize mib = argc > 1 ? VkDeviceSize(std::max(1, std::atoi(argv[1]))) : 256;
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : (cpu ? 3 : 8);
    const VkDeviceSize size = mib << 20;
    const VkDeviceSize chunk = argc > 3 ? VkDeviceSize(std::max(1, std::atoi(argv[3]))) << 20 : 0;
    const uint32_t threads = argc > 4 ? uint32_t(std::max(1, std::atoi(argv[4]))) : 0;  // 0: kiln's choice

    std::vector<uint8_t> data(size);
    for (size_t i = 0; i < data.size(); i += 4096) data[i] = uint8_t(i >> 12);  // touch every page

    double memcpy_gbps = 0;
    const std::vector<FamilyResult> families = measure_peak(ctx, size, reps, &memcpy_gbps, data);
    const FamilyResult* best = &bench::best_family(families);
    auto rate = bench::family_rate;

    // kiln: upload_now into a DeviceOnly buffer, as a user would; and with the staging path forced
    // (the same thing on a discrete GPU; on unified memory kiln writes mapped DeviceOnly memory directly).
    kiln::Buffer dst(ctx, {.size = size,
                           .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                           .memory = kiln::MemoryIntent::DeviceOnly,
                           .name = "bench.upload.dst"});
    auto time_upload = [&](const kiln::TransferOptions& options) {
      double best_s = 1e30;
      for (int i = -1; i < reps; ++i) {
        const auto t0 = Clock::now();
        kiln::upload_now(ctx, dst, data.data(), size, 0, options);
        const double s = seconds_since(t0);
        if (i >= 0) best_s = std::min(best_s, s);
        ctx.collect();  // staging buffers of the previous run go
      }
      return double(size) / best_s / 1e9;
    };
    const double kiln_gbps = time_upload({.chunk_size = chunk, .threads = threads});
    const double kiln_staging_gbps = time_upload({.chunk_size = chunk, .force_staging = true, .threads = threads});

    const std::string fam_json = bench::families_json(families);
    std::printf(
        "{\"bench\":\"upload_%llumib\",\"device\":\"%s\",\"bytes\":%llu,\"kiln_gbps\":%.3f,\"kiln_path\":\"%s\","
        "\"kiln_staging_gbps\":%.3f,\"peak_gbps\":%.3f,\"peak_family\":%u,\"ratio\":%.3f,\"staging_ratio\":%.3f,"
        "\"memcpy_gbps\":%.3f,\"reps\":%d,\"chunk_mib\":%llu,\"threads\":%u,\"families\":[%s]}\n",
        (unsigned long long)mib, json_escape(ctx.properties().deviceName).c_str(), (unsigned long long)size,
        kiln_gbps, dst.mapped() ? "mapped" : "staging", kiln_staging_gbps, rate(*best), best->family,
        kiln_gbps / rate(*best), kiln_staging_gbps / rate(*best), memcpy_gbps, reps,
        (unsigned long long)((chunk ? chunk : kiln::detail::StagingRing::kDefaultChunk) >> 20), threads, fam_json.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_upload: %s\n", e.what());
    return 1;
  }
}
