/* kiln/capture.h — asking the kiln capture layer (VK_LAYER_KILN_capture) for a capture from inside a
 * program. C, header-only: the calls reach the layer through vkGetDeviceProcAddr, so a program that
 * includes this needs nothing else to link, and works unchanged when the layer is not loaded
 * (kiln_capture_load returns VK_ERROR_LAYER_NOT_PRESENT).
 *
 *   KilnCaptureApi api;
 *   if (kiln_capture_load(vkGetDeviceProcAddr, device, &api) == VK_SUCCESS) {
 *     api.capture_next(device, "dispatch", KILN_CAPTURE_BOTH);  // the next vkCmdDispatch* recorded
 *     ... record, submit, wait ...
 *     const KilnCapture* c = NULL;
 *     if (api.get_capture(device, &c) == VK_SUCCESS) { ... c->resources[i].after ... ; api.free_capture(device, c); }
 *   }
 *
 * The layer also writes every capture to a folder (capture.json, PNG/.npy/.bin per resource) when
 * KILN_CAPTURE_OUT is set; `kiln capture` (docs/capture.md) drives it from outside a program.
 * Not here: the copy-on-write statistics (docs/capture.md), selecting by frame (environment).
 */
#ifndef KILN_CAPTURE_H_
#define KILN_CAPTURE_H_

#include <vulkan/vulkan.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum KilnCaptureWhen {
  KILN_CAPTURE_BEFORE = 1,
  KILN_CAPTURE_AFTER = 2,
  KILN_CAPTURE_BOTH = 3
} KilnCaptureWhen;

typedef struct KilnCaptureResource {
  const char* role;             /* "descriptor", "color_attachment", "vertex_buffer", ... */
  uint32_t set, binding, array_element, attachment;
  const char* shader_name;      /* name in the shader, "" when unknown */
  const char* debug_name;       /* the object's debug name, "" when none */
  const char* descriptor_type;  /* "" when not a descriptor */
  uint64_t handle;              /* VkBuffer / VkImage */
  uint32_t is_image;
  uint32_t written;             /* the command may write it */
  VkFormat format;
  VkExtent3D extent;
  uint32_t mip, layer;
  VkImageLayout layout;
  uint64_t offset, size;        /* buffers: the captured range */
  const void* before;           /* NULL when not captured before */
  uint64_t before_size;
  const void* after;            /* NULL when not captured after */
  uint64_t after_size;
} KilnCaptureResource;

typedef struct KilnCapture {
  const char* spec;
  uint64_t frame;
  uint32_t command_index;
  const char* command;          /* "vkCmdDispatch(groupCountX=4, ...)" */
  const char* label_path;       /* "Frame/Shadows" */
  const char* pipeline_name;
  const char* folder;           /* where it was written, "" when not written */
  uint32_t resource_count;
  const KilnCaptureResource* resources;
} KilnCapture;

/* Capture the next command of this kind recorded after the call ("draw", "dispatch", "copy", "any",
 * or a full spec such as "label:Shadows/draw:2" counted from this call on). */
typedef VkResult(VKAPI_PTR* PFN_kilnCaptureNext)(VkDevice device, const char* spec, KilnCaptureWhen when);
/* Capture the first command matching `spec` inside the next debug-label region named `label`. */
typedef VkResult(VKAPI_PTR* PFN_kilnCaptureInLabel)(VkDevice device, const char* label, const char* spec,
                                                      KilnCaptureWhen when);
/* VK_SUCCESS with the capture once its submission completed; VK_NOT_READY before; VK_INCOMPLETE when the
 * request matched nothing yet. The capture stays valid until free_capture. */
typedef VkResult(VKAPI_PTR* PFN_kilnGetCapture)(VkDevice device, const KilnCapture** capture);
typedef void(VKAPI_PTR* PFN_kilnFreeCapture)(VkDevice device, const KilnCapture* capture);

typedef struct KilnCaptureApi {
  PFN_kilnCaptureNext capture_next;
  PFN_kilnCaptureInLabel capture_in_label;
  PFN_kilnGetCapture get_capture;
  PFN_kilnFreeCapture free_capture;
} KilnCaptureApi;

static inline VkResult kiln_capture_load(PFN_vkGetDeviceProcAddr gdpa, VkDevice device, KilnCaptureApi* api) {
  api->capture_next = (PFN_kilnCaptureNext)gdpa(device, "kilnCaptureNext");
  api->capture_in_label = (PFN_kilnCaptureInLabel)gdpa(device, "kilnCaptureInLabel");
  api->get_capture = (PFN_kilnGetCapture)gdpa(device, "kilnGetCapture");
  api->free_capture = (PFN_kilnFreeCapture)gdpa(device, "kilnFreeCapture");
  if (!api->capture_next || !api->capture_in_label || !api->get_capture || !api->free_capture)
    return VK_ERROR_LAYER_NOT_PRESENT;
  return VK_SUCCESS;
}

#ifdef __cplusplus
}
#endif

#endif /* KILN_CAPTURE_H_ */
