// CUDA's pinned host-to-device copy rate, the other baseline the upload benches compare against: what
// the same GPU reaches through NVIDIA's own API. Through the CUDA driver API (libcuda.so.1, which the
// NVIDIA driver installs beside its Vulkan driver), loaded with dlopen at run time: no CUDA toolkit,
// no nvcc, nothing to build against. Where the library or a device matching the Vulkan device's UUID
// is absent, the result says why and the benches print null.
//
// The measurement: page-locked host memory (cuMemAllocHost) copied into device memory (cuMemAlloc)
// with cuMemcpyHtoD, whole buffer per copy, after one untimed copy; best of `reps`, wall clock around
// the synchronous call. Header-only, like copy_peak.h.
#pragma once

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <string>

#include <vulkan/vulkan.h>

namespace bench {

struct CudaCopyResult {
  double gbps = 0;     // 0: not measured (see why)
  std::string why;     // what was missing, when gbps is 0
  std::string device;  // the CUDA device's name
};

namespace cuda_detail {

// The driver API's own signatures (cuda.h, CUDA 4.0 onward; the _v2 names are the 64-bit ones).
using CUresult = int;
using CUdevice = int;
using CUcontext = void*;
using CUdeviceptr = unsigned long long;
struct CUuuid {
  char bytes[16];
};

struct Api {
  void* lib = nullptr;
  CUresult (*init)(unsigned) = nullptr;
  CUresult (*device_count)(int*) = nullptr;
  CUresult (*device_get)(CUdevice*, int) = nullptr;
  CUresult (*device_name)(char*, int, CUdevice) = nullptr;
  CUresult (*device_uuid)(CUuuid*, CUdevice) = nullptr;
  CUresult (*retain)(CUcontext*, CUdevice) = nullptr;
  CUresult (*release)(CUdevice) = nullptr;
  CUresult (*set_current)(CUcontext) = nullptr;
  CUresult (*alloc_host)(void**, size_t) = nullptr;
  CUresult (*free_host)(void*) = nullptr;
  CUresult (*alloc)(CUdeviceptr*, size_t) = nullptr;
  CUresult (*free)(CUdeviceptr) = nullptr;
  CUresult (*copy_h2d)(CUdeviceptr, const void*, size_t) = nullptr;

  template <class F>
  bool load(F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    return f != nullptr;
  }
  // The missing symbol's name, or "" when all are there.
  std::string open() {
    lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return "libcuda.so.1 not found (no NVIDIA CUDA driver here)";
    const char* missing = !load(init, "cuInit")                                ? "cuInit"
                          : !load(device_count, "cuDeviceGetCount")            ? "cuDeviceGetCount"
                          : !load(device_get, "cuDeviceGet")                   ? "cuDeviceGet"
                          : !load(device_name, "cuDeviceGetName")              ? "cuDeviceGetName"
                          : !load(device_uuid, "cuDeviceGetUuid")              ? "cuDeviceGetUuid"
                          : !load(retain, "cuDevicePrimaryCtxRetain")          ? "cuDevicePrimaryCtxRetain"
                          : !load(release, "cuDevicePrimaryCtxRelease_v2")     ? "cuDevicePrimaryCtxRelease_v2"
                          : !load(set_current, "cuCtxSetCurrent")              ? "cuCtxSetCurrent"
                          : !load(alloc_host, "cuMemAllocHost_v2")             ? "cuMemAllocHost_v2"
                          : !load(free_host, "cuMemFreeHost")                  ? "cuMemFreeHost"
                          : !load(alloc, "cuMemAlloc_v2")                      ? "cuMemAlloc_v2"
                          : !load(free, "cuMemFree_v2")                        ? "cuMemFree_v2"
                          : !load(copy_h2d, "cuMemcpyHtoD_v2")                 ? "cuMemcpyHtoD_v2"
                                                                               : nullptr;
    return missing ? std::string("libcuda.so.1 lacks ") + missing : std::string();
  }
  ~Api() {
    if (lib) dlclose(lib);
  }
};

}  // namespace cuda_detail

// `device_uuid`: the Vulkan device's (VkPhysicalDeviceIDProperties::deviceUUID), so that CUDA measures
// the same GPU.
inline CudaCopyResult measure_cuda_pinned_copy(const uint8_t (&device_uuid)[VK_UUID_SIZE], size_t bytes, int reps) {
  using namespace cuda_detail;
  CudaCopyResult out;
  Api api;
  out.why = api.open();
  if (!out.why.empty()) return out;
  auto fail = [&](const char* what, CUresult r) {
    out.why = std::string(what) + " failed (CUresult " + std::to_string(r) + ")";
    return out;
  };
  if (CUresult r = api.init(0)) return fail("cuInit", r);
  int count = 0;
  if (CUresult r = api.device_count(&count)) return fail("cuDeviceGetCount", r);
  CUdevice dev = -1;
  for (int i = 0; i < count && dev < 0; ++i) {
    CUdevice d = 0;
    CUuuid uuid{};
    if (api.device_get(&d, i) == 0 && api.device_uuid(&uuid, d) == 0 &&
        std::memcmp(uuid.bytes, device_uuid, VK_UUID_SIZE) == 0)
      dev = d;
  }
  if (dev < 0) {
    out.why = "no CUDA device has the Vulkan device's UUID (" + std::to_string(count) + " CUDA devices)";
    return out;
  }
  char name[256] = {};
  api.device_name(name, sizeof name, dev);
  out.device = name;
  CUcontext ctx = nullptr;
  if (CUresult r = api.retain(&ctx, dev)) return fail("cuDevicePrimaryCtxRetain", r);
  api.set_current(ctx);
  void* host = nullptr;
  CUdeviceptr device = 0;
  CUresult r = api.alloc_host(&host, bytes);
  if (r == 0) r = api.alloc(&device, bytes);
  if (r == 0) {
    std::memset(host, 1, bytes);  // the pages exist before the first copy
    for (int i = -1; i < reps && r == 0; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      r = api.copy_h2d(device, host, bytes);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (i >= 0 && r == 0) out.gbps = std::max(out.gbps, double(bytes) / s / 1e9);
    }
    if (r) {
      out.gbps = 0;
      fail("cuMemcpyHtoD", r);
    }
  } else {
    fail("cuMemAllocHost / cuMemAlloc", r);
  }
  if (device) api.free(device);
  if (host) api.free_host(host);
  api.release(dev);
  return out;
}

// The JSON value: the rate, or null with the reason beside it ("cuda_pinned_gbps":..,"cuda_note":"..").
inline std::string cuda_json(const CudaCopyResult& r, double vulkan_peak_gbps) {
  if (r.gbps <= 0) return "\"cuda_pinned_gbps\":null,\"cuda_note\":\"" + r.why + "\"";
  char buf[160];
  std::snprintf(buf, sizeof buf, "\"cuda_pinned_gbps\":%.3f,\"vulkan_peak_to_cuda\":%.3f", r.gbps,
                vulkan_peak_gbps / r.gbps);
  return buf;
}

}  // namespace bench
