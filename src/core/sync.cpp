// What each Use means in synchronization2 terms, and the barrier decisions of CommandBuffer::use.
#include "kiln/sync.h"

namespace kiln {

const char* use_name(Use use) {
  switch (use) {
    case Use::None: return "none";
    case Use::TransferSrc: return "transfer_src";
    case Use::TransferDst: return "transfer_dst";
    case Use::VertexBuffer: return "vertex_buffer";
    case Use::IndexBuffer: return "index_buffer";
    case Use::IndirectBuffer: return "indirect_buffer";
    case Use::UniformInVertex: return "uniform_in_vertex";
    case Use::UniformInFragment: return "uniform_in_fragment";
    case Use::UniformInCompute: return "uniform_in_compute";
    case Use::StorageReadInVertex: return "storage_read_in_vertex";
    case Use::StorageReadInFragment: return "storage_read_in_fragment";
    case Use::StorageReadInCompute: return "storage_read_in_compute";
    case Use::StorageWriteInCompute: return "storage_write_in_compute";
    case Use::StorageReadWriteInCompute: return "storage_read_write_in_compute";
    case Use::StorageWriteInFragment: return "storage_write_in_fragment";
    case Use::SampledInVertex: return "sampled_in_vertex";
    case Use::SampledInFragment: return "sampled_in_fragment";
    case Use::SampledInCompute: return "sampled_in_compute";
    case Use::ColorAttachment: return "color_attachment";
    case Use::DepthAttachment: return "depth_attachment";
    case Use::DepthRead: return "depth_read";
    case Use::Present: return "present";
    case Use::HostRead: return "host_read";
    case Use::HostWrite: return "host_write";
    case Use::General: return "general";
    case Use::Count: break;
  }
  return "?";
}

UseInfo use_info(Use use, bool depth_format) {
  // Only layouts of Vulkan 1.0/1.1 here: the *_ATTACHMENT/READ_ONLY_OPTIMAL ones need synchronization2.
  constexpr VkPipelineStageFlags2 kVertex = VK_PIPELINE_STAGE_2_VERTEX_SHADER_BIT;
  constexpr VkPipelineStageFlags2 kFragment = VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT;
  constexpr VkPipelineStageFlags2 kCompute = VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT;
  constexpr VkPipelineStageFlags2 kTests =
      VK_PIPELINE_STAGE_2_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_2_LATE_FRAGMENT_TESTS_BIT;
  constexpr VkAccessFlags2 kStorageRead = VK_ACCESS_2_SHADER_STORAGE_READ_BIT;
  constexpr VkAccessFlags2 kStorageWrite = VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT;
  constexpr VkAccessFlags2 kSampled = VK_ACCESS_2_SHADER_SAMPLED_READ_BIT;
  constexpr VkImageLayout kGeneral = VK_IMAGE_LAYOUT_GENERAL;
  constexpr VkImageLayout kReadOnly = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
  switch (use) {
    case Use::None: return {};
    case Use::TransferSrc:
      return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_READ_BIT, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL};
    case Use::TransferDst:
      return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
              true};
    case Use::VertexBuffer:
      return {VK_PIPELINE_STAGE_2_VERTEX_INPUT_BIT, VK_ACCESS_2_VERTEX_ATTRIBUTE_READ_BIT, kReadOnly};
    case Use::IndexBuffer: return {VK_PIPELINE_STAGE_2_VERTEX_INPUT_BIT, VK_ACCESS_2_INDEX_READ_BIT, kReadOnly};
    case Use::IndirectBuffer:
      return {VK_PIPELINE_STAGE_2_DRAW_INDIRECT_BIT, VK_ACCESS_2_INDIRECT_COMMAND_READ_BIT, kReadOnly};
    case Use::UniformInVertex: return {kVertex, VK_ACCESS_2_UNIFORM_READ_BIT, kReadOnly};
    case Use::UniformInFragment: return {kFragment, VK_ACCESS_2_UNIFORM_READ_BIT, kReadOnly};
    case Use::UniformInCompute: return {kCompute, VK_ACCESS_2_UNIFORM_READ_BIT, kReadOnly};
    case Use::StorageReadInVertex: return {kVertex, kStorageRead, kGeneral};
    case Use::StorageReadInFragment: return {kFragment, kStorageRead, kGeneral};
    case Use::StorageReadInCompute: return {kCompute, kStorageRead, kGeneral};
    case Use::StorageWriteInCompute: return {kCompute, kStorageWrite, kGeneral, true};
    case Use::StorageReadWriteInCompute: return {kCompute, kStorageRead | kStorageWrite, kGeneral, true};
    case Use::StorageWriteInFragment: return {kFragment, kStorageWrite, kGeneral, true};
    case Use::SampledInVertex: return {kVertex, kSampled, kReadOnly};
    case Use::SampledInFragment: return {kFragment, kSampled, kReadOnly};
    case Use::SampledInCompute: return {kCompute, kSampled, kReadOnly};
    case Use::ColorAttachment:
      if (!depth_format) {
        return {VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                VK_ACCESS_2_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT,
                VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, true};
      }
      [[fallthrough]];  // an attachment of a depth format is a depth attachment
    case Use::DepthAttachment:
      return {kTests,
              VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_READ_BIT | VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT,
              VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL, true};
    case Use::DepthRead:
      return {kTests | kFragment, VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_READ_BIT | kSampled,
              VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL};
    case Use::Present:
      // The presentation engine waits on a semaphore; the barrier only needs the layout.
      return {VK_PIPELINE_STAGE_2_NONE, VK_ACCESS_2_NONE, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR};
    case Use::HostRead: return {VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT, kGeneral};
    case Use::HostWrite: return {VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT, kGeneral, true};
    case Use::General:
      return {VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, VK_ACCESS_2_MEMORY_READ_BIT | VK_ACCESS_2_MEMORY_WRITE_BIT,
              kGeneral, true};
    case Use::Count: break;
  }
  return {};
}

