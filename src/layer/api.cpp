// The C API of include/kiln/capture.h: requests from inside the program, and captures handed to it.
// A handed-out capture owns its Capture; the KilnCapture structs point into it.
#include <cstring>

#include "dispatch/hooks.h"
#include "hook/pending.h"
#include "kiln/capture.h"
#include "state.h"

namespace kiln::layer {

namespace {

struct Handed {
  KilnCapture c{};
  std::vector<KilnCaptureResource> resources;
  std::unique_ptr<Capture> data;
  std::string folder;
};

VkResult request(VkDevice device, const std::string& text, KilnCaptureWhen when) {
  Device* dev = device_of(device);
  if (!dev) return VK_ERROR_INITIALIZATION_FAILED;
  Request r;
  std::string error;
  if (!parse_spec(text, &r.spec, &error)) {
    report("kilnCapture: '" + text + "': " + error);
    return VK_ERROR_FORMAT_NOT_SUPPORTED;
  }
  r.spec_text = "next:" + text;
  r.when = when == KILN_CAPTURE_BEFORE ? KilnWhen::Before : when == KILN_CAPTURE_AFTER ? KilnWhen::After : KilnWhen::Both;
  r.from_api = true;
  std::lock_guard lock(dev->mutex);
  dev->api_requests.push_back(std::move(r));
  dev->update_recording();
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL CaptureNext(VkDevice device, const char* spec, KilnCaptureWhen when) {
  return request(device, spec && *spec ? spec : "any", when);
}

VKAPI_ATTR VkResult VKAPI_CALL CaptureInLabel(VkDevice device, const char* label, const char* spec, KilnCaptureWhen when) {
  if (!label || !*label) return VK_ERROR_FORMAT_NOT_SUPPORTED;
  return request(device, std::string("label:") + label + "/" + (spec && *spec ? spec : "any"), when);
}

VKAPI_ATTR VkResult VKAPI_CALL GetCapture(VkDevice device, const KilnCapture** out) {
  Device* dev = device_of(device);
  if (!dev || !out) return VK_ERROR_INITIALIZATION_FAILED;
  std::lock_guard lock(dev->mutex);
  poll_pending(*dev);
  if (dev->done.empty()) return dev->pending.empty() ? VK_INCOMPLETE : VK_NOT_READY;
  auto h = std::make_unique<Handed>();
  h->data = std::move(dev->done.front().capture);
  h->folder = std::move(dev->done.front().folder);
  deliver(*dev, *h->data, dev->done.front().cows);
  dev->done.pop_front();
  dev->update_recording();
  Capture& c = *h->data;
  h->c.spec = c.spec.c_str();
  h->c.frame = c.frame;
  h->c.command_index = c.command_index;
  h->c.command = c.command.c_str();
  h->c.label_path = c.label_path.c_str();
  h->c.pipeline_name = c.pipeline_name.c_str();
  h->c.folder = h->folder.c_str();
  for (const CapturedResource& r : c.resources) {
    KilnCaptureResource k{};
    k.role = resource_role_name(r.role);
    k.set = r.set;
    k.binding = r.binding;
    k.array_element = r.array_element;
    k.attachment = r.attachment;
    k.shader_name = r.shader_name.c_str();
    k.debug_name = r.debug_name.c_str();
    k.descriptor_type = r.descriptor_type.c_str();
    k.handle = r.handle;
    k.is_image = r.is_image;
    k.written = r.written;
    k.format = r.format;
    k.extent = r.extent;
    k.mip = r.mip;
    k.layer = r.layer;
    k.layout = r.layout;
    k.offset = r.offset;
    k.size = r.size;
    k.before = r.has_before ? r.before.data() : nullptr;
    k.before_size = r.has_before ? r.before.size() : 0;
    k.after = r.has_after ? r.after_bytes().data() : nullptr;
    k.after_size = r.has_after ? r.after_bytes().size() : 0;
    k.samples = r.samples;
    h->resources.push_back(k);
  }
  h->c.resource_count = static_cast<uint32_t>(h->resources.size());
  h->c.resources = h->resources.data();
  *out = &h->c;
  h.release();  // owned by the program until kilnFreeCapture
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL GetCaptureStats(VkDevice device, KilnCaptureStats* out) {
  Device* dev = device_of(device);
  if (!dev || !out) return VK_ERROR_INITIALIZATION_FAILED;
  std::lock_guard lock(dev->mutex);
  poll_pending(*dev);
  *out = dev->cow.stats;
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL SetCopyOnWrite(VkDevice device, VkBool32 enable) {
  Device* dev = device_of(device);
  if (!dev) return VK_ERROR_INITIALIZATION_FAILED;
  std::lock_guard lock(dev->mutex);
  dev->cow.enabled = enable == VK_TRUE;
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL FreeCapture(VkDevice, const KilnCapture* capture) {
  if (!capture) return;
  // `c` is Handed's first member: the KilnCapture's address is the Handed's.
  delete reinterpret_cast<const Handed*>(capture);
}

}  // namespace

namespace api {

PFN_vkVoidFunction lookup(const char* name) {
  if (std::strncmp(name, "kiln", 4) != 0) return nullptr;
  if (!std::strcmp(name, "kilnCaptureNext")) return reinterpret_cast<PFN_vkVoidFunction>(&CaptureNext);
  if (!std::strcmp(name, "kilnCaptureInLabel")) return reinterpret_cast<PFN_vkVoidFunction>(&CaptureInLabel);
  if (!std::strcmp(name, "kilnGetCapture")) return reinterpret_cast<PFN_vkVoidFunction>(&GetCapture);
  if (!std::strcmp(name, "kilnFreeCapture")) return reinterpret_cast<PFN_vkVoidFunction>(&FreeCapture);
  if (!std::strcmp(name, "kilnGetCaptureStats")) return reinterpret_cast<PFN_vkVoidFunction>(&GetCaptureStats);
  if (!std::strcmp(name, "kilnSetCopyOnWrite")) return reinterpret_cast<PFN_vkVoidFunction>(&SetCopyOnWrite);
  return nullptr;
}

}  // namespace api
}  // namespace kiln::layer
