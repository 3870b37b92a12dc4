// kiln/device_functions.h — the device-level entry points kiln calls through pointers: those that
// depend on the device's version and extensions, and the per-draw commands (Context::fn()).
#pragma once

#include <vulkan/vulkan.h>

namespace kiln {

// Entry points whose presence depends on the device's version and extensions. Null when absent.
struct DeviceFunctions {
  PFN_vkCmdPipelineBarrier2 cmd_pipeline_barrier2 = nullptr;
  PFN_vkQueueSubmit2 queue_submit2 = nullptr;
  PFN_vkCmdWriteTimestamp2 cmd_write_timestamp2 = nullptr;
  PFN_vkCmdBeginRendering cmd_begin_rendering = nullptr;
  PFN_vkCmdEndRendering cmd_end_rendering = nullptr;
  PFN_vkResetQueryPool reset_query_pool = nullptr;
  PFN_vkGetSemaphoreCounterValue get_semaphore_counter_value = nullptr;
  PFN_vkWaitSemaphores wait_semaphores = nullptr;
  PFN_vkSignalSemaphore signal_semaphore = nullptr;
  PFN_vkGetBufferDeviceAddress get_buffer_device_address = nullptr;
  PFN_vkGetCalibratedTimestampsEXT get_calibrated_timestamps = nullptr;
  PFN_vkCmdDrawMeshTasksEXT cmd_draw_mesh_tasks = nullptr;
  PFN_vkSetDebugUtilsObjectNameEXT set_debug_utils_object_name = nullptr;
  PFN_vkCmdBeginDebugUtilsLabelEXT cmd_begin_debug_utils_label = nullptr;
  PFN_vkCmdEndDebugUtilsLabelEXT cmd_end_debug_utils_label = nullptr;
  PFN_vkCmdInsertDebugUtilsLabelEXT cmd_insert_debug_utils_label = nullptr;

  // Core commands recorded per draw or dispatch, taken from the device (vkGetDeviceProcAddr) so that
  // CommandBuffer's wrappers skip the loader's trampoline; layers below still see every call. Never
  // null once the Context exists.
  PFN_vkCmdBindPipeline cmd_bind_pipeline = nullptr;
  PFN_vkCmdBindDescriptorSets cmd_bind_descriptor_sets = nullptr;
  PFN_vkCmdPushConstants cmd_push_constants = nullptr;
  PFN_vkCmdBindVertexBuffers cmd_bind_vertex_buffers = nullptr;
  PFN_vkCmdBindIndexBuffer cmd_bind_index_buffer = nullptr;
  PFN_vkCmdDraw cmd_draw = nullptr;
  PFN_vkCmdDrawIndexed cmd_draw_indexed = nullptr;
  PFN_vkCmdDispatch cmd_dispatch = nullptr;
};

}  // namespace kiln
