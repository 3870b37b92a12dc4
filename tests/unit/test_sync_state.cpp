// The barrier decisions of CommandBuffer::use, as pure functions (sync.h): no Vulkan device here.
#include <gtest/gtest.h>

#include "kiln/sync.h"

namespace kiln {
namespace {

constexpr uint32_t kGraphics = 0;
constexpr uint32_t kTransfer = 1;

UsePlan buffer_use(ResourceState& s, Use u, uint32_t family = kGraphics) {
  return plan_use(s, use_info(u), /*image=*/false, /*discard=*/false, family);
}
UsePlan image_use(ResourceState& s, Use u, bool discard = false, uint32_t family = kGraphics) {
  return plan_use(s, use_info(u), /*image=*/true, discard, family);
}

TEST(SyncState, FreshBufferNeedsNoBarrier) {
  ResourceState s;
  EXPECT_FALSE(buffer_use(s, Use::TransferDst).barrier.needed);
  EXPECT_EQ(s.write_stages, VK_PIPELINE_STAGE_2_TRANSFER_BIT);
  EXPECT_EQ(s.write_access, VK_ACCESS_2_TRANSFER_WRITE_BIT);
  EXPECT_EQ(s.queue_family, kGraphics);

  ResourceState r;
  EXPECT_FALSE(buffer_use(r, Use::StorageReadInCompute).barrier.needed);  // host-written contents
}

TEST(SyncState, ReadAfterWriteWaitsForTheWrite) {
  ResourceState s;
  buffer_use(s, Use::StorageWriteInCompute);
  const BarrierPlan b = buffer_use(s, Use::TransferSrc).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.src_stages, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT);
  EXPECT_EQ(b.src_access, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
  EXPECT_EQ(b.dst_stages, VK_PIPELINE_STAGE_2_TRANSFER_BIT);
  EXPECT_EQ(b.dst_access, VK_ACCESS_2_TRANSFER_READ_BIT);
  EXPECT_EQ(b.src_family, b.dst_family);
}

TEST(SyncState, ReadAfterVisibleWriteNeedsNothing) {
  ResourceState s;
  buffer_use(s, Use::TransferDst);
  EXPECT_TRUE(buffer_use(s, Use::UniformInFragment).barrier.needed);
  EXPECT_FALSE(buffer_use(s, Use::UniformInFragment).barrier.needed);
}

TEST(SyncState, NewReaderBarrierCoversEveryReaderSoFar) {
  ResourceState s;
  buffer_use(s, Use::TransferDst);
  buffer_use(s, Use::UniformInVertex);
  const BarrierPlan b = buffer_use(s, Use::StorageReadInCompute).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.src_stages, VK_PIPELINE_STAGE_2_TRANSFER_BIT);
  EXPECT_EQ(b.dst_stages, VK_PIPELINE_STAGE_2_VERTEX_SHADER_BIT | VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT);
  EXPECT_EQ(b.dst_access, VK_ACCESS_2_UNIFORM_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
  // Vertex stage with storage reads: covered by the union, no barrier.
  EXPECT_FALSE(buffer_use(s, Use::StorageReadInVertex).barrier.needed);
}

TEST(SyncState, WriteAfterReadWaitsForReadersWithoutAccess) {
  ResourceState s;
  buffer_use(s, Use::TransferSrc);  // fresh: read without barrier
  const BarrierPlan b = buffer_use(s, Use::StorageWriteInCompute).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.src_stages, VK_PIPELINE_STAGE_2_TRANSFER_BIT);
  EXPECT_EQ(b.src_access, 0u);
  EXPECT_EQ(b.dst_access, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
}

TEST(SyncState, WriteAfterWriteAndReadsWaitsForAll) {
  ResourceState s;
  buffer_use(s, Use::TransferDst);
  buffer_use(s, Use::StorageReadInCompute);
  const BarrierPlan b = buffer_use(s, Use::TransferDst).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.src_stages, VK_PIPELINE_STAGE_2_TRANSFER_BIT | VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT);
  EXPECT_EQ(b.src_access, VK_ACCESS_2_TRANSFER_WRITE_BIT);
  EXPECT_EQ(s.read_stages, 0u);
  EXPECT_EQ(s.visible_access, 0u);
}

TEST(SyncState, ReadWriteUseRecordsOnlyTheWriteBits) {
  ResourceState s;
  buffer_use(s, Use::StorageReadWriteInCompute);
  EXPECT_EQ(s.write_access, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
  // Compute after compute read-write: a barrier (write after write), compute to compute.
  const BarrierPlan b = buffer_use(s, Use::StorageReadWriteInCompute).barrier;
  EXPECT_TRUE(b.needed);
  EXPECT_EQ(b.src_stages, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT);
}

TEST(SyncState, FreshImageTransitionsFromUndefined) {
  ResourceState s;
  const BarrierPlan b = image_use(s, Use::TransferDst).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.src_stages, 0u);
  EXPECT_EQ(b.old_layout, VK_IMAGE_LAYOUT_UNDEFINED);
  EXPECT_EQ(b.new_layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
  EXPECT_EQ(s.layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
}

TEST(SyncState, LayoutChangeIsAlwaysABarrierEvenForReads) {
  ResourceState s;
  image_use(s, Use::TransferDst);
  BarrierPlan b = image_use(s, Use::SampledInFragment).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.old_layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
  EXPECT_EQ(b.new_layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
  EXPECT_EQ(b.src_access, VK_ACCESS_2_TRANSFER_WRITE_BIT);
  // Same layout, same reader: nothing. Another read-only-layout reader: a barrier without transition.
  EXPECT_FALSE(image_use(s, Use::SampledInFragment).barrier.needed);
  b = image_use(s, Use::SampledInCompute).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.old_layout, b.new_layout);
  // Read in another layout: transition again, waiting for both readers.
  b = image_use(s, Use::TransferSrc).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.old_layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
  EXPECT_EQ(b.src_stages & VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT, VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT);
  EXPECT_EQ(b.src_stages & VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT);
}

TEST(SyncState, DiscardStartsFromUndefinedInTheSameLayout) {
  ResourceState s;
  image_use(s, Use::ColorAttachment);
  const BarrierPlan b = image_use(s, Use::ColorAttachment, /*discard=*/true).barrier;
  ASSERT_TRUE(b.needed);
  EXPECT_EQ(b.old_layout, VK_IMAGE_LAYOUT_UNDEFINED);
  EXPECT_EQ(b.new_layout, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
  EXPECT_EQ(b.src_stages, VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT);
}

TEST(SyncState, DepthFormatsMakeColorAttachmentsDepthOnes) {
  const UseInfo u = use_info(Use::ColorAttachment, /*depth_format=*/true);
  EXPECT_EQ(u.layout, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL);
  EXPECT_TRUE(u.writes);
}

TEST(SyncState, EveryUseHasANameAndOnlyPre13Layouts) {
  for (uint32_t i = 0; i < uint32_t(Use::Count); ++i) {
    const Use u = Use(i);
    EXPECT_STRNE(use_name(u), "?") << i;
    const VkImageLayout l = use_info(u).layout;
    // The sync2-only layouts would break the fallback path.
    EXPECT_NE(l, VK_IMAGE_LAYOUT_READ_ONLY_OPTIMAL) << use_name(u);
    EXPECT_NE(l, VK_IMAGE_LAYOUT_ATTACHMENT_OPTIMAL) << use_name(u);
    EXPECT_EQ(use_info(u).writes, write_access_bits(use_info(u).access) != 0) << use_name(u);
  }
}

TEST(SyncState, OwnershipTransferReleaseThenAcquire) {
  ResourceState s;
  image_use(s, Use::TransferDst, false, kTransfer);
  EXPECT_EQ(s.queue_family, kTransfer);

  const BarrierPlan rel = plan_release(s, use_info(Use::SampledInFragment), true, kTransfer, kGraphics);
  ASSERT_TRUE(rel.needed);
  EXPECT_EQ(rel.src_family, kTransfer);
  EXPECT_EQ(rel.dst_family, kGraphics);
  EXPECT_EQ(rel.src_stages, VK_PIPELINE_STAGE_2_TRANSFER_BIT);
  EXPECT_EQ(rel.src_access, VK_ACCESS_2_TRANSFER_WRITE_BIT);
  EXPECT_EQ(rel.dst_stages, 0u);  // ignored for a release
  EXPECT_EQ(rel.old_layout, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
  EXPECT_EQ(rel.new_layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
  EXPECT_EQ(s.release_to, kGraphics);

  const UsePlan acq = image_use(s, Use::SampledInFragment, false, kGraphics);
  ASSERT_TRUE(acq.acquire.needed);
  EXPECT_FALSE(acq.barrier.needed);
  EXPECT_EQ(acq.acquire.src_family, kTransfer);
  EXPECT_EQ(acq.acquire.dst_family, kGraphics);
  EXPECT_EQ(acq.acquire.src_stages, 0u);  // ignored for an acquire
  EXPECT_EQ(acq.acquire.dst_stages, VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT);
  EXPECT_EQ(acq.acquire.old_layout, rel.old_layout);
  EXPECT_EQ(acq.acquire.new_layout, rel.new_layout);
  EXPECT_EQ(s.queue_family, kGraphics);
  EXPECT_EQ(s.release_to, VK_QUEUE_FAMILY_IGNORED);
  // The acquire made the data visible to fragment sampling: reading again needs nothing.
  EXPECT_FALSE(image_use(s, Use::SampledInFragment).barrier.needed);
}

TEST(SyncState, AcquireInAnotherLayoutAddsABarrierAfterIt) {
  ResourceState s;
  image_use(s, Use::TransferDst, false, kTransfer);
  plan_release(s, use_info(Use::SampledInFragment), true, kTransfer, kGraphics);
  const UsePlan p = image_use(s, Use::TransferSrc, false, kGraphics);
  ASSERT_TRUE(p.acquire.needed);
  ASSERT_TRUE(p.barrier.needed);
  EXPECT_EQ(p.barrier.old_layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
  EXPECT_EQ(p.barrier.new_layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  EXPECT_EQ(p.barrier.src_stages, p.acquire.dst_stages);  // chained after the acquire
}

TEST(SyncState, NoTransferWithoutOwnerOrWithinOneFamily) {
  ResourceState fresh;
  EXPECT_FALSE(plan_release(fresh, use_info(Use::TransferSrc), false, kTransfer, kGraphics).needed);
  EXPECT_EQ(fresh.release_to, VK_QUEUE_FAMILY_IGNORED);

  ResourceState s;
  buffer_use(s, Use::TransferDst);
  EXPECT_FALSE(plan_release(s, use_info(Use::TransferSrc), false, kGraphics, kGraphics).needed);

  // Buffers acquire without layouts.
  buffer_use(s, Use::TransferDst, kTransfer);
  ASSERT_TRUE(plan_release(s, use_info(Use::VertexBuffer), false, kTransfer, kGraphics).needed);
  const UsePlan p = buffer_use(s, Use::VertexBuffer, kGraphics);
  EXPECT_TRUE(p.acquire.needed);
  EXPECT_FALSE(p.barrier.needed);
  EXPECT_EQ(p.acquire.dst_access, VK_ACCESS_2_VERTEX_ATTRIBUTE_READ_BIT);
}

TEST(SyncState, LegacyTranslation) {
  EXPECT_EQ(legacy_stages(0, true), VkPipelineStageFlags(VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT));
  EXPECT_EQ(legacy_stages(0, false), VkPipelineStageFlags(VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT));
  EXPECT_EQ(legacy_stages(VK_PIPELINE_STAGE_2_COPY_BIT | VK_PIPELINE_STAGE_2_BLIT_BIT, true),
            VkPipelineStageFlags(VK_PIPELINE_STAGE_TRANSFER_BIT));
  EXPECT_EQ(legacy_stages(VK_PIPELINE_STAGE_2_CLEAR_BIT | VK_PIPELINE_STAGE_2_RESOLVE_BIT, false),
            VkPipelineStageFlags(VK_PIPELINE_STAGE_TRANSFER_BIT));
  EXPECT_EQ(legacy_stages(VK_PIPELINE_STAGE_2_INDEX_INPUT_BIT, false),
            VkPipelineStageFlags(VK_PIPELINE_STAGE_VERTEX_INPUT_BIT));
  EXPECT_EQ(legacy_stages(VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_HOST_BIT, true),
            VkPipelineStageFlags(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT));
  EXPECT_EQ(legacy_access(VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT),
            VkAccessFlags(VK_ACCESS_SHADER_READ_BIT));
  EXPECT_EQ(legacy_access(VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT), VkAccessFlags(VK_ACCESS_SHADER_WRITE_BIT));
  EXPECT_EQ(legacy_access(VK_ACCESS_2_TRANSFER_WRITE_BIT | VK_ACCESS_2_HOST_READ_BIT),
            VkAccessFlags(VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT));
  EXPECT_EQ(legacy_access(0), 0u);
}

}  // namespace
}  // namespace kiln
