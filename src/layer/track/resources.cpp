// Memory, buffers, images, views and swapchains. Buffers and images get TRANSFER_SRC added to their
// usage (where the format allows it for images) so the hook can copy them; the program never sees it.
// Copy-on-write: mapping memory, destroying a resource or freeing memory first resolves the cows on
// it (and waits for their copies: the host write or the destruction comes right after).
#include "dispatch/hooks.h"
#include "state.h"

namespace kiln::layer {
namespace hooks {

VKAPI_ATTR VkResult VKAPI_CALL AllocateMemory(VkDevice device, const VkMemoryAllocateInfo* info,
                                              const VkAllocationCallbacks* alloc, VkDeviceMemory* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.AllocateMemory(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto m = std::make_shared<Memory>();
    m->handle = *out;
    m->size = info->allocationSize;
    m->type_index = info->memoryTypeIndex;
    for (auto* e = static_cast<const VkBaseInStructure*>(info->pNext); e; e = e->pNext)
      if (e->sType == VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO)
        m->device_address |= (reinterpret_cast<const VkMemoryAllocateFlagsInfo*>(e)->flags &
                              VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT) != 0;
    dev->memories.add(*out, std::move(m));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL FreeMemory(VkDevice device, VkDeviceMemory memory, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (memory) {
    std::lock_guard lock(dev->mutex);
    resolve_memory(*dev, memory, 0, VK_WHOLE_SIZE, KILN_COW_DESTROY);
    dev->memories.remove(memory);
  }
  dev->d.FreeMemory(device, memory, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL MapMemory(VkDevice device, VkDeviceMemory memory, VkDeviceSize offset, VkDeviceSize size,
                                         VkMemoryMapFlags flags, void** data) {
  Device* dev = device_of(device);
  VkResult r = dev->d.MapMemory(device, memory, offset, size, flags, data);
  // The program cannot write through the pointer before this returns: cows on the memory are resolved
  // now, and from here on none is made while it stays mapped.
  std::lock_guard lock(dev->mutex);
  resolve_memory(*dev, memory, offset, size, KILN_COW_HOST_WRITE);
  if (r == VK_SUCCESS && data && *data) {
    if (auto m = dev->memories.get(memory)) {
      m->host = static_cast<const uint8_t*>(*data);
      m->map_offset = offset;
      m->map_size = size == VK_WHOLE_SIZE ? (offset < m->size ? m->size - offset : 0) : size;
    }
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL UnmapMemory(VkDevice device, VkDeviceMemory memory) {
  Device* dev = device_of(device);
  dev->d.UnmapMemory(device, memory);
  std::lock_guard lock(dev->mutex);
  if (auto m = dev->memories.get(memory)) m->host = nullptr;
}

VKAPI_ATTR VkResult VKAPI_CALL CreateBuffer(VkDevice device, const VkBufferCreateInfo* info,
                                            const VkAllocationCallbacks* alloc, VkBuffer* out) {
  Device* dev = device_of(device);
  VkBufferCreateInfo ci = *info;
  ci.usage |= VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  VkResult r = dev->d.CreateBuffer(device, &ci, alloc, out);
  bool copyable = true;
  if (r != VK_SUCCESS) {  // never fail where the program would not have: retry as asked
    r = dev->d.CreateBuffer(device, info, alloc, out);
    copyable = (info->usage & VK_BUFFER_USAGE_TRANSFER_SRC_BIT) != 0;
  }
  if (r == VK_SUCCESS) {
    auto b = std::make_shared<Buffer>();
    b->handle = *out;
    b->size = info->size;
    b->usage = info->usage;
    b->copyable = copyable;
    dev->buffers.add(*out, std::move(b));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyBuffer(VkDevice device, VkBuffer buffer, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (buffer) {
    std::lock_guard lock(dev->mutex);
    resolve_handle(*dev, handle_key(buffer), KILN_COW_DESTROY);
    auto b = dev->buffers.get(buffer);
    if (b && (b->usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT)) {
      std::lock_guard address_lock(dev->addresses_mutex);
      if (auto it = dev->address_of.find(handle_key(buffer)); it != dev->address_of.end()) {
        auto at = dev->addresses.find(it->second);
        if (at != dev->addresses.end() && at->second.buffer == buffer) dev->addresses.erase(at);
        dev->address_of.erase(it);
      }
    }
    dev->buffers.remove(buffer);
  }
  dev->d.DestroyBuffer(device, buffer, alloc);
}

VKAPI_ATTR VkDeviceAddress VKAPI_CALL GetBufferDeviceAddress(VkDevice device, const VkBufferDeviceAddressInfo* info) {
  Device* dev = device_of(device);
  const VkDeviceAddress address = dev->d.GetBufferDeviceAddress(device, info);
  auto b = dev->buffers.get(info->buffer);
  if (address && b) {
    std::lock_guard lock(dev->addresses_mutex);
    // Buffers sharing memory share addresses: the first one asked for keeps the range.
    if (dev->addresses.emplace(address, Device::AddressedBuffer{info->buffer, b->size}).second)
      dev->address_of[handle_key(info->buffer)] = address;
  }
  return address;
}

static bool format_allows_transfer_src(Device& dev, const VkImageCreateInfo& ci) {
  VkFormatProperties fp{};
  dev.instance->d.GetPhysicalDeviceFormatProperties(dev.physical, ci.format, &fp);
  VkFormatFeatureFlags f = ci.tiling == VK_IMAGE_TILING_LINEAR ? fp.linearTilingFeatures : fp.optimalTilingFeatures;
  return (f & VK_FORMAT_FEATURE_TRANSFER_SRC_BIT) != 0;
}

VKAPI_ATTR VkResult VKAPI_CALL CreateImage(VkDevice device, const VkImageCreateInfo* info,
                                           const VkAllocationCallbacks* alloc, VkImage* out) {
  Device* dev = device_of(device);
  VkImageCreateInfo ci = *info;
  bool copyable = (info->usage & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) != 0;
  VkResult r = VK_ERROR_UNKNOWN;
  if (!copyable && ci.tiling != VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT && format_allows_transfer_src(*dev, ci)) {
    ci.usage |= VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    r = dev->d.CreateImage(device, &ci, alloc, out);
    if (r == VK_SUCCESS) copyable = true;
  }
  if (r != VK_SUCCESS) r = dev->d.CreateImage(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto img = std::make_shared<Image>();
    img->handle = *out;
    img->info = *info;
    img->info.pNext = nullptr;
    img->info.pQueueFamilyIndices = nullptr;
    img->info.queueFamilyIndexCount = 0;
    img->copyable = copyable;
    dev->images.add(*out, std::move(img));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyImage(VkDevice device, VkImage image, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (image) {
    std::lock_guard lock(dev->mutex);
    resolve_handle(*dev, handle_key(image), KILN_COW_DESTROY);
    dev->images.remove(image);
  }
  dev->d.DestroyImage(device, image, alloc);
}

static void bind_image(Device& dev, Image& img, VkDeviceMemory memory, VkDeviceSize offset) {
  img.binding = {memory, offset};
  VkMemoryRequirements req{};
  dev.d.GetImageMemoryRequirements(dev.handle, img.handle, &req);
  img.memory_size = req.size;
}

VKAPI_ATTR VkResult VKAPI_CALL BindBufferMemory(VkDevice device, VkBuffer buffer, VkDeviceMemory memory,
                                                VkDeviceSize offset) {
  Device* dev = device_of(device);
  VkResult r = dev->d.BindBufferMemory(device, buffer, memory, offset);
  if (r == VK_SUCCESS)
    if (auto b = dev->buffers.get(buffer)) b->binding = {memory, offset};
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL BindImageMemory(VkDevice device, VkImage image, VkDeviceMemory memory,
                                               VkDeviceSize offset) {
  Device* dev = device_of(device);
  VkResult r = dev->d.BindImageMemory(device, image, memory, offset);
  if (r == VK_SUCCESS)
    if (auto i = dev->images.get(image)) bind_image(*dev, *i, memory, offset);
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL BindBufferMemory2(VkDevice device, uint32_t count, const VkBindBufferMemoryInfo* infos) {
  Device* dev = device_of(device);
  VkResult r = dev->d.BindBufferMemory2(device, count, infos);
  if (r == VK_SUCCESS)
    for (uint32_t i = 0; i < count; ++i)
      if (auto b = dev->buffers.get(infos[i].buffer)) b->binding = {infos[i].memory, infos[i].memoryOffset};
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL BindImageMemory2(VkDevice device, uint32_t count, const VkBindImageMemoryInfo* infos) {
  Device* dev = device_of(device);
  VkResult r = dev->d.BindImageMemory2(device, count, infos);
  if (r == VK_SUCCESS)
    for (uint32_t i = 0; i < count; ++i)
      if (auto img = dev->images.get(infos[i].image)) bind_image(*dev, *img, infos[i].memory, infos[i].memoryOffset);
  return r;
}

VKAPI_ATTR VkResult VKAPI_CALL CreateImageView(VkDevice device, const VkImageViewCreateInfo* info,
                                               const VkAllocationCallbacks* alloc, VkImageView* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateImageView(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto v = std::make_shared<ImageView>();
    v->handle = *out;
    v->image = dev->images.get(info->image);
    v->format = info->format;
    v->type = info->viewType;
    v->range = info->subresourceRange;
    dev->image_views.add(*out, std::move(v));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyImageView(VkDevice device, VkImageView view, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (view) dev->image_views.remove(view);
  dev->d.DestroyImageView(device, view, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL CreateBufferView(VkDevice device, const VkBufferViewCreateInfo* info,
                                                const VkAllocationCallbacks* alloc, VkBufferView* out) {
  Device* dev = device_of(device);
  VkResult r = dev->d.CreateBufferView(device, info, alloc, out);
  if (r == VK_SUCCESS) {
    auto v = std::make_shared<BufferView>();
    v->handle = *out;
    v->buffer = info->buffer;
    v->format = info->format;
    v->offset = info->offset;
    v->range = info->range;
    dev->buffer_views.add(*out, std::move(v));
  }
  return r;
}

VKAPI_ATTR void VKAPI_CALL DestroyBufferView(VkDevice device, VkBufferView view, const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (view) dev->buffer_views.remove(view);
  dev->d.DestroyBufferView(device, view, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL CreateSwapchainKHR(VkDevice device, const VkSwapchainCreateInfoKHR* info,
                                                  const VkAllocationCallbacks* alloc, VkSwapchainKHR* out) {
  Device* dev = device_of(device);
  VkSwapchainCreateInfoKHR ci = *info;
  bool copyable = (info->imageUsage & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) != 0;
  VkResult r = VK_ERROR_UNKNOWN;
  if (!copyable && dev->instance->d.GetPhysicalDeviceSurfaceCapabilitiesKHR) {
    VkSurfaceCapabilitiesKHR caps{};
    if (dev->instance->d.GetPhysicalDeviceSurfaceCapabilitiesKHR(dev->physical, info->surface, &caps) == VK_SUCCESS &&
        (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT)) {
      ci.imageUsage |= VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
      r = dev->d.CreateSwapchainKHR(device, &ci, alloc, out);
      if (r == VK_SUCCESS) copyable = true;
    }
  }
  if (r != VK_SUCCESS) r = dev->d.CreateSwapchainKHR(device, info, alloc, out);
  if (r != VK_SUCCESS) return r;
  auto sc = std::make_shared<Swapchain>();
  sc->info = *info;
  sc->info.pNext = nullptr;
  sc->info.pQueueFamilyIndices = nullptr;
  uint32_t n = 0;
  dev->d.GetSwapchainImagesKHR(device, *out, &n, nullptr);
  sc->images.resize(n);
  dev->d.GetSwapchainImagesKHR(device, *out, &n, sc->images.data());
  for (VkImage image : sc->images) {
    auto img = std::make_shared<Image>();
    img->handle = image;
    img->swapchain = true;
    img->copyable = copyable;
    VkImageCreateInfo& ii = img->info;
    ii.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    ii.imageType = VK_IMAGE_TYPE_2D;
    ii.format = info->imageFormat;
    ii.extent = {info->imageExtent.width, info->imageExtent.height, 1};
    ii.mipLevels = 1;
    ii.arrayLayers = info->imageArrayLayers;
    ii.samples = VK_SAMPLE_COUNT_1_BIT;
    ii.tiling = VK_IMAGE_TILING_OPTIMAL;
    ii.usage = info->imageUsage;
    dev->images.add(image, std::move(img));
  }
  {
    std::lock_guard lock(dev->mutex);
    dev->presents = true;
  }
  dev->swapchains.add(*out, std::move(sc));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL DestroySwapchainKHR(VkDevice device, VkSwapchainKHR swapchain,
                                               const VkAllocationCallbacks* alloc) {
  Device* dev = device_of(device);
  if (auto sc = dev->swapchains.remove(swapchain))
    for (VkImage image : sc->images) dev->images.remove(image);
  dev->d.DestroySwapchainKHR(device, swapchain, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL GetSwapchainImagesKHR(VkDevice device, VkSwapchainKHR swapchain, uint32_t* count,
                                                     VkImage* images) {
  return device_of(device)->d.GetSwapchainImagesKHR(device, swapchain, count, images);
}

}  // namespace hooks
}  // namespace kiln::layer
