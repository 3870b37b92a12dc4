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
 * Copy-on-write (on by default; KILN_CAPTURE_COW=off or set_copy_on_write turn it off): a resource the
 * command only reads is not copied when the command runs; the layer copies it only if something is
 * about to change it, and otherwise reads the untouched resource when the capture is handed out or
 * written. Captures look the same either way; get_stats says what was copied and why.
 * Not here: selecting by frame (environment).
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
  uint32_t set, binding, array_element;
  uint32_t attachment;          /* attachments: the index; vertex buffers: the binding; buffer_address: the
                                   byte offset, in the buffer `binding` indexes in `resources`, of the
                                   address that led to this buffer; device_address: the
                                   push-constant offset of the address that led to the buffer */
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
  uint32_t samples;             /* images: 1, or the sample count of a multisampled image captured resolved
                                   (colour: the samples' average; depth/stencil: sample 0) */
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

/* Why a cow (a read-only resource's deferred copy) was copied after all: something was about to change it. */
typedef enum KilnCowCause {
  KILN_COW_TRANSFER = 0,   /* a copy, blit, resolve, fill or update writes it */
  KILN_COW_CLEAR = 1,      /* vkCmdClear*Image / vkCmdClearAttachments */
  KILN_COW_ATTACHMENT = 2, /* a render pass or rendering uses it as an attachment */
  KILN_COW_STORAGE = 3,    /* a shader that stores to it (SPIR-V analysis) is bound at a draw or dispatch */
  KILN_COW_LAYOUT = 4,     /* a barrier changes its layout */
  KILN_COW_HOST_WRITE = 5, /* vkMapMemory of the memory it lives in */
  KILN_COW_ALIASING = 6,   /* another resource on the same memory is written */
  KILN_COW_DESTROY = 7,    /* the resource is destroyed or its memory freed */
  KILN_COW_UNSEEN = 8,     /* a command buffer the layer could not look into was submitted */
  KILN_COW_CAUSE_COUNT = 9
} KilnCowCause;

typedef struct KilnCaptureStats {
  uint64_t captures;         /* captures made on this device */
  uint64_t bytes_copied;     /* copied by the GPU when the captured commands ran */
  uint64_t bytes_deferred;   /* of read-only resources: given a cow instead of a copy */
  uint64_t bytes_resolved;   /* deferred bytes copied later because something was about to change them */
  uint64_t bytes_delivered;  /* deferred bytes read from the untouched resource when a capture was handed out or written */
  uint64_t cows;             /* cows made (one per resource range; captures of the same untouched range share one) */
  uint64_t cows_resolved;
  uint64_t resolved_by[KILN_COW_CAUSE_COUNT];  /* cows resolved, by KilnCowCause */
} KilnCaptureStats;

/* Capture the next command of this kind recorded after the call (with KILN_CAPTURE_RECORD=always in the
 * environment: submitted after the call, wherever it was recorded) ("draw", "dispatch", "copy", "any",
 * or a full spec such as "label:Shadows/draw:2" counted from this call on). */
typedef VkResult(VKAPI_PTR* PFN_kilnCaptureNext)(VkDevice device, const char* spec, KilnCaptureWhen when);
/* Capture the first command matching `spec` inside the next debug-label region named `label`. */
typedef VkResult(VKAPI_PTR* PFN_kilnCaptureInLabel)(VkDevice device, const char* label, const char* spec,
                                                      KilnCaptureWhen when);
/* VK_SUCCESS with the capture once its submission completed; VK_NOT_READY before; VK_INCOMPLETE when the
 * request matched nothing yet. The capture stays valid until free_capture. */
typedef VkResult(VKAPI_PTR* PFN_kilnGetCapture)(VkDevice device, const KilnCapture** capture);
typedef void(VKAPI_PTR* PFN_kilnFreeCapture)(VkDevice device, const KilnCapture* capture);
/* The device's copy and copy-on-write counters since it was created. */
typedef VkResult(VKAPI_PTR* PFN_kilnGetCaptureStats)(VkDevice device, KilnCaptureStats* stats);
/* Copy-on-write for captures asked for from now on (VK_TRUE: on, the default; VK_FALSE: copy everything at once). */
typedef VkResult(VKAPI_PTR* PFN_kilnSetCopyOnWrite)(VkDevice device, VkBool32 enable);

typedef struct KilnCaptureApi {
  PFN_kilnCaptureNext capture_next;
  PFN_kilnCaptureInLabel capture_in_label;
  PFN_kilnGetCapture get_capture;
  PFN_kilnFreeCapture free_capture;
  PFN_kilnGetCaptureStats get_stats;
  PFN_kilnSetCopyOnWrite set_copy_on_write;
} KilnCaptureApi;

static inline VkResult kiln_capture_load(PFN_vkGetDeviceProcAddr gdpa, VkDevice device, KilnCaptureApi* api) {
  api->capture_next = (PFN_kilnCaptureNext)gdpa(device, "kilnCaptureNext");
  api->capture_in_label = (PFN_kilnCaptureInLabel)gdpa(device, "kilnCaptureInLabel");
  api->get_capture = (PFN_kilnGetCapture)gdpa(device, "kilnGetCapture");
  api->free_capture = (PFN_kilnFreeCapture)gdpa(device, "kilnFreeCapture");
  api->get_stats = (PFN_kilnGetCaptureStats)gdpa(device, "kilnGetCaptureStats");
  api->set_copy_on_write = (PFN_kilnSetCopyOnWrite)gdpa(device, "kilnSetCopyOnWrite");
  if (!api->capture_next || !api->capture_in_label || !api->get_capture || !api->free_capture || !api->get_stats ||
      !api->set_copy_on_write)
    return VK_ERROR_LAYER_NOT_PRESENT;
  return VK_SUCCESS;
}

#ifdef __cplusplus
}
#endif

#endif /* KILN_CAPTURE_H_ */
