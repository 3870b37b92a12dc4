// The next layer's functions, per instance and per device, loaded from the GetInstanceProcAddr /
// GetDeviceProcAddr the loader hands down in the create-info chain. One X-macro list per level: every
// function the layer intercepts (to forward it) or calls itself. Core names first; an alias (KHR/EXT)
// is tried when the core name is absent (a 1.2 device with VK_KHR_dynamic_rendering, say).
#pragma once

#include <vulkan/vulkan.h>

namespace kiln::layer {

#define KILN_INSTANCE_FUNCS(X)                                     \
  X(DestroyInstance, nullptr)                                      \
  X(EnumerateDeviceExtensionProperties, nullptr)                   \
  X(GetPhysicalDeviceMemoryProperties, nullptr)                    \
  X(GetPhysicalDeviceFormatProperties, nullptr)                    \
  X(GetPhysicalDeviceProperties, nullptr)                          \
  X(GetPhysicalDeviceQueueFamilyProperties, nullptr)               \
  X(GetPhysicalDeviceSurfaceCapabilitiesKHR, nullptr)              \
  X(CreateDebugUtilsMessengerEXT, nullptr)

// Device functions: (name, alias or nullptr).
// Called by the layer only (forwarded untouched when the program calls them).
#define KILN_DEVICE_CALLS(X)                 \
  X(InvalidateMappedMemoryRanges, nullptr)   \
  X(GetBufferMemoryRequirements, nullptr)    \
  X(GetImageMemoryRequirements, nullptr)     \
  X(GetSemaphoreCounterValue, "vkGetSemaphoreCounterValueKHR") \
  X(CreateSampler, nullptr)                  \
  X(DestroySampler, nullptr)                 \
  X(CreateFence, nullptr)                    \
  X(DestroyFence, nullptr)                   \
  X(GetFenceStatus, nullptr)                 \
  X(ResetFences, nullptr)                    \
  X(CreateEvent, nullptr)                    \
  X(DestroyEvent, nullptr)

// Intercepted: tracking, submission, queues.
#define KILN_DEVICE_HOOKED(X)                                                  \
  X(DestroyDevice, nullptr)                                                    \
  X(GetDeviceQueue, nullptr)                                                   \
  X(GetDeviceQueue2, nullptr)                                                  \
  X(DeviceWaitIdle, nullptr)                                                   \
  X(QueueWaitIdle, nullptr)                                                    \
  X(QueueSubmit, nullptr)                                                      \
  X(QueueSubmit2, "vkQueueSubmit2KHR")                                         \
  X(QueuePresentKHR, nullptr)                                                  \
  X(AllocateMemory, nullptr)                                                   \
  X(MapMemory, nullptr)                                                        \
  X(UnmapMemory, nullptr)                                                      \
  X(CreateSemaphore, nullptr)                                                  \
  X(DestroySemaphore, nullptr)                                                 \
  X(SignalSemaphore, "vkSignalSemaphoreKHR")                                   \
  X(FreeMemory, nullptr)                                                       \
  X(BindBufferMemory, nullptr)                                                 \
  X(BindImageMemory, nullptr)                                                  \
  X(BindBufferMemory2, "vkBindBufferMemory2KHR")                               \
  X(BindImageMemory2, "vkBindImageMemory2KHR")                                 \
  X(CreateBuffer, nullptr)                                                     \
  X(DestroyBuffer, nullptr)                                                    \
  X(GetBufferDeviceAddress, "vkGetBufferDeviceAddressKHR")                     \
  X(CreateBufferView, nullptr)                                                 \
  X(DestroyBufferView, nullptr)                                                \
  X(CreateImage, nullptr)                                                      \
  X(DestroyImage, nullptr)                                                     \
  X(CreateImageView, nullptr)                                                  \
  X(DestroyImageView, nullptr)                                                 \
  X(CreateShaderModule, nullptr)                                               \
  X(DestroyShaderModule, nullptr)                                              \
  X(CreateGraphicsPipelines, nullptr)                                          \
  X(CreateComputePipelines, nullptr)                                           \
  X(DestroyPipeline, nullptr)                                                  \
  X(CreatePipelineLayout, nullptr)                                             \
  X(DestroyPipelineLayout, nullptr)                                            \
  X(CreateDescriptorSetLayout, nullptr)                                        \
  X(DestroyDescriptorSetLayout, nullptr)                                       \
  X(CreateDescriptorPool, nullptr)                                             \
  X(DestroyDescriptorPool, nullptr)                                            \
  X(ResetDescriptorPool, nullptr)                                              \
  X(AllocateDescriptorSets, nullptr)                                           \
  X(FreeDescriptorSets, nullptr)                                               \
  X(UpdateDescriptorSets, nullptr)                                             \
  X(CreateDescriptorUpdateTemplate, "vkCreateDescriptorUpdateTemplateKHR")     \
  X(DestroyDescriptorUpdateTemplate, "vkDestroyDescriptorUpdateTemplateKHR")   \
  X(UpdateDescriptorSetWithTemplate, "vkUpdateDescriptorSetWithTemplateKHR")   \
  X(CreateRenderPass, nullptr)                                                 \
  X(CreateRenderPass2, "vkCreateRenderPass2KHR")                               \
  X(DestroyRenderPass, nullptr)                                                \
  X(CreateFramebuffer, nullptr)                                                \
  X(DestroyFramebuffer, nullptr)                                               \
  X(CreateCommandPool, nullptr)                                                \
  X(DestroyCommandPool, nullptr)                                               \
  X(ResetCommandPool, nullptr)                                                 \
  X(AllocateCommandBuffers, nullptr)                                           \
  X(FreeCommandBuffers, nullptr)                                               \
  X(BeginCommandBuffer, nullptr)                                               \
  X(EndCommandBuffer, nullptr)                                                 \
  X(ResetCommandBuffer, nullptr)                                               \
  X(WaitForFences, nullptr)                                                    \
  X(CreateSwapchainKHR, nullptr)                                               \
  X(DestroySwapchainKHR, nullptr)                                              \
  X(GetSwapchainImagesKHR, nullptr)                                            \
  X(SetDebugUtilsObjectNameEXT, nullptr)

// Intercepted and recorded: every vkCmd* the layer knows.
#define KILN_DEVICE_CMDS(X)                                                \
  X(CmdBindPipeline, nullptr)                                              \
  X(CmdSetViewport, nullptr)                                               \
  X(CmdSetScissor, nullptr)                                                \
  X(CmdSetLineWidth, nullptr)                                              \
  X(CmdSetDepthBias, nullptr)                                              \
  X(CmdSetBlendConstants, nullptr)                                         \
  X(CmdSetDepthBounds, nullptr)                                            \
  X(CmdSetStencilCompareMask, nullptr)                                     \
  X(CmdSetStencilWriteMask, nullptr)                                       \
  X(CmdSetStencilReference, nullptr)                                       \
  X(CmdBindDescriptorSets, nullptr)                                        \
  X(CmdBindIndexBuffer, nullptr)                                           \
  X(CmdBindVertexBuffers, nullptr)                                         \
  X(CmdDraw, nullptr)                                                      \
  X(CmdDrawIndexed, nullptr)                                               \
  X(CmdDrawIndirect, nullptr)                                              \
  X(CmdDrawIndexedIndirect, nullptr)                                       \
  X(CmdDispatch, nullptr)                                                  \
  X(CmdDispatchIndirect, nullptr)                                          \
  X(CmdCopyBuffer, nullptr)                                                \
  X(CmdCopyImage, nullptr)                                                 \
  X(CmdBlitImage, nullptr)                                                 \
  X(CmdCopyBufferToImage, nullptr)                                         \
  X(CmdCopyImageToBuffer, nullptr)                                         \
  X(CmdUpdateBuffer, nullptr)                                              \
  X(CmdFillBuffer, nullptr)                                                \
  X(CmdClearColorImage, nullptr)                                           \
  X(CmdClearDepthStencilImage, nullptr)                                    \
  X(CmdClearAttachments, nullptr)                                          \
  X(CmdResolveImage, nullptr)                                              \
  X(CmdSetEvent, nullptr)                                                  \
  X(CmdResetEvent, nullptr)                                                \
  X(CmdWaitEvents, nullptr)                                                \
  X(CmdPipelineBarrier, nullptr)                                           \
  X(CmdBeginQuery, nullptr)                                                \
  X(CmdEndQuery, nullptr)                                                  \
  X(CmdResetQueryPool, nullptr)                                            \
  X(CmdWriteTimestamp, nullptr)                                            \
  X(CmdCopyQueryPoolResults, nullptr)                                      \
  X(CmdPushConstants, nullptr)                                             \
  X(CmdBeginRenderPass, nullptr)                                           \
  X(CmdNextSubpass, nullptr)                                               \
  X(CmdEndRenderPass, nullptr)                                             \
  X(CmdExecuteCommands, nullptr)                                           \
  X(CmdSetDeviceMask, "vkCmdSetDeviceMaskKHR")                             \
  X(CmdDispatchBase, "vkCmdDispatchBaseKHR")                               \
  X(CmdDrawIndirectCount, "vkCmdDrawIndirectCountKHR")                     \
  X(CmdDrawIndexedIndirectCount, "vkCmdDrawIndexedIndirectCountKHR")       \
  X(CmdBeginRenderPass2, "vkCmdBeginRenderPass2KHR")                       \
  X(CmdNextSubpass2, "vkCmdNextSubpass2KHR")                               \
  X(CmdEndRenderPass2, "vkCmdEndRenderPass2KHR")                           \
  X(CmdSetEvent2, "vkCmdSetEvent2KHR")                                     \
  X(CmdResetEvent2, "vkCmdResetEvent2KHR")                                 \
  X(CmdWaitEvents2, "vkCmdWaitEvents2KHR")                                 \
  X(CmdPipelineBarrier2, "vkCmdPipelineBarrier2KHR")                       \
  X(CmdWriteTimestamp2, "vkCmdWriteTimestamp2KHR")                         \
  X(CmdCopyBuffer2, "vkCmdCopyBuffer2KHR")                                 \
  X(CmdCopyImage2, "vkCmdCopyImage2KHR")                                   \
  X(CmdCopyBufferToImage2, "vkCmdCopyBufferToImage2KHR")                   \
  X(CmdCopyImageToBuffer2, "vkCmdCopyImageToBuffer2KHR")                   \
  X(CmdBlitImage2, "vkCmdBlitImage2KHR")                                   \
  X(CmdResolveImage2, "vkCmdResolveImage2KHR")                             \
  X(CmdBeginRendering, "vkCmdBeginRenderingKHR")                           \
  X(CmdEndRendering, "vkCmdEndRenderingKHR")                               \
  X(CmdSetCullMode, "vkCmdSetCullModeEXT")                                 \
  X(CmdSetFrontFace, "vkCmdSetFrontFaceEXT")                               \
  X(CmdSetPrimitiveTopology, "vkCmdSetPrimitiveTopologyEXT")               \
  X(CmdSetViewportWithCount, "vkCmdSetViewportWithCountEXT")               \
  X(CmdSetScissorWithCount, "vkCmdSetScissorWithCountEXT")                 \
  X(CmdBindVertexBuffers2, "vkCmdBindVertexBuffers2EXT")                   \
  X(CmdSetDepthTestEnable, "vkCmdSetDepthTestEnableEXT")                   \
  X(CmdSetDepthWriteEnable, "vkCmdSetDepthWriteEnableEXT")                 \
  X(CmdSetDepthCompareOp, "vkCmdSetDepthCompareOpEXT")                     \
  X(CmdSetDepthBoundsTestEnable, "vkCmdSetDepthBoundsTestEnableEXT")       \
  X(CmdSetStencilTestEnable, "vkCmdSetStencilTestEnableEXT")               \
  X(CmdSetStencilOp, "vkCmdSetStencilOpEXT")                               \
  X(CmdSetRasterizerDiscardEnable, "vkCmdSetRasterizerDiscardEnableEXT")   \
  X(CmdSetDepthBiasEnable, "vkCmdSetDepthBiasEnableEXT")                   \
  X(CmdSetPrimitiveRestartEnable, "vkCmdSetPrimitiveRestartEnableEXT")     \
  X(CmdPushDescriptorSetKHR, nullptr)                                      \
  X(CmdPushDescriptorSetWithTemplateKHR, nullptr)                          \
  X(CmdDrawMultiEXT, nullptr)                                              \
  X(CmdDrawMultiIndexedEXT, nullptr)                                       \
  X(CmdBeginDebugUtilsLabelEXT, nullptr)                                   \
  X(CmdEndDebugUtilsLabelEXT, nullptr)                                     \
  X(CmdInsertDebugUtilsLabelEXT, nullptr)

#define KILN_DEVICE_FUNCS(X) KILN_DEVICE_CALLS(X) KILN_DEVICE_HOOKED(X) KILN_DEVICE_CMDS(X)

struct InstanceDispatch {
  PFN_vkGetInstanceProcAddr GetInstanceProcAddr = nullptr;
#define KILN_X(name, alias) PFN_vk##name name = nullptr;
  KILN_INSTANCE_FUNCS(KILN_X)
#undef KILN_X
  void load(VkInstance instance, PFN_vkGetInstanceProcAddr gipa);
};

struct DeviceDispatch {
  PFN_vkGetDeviceProcAddr GetDeviceProcAddr = nullptr;
#define KILN_X(name, alias) PFN_vk##name name = nullptr;
  KILN_DEVICE_FUNCS(KILN_X)
#undef KILN_X
  void load(VkDevice device, PFN_vkGetDeviceProcAddr gdpa);
};

}  // namespace kiln::layer