VkAccessFlags2 write_access_bits(VkAccessFlags2 access) {
  constexpr VkAccessFlags2 kWrites =
      VK_ACCESS_2_SHADER_WRITE_BIT | VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT |
      VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT | VK_ACCESS_2_HOST_WRITE_BIT |
      VK_ACCESS_2_MEMORY_WRITE_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT |
      VK_ACCESS_2_TRANSFORM_FEEDBACK_WRITE_BIT_EXT | VK_ACCESS_2_TRANSFORM_FEEDBACK_COUNTER_WRITE_BIT_EXT |
      VK_ACCESS_2_COMMAND_PREPROCESS_WRITE_BIT_NV | VK_ACCESS_2_ACCELERATION_STRUCTURE_WRITE_BIT_KHR;
  return access & kWrites;
}

namespace {

// The state right after a use whose barrier (if any) made everything before it visible to it.
void after_use(ResourceState& state, const UseInfo& use, bool image) {
  if (use.writes) {
    state.write_stages = use.stages;
    state.write_access = write_access_bits(use.access);
    state.read_stages = 0;
    state.visible_access = 0;
  } else {
    state.read_stages |= use.stages;
    state.visible_access |= use.access;
  }
  if (image) state.layout = use.layout;
}

}  // namespace

UsePlan plan_use(ResourceState& state, const UseInfo& use, bool image, bool discard, uint32_t family) {
  UsePlan plan;

  // The common repeat: a read this resource's state already covers (same owner and layout, its
  // stages and accesses already made visible) needs no barrier and changes nothing. Binding the
  // same resources draw after draw lands here.
  if (!discard && (!image || state.layout == use.layout) && use_needs_nothing(state, use, family)) return plan;

  if (state.release_to != VK_QUEUE_FAMILY_IGNORED) {
    if (state.release_to == family) {
      // The acquire repeats the release's families and layouts; its destination scope is this use.
      BarrierPlan& a = plan.acquire;
      a.needed = true;
      a.dst_stages = use.stages;
      a.dst_access = use.access;
      a.src_family = state.queue_family;
      a.dst_family = family;
      if (image) {
        a.old_layout = state.release_old_layout;
        a.new_layout = state.layout;
      }
      state.queue_family = family;
      state.release_to = VK_QUEUE_FAMILY_IGNORED;
      // The acquire counts as a write (its layout transition, if any) already visible to this use.
      state.write_stages = use.stages;
      state.write_access = 0;
      state.read_stages = use.stages;
      state.visible_access = use.access;
      if (!use.writes && (!image || (use.layout == state.layout && !discard))) return plan;
      if (use.writes && (!image || (use.layout == state.layout && !discard))) {
        after_use(state, use, image);
        return plan;
      }
      // A different layout than the release asked for: one more barrier after the acquire.
      state.read_stages = 0;
      state.visible_access = 0;
    } else if (state.queue_family == family) {
      state.release_to = VK_QUEUE_FAMILY_IGNORED;  // released but used again at home: the release is moot
    }
  }
  // A resource used on another family without release() is treated as ours from now on (right for
  // concurrent sharing; exclusive sharing needs release()).
  state.queue_family = family;

  BarrierPlan& b = plan.barrier;
  const bool layout_change = image && (discard || state.layout != use.layout);
  if (layout_change || use.writes) {
    b.src_stages = state.write_stages | state.read_stages;
    b.src_access = state.write_access;
    b.needed = layout_change || b.src_stages != 0;
  } else {
    const bool written = state.write_stages != 0 || state.write_access != 0;
    const bool visible =
        (use.stages & ~state.read_stages) == 0 && (use.access & ~state.visible_access) == 0;
    if (written && !visible) {
      // Cover every reader so far too, so any of their stage/access pairs is visible afterwards.
      b.needed = true;
      b.src_stages = state.write_stages;
      b.src_access = state.write_access;
      b.dst_stages = state.read_stages | use.stages;
      b.dst_access = state.visible_access | use.access;
    }
    after_use(state, use, image);
    if (b.needed && image) b.old_layout = b.new_layout = use.layout;
    return plan;
  }
  b.dst_stages = use.stages;
  b.dst_access = use.access;
  if (image) {
    b.old_layout = discard ? VK_IMAGE_LAYOUT_UNDEFINED : state.layout;
    b.new_layout = use.layout;
  }
  if (layout_change && !use.writes) {
    // The transition is the last write, visible to this reader only.
    state.write_stages = use.stages;
    state.write_access = 0;
    state.read_stages = use.stages;
    state.visible_access = use.access;
    state.layout = use.layout;
  } else {
    after_use(state, use, image);
  }
  return plan;
}

BarrierPlan plan_release(ResourceState& state, const UseInfo& next, bool image, uint32_t from, uint32_t to) {
  BarrierPlan b;
  if (state.queue_family == VK_QUEUE_FAMILY_IGNORED || from == to || state.queue_family != from) {
    // No owner yet (or not ours to give): the next use anywhere takes it without a transfer.
    return b;
  }
  b.needed = true;
  b.src_stages = state.write_stages | state.read_stages;
  b.src_access = state.write_access;
  b.src_family = from;
  b.dst_family = to;
  if (image) {
    b.old_layout = state.layout;
    b.new_layout = next.layout == VK_IMAGE_LAYOUT_UNDEFINED ? state.layout : next.layout;
    state.release_old_layout = b.old_layout;
    state.layout = b.new_layout;
  }
  state.release_to = to;
  return b;
}

}  // namespace kiln

