// The names of ResourceRole as capture.json and the C API spell them.
#include "../capture_data.h"

namespace kiln::layer {

const char* resource_role_name(ResourceRole role) {
  switch (role) {
    case ResourceRole::Descriptor: return "descriptor";
    case ResourceRole::ColorAttachment: return "color_attachment";
    case ResourceRole::DepthAttachment: return "depth_attachment";
    case ResourceRole::StencilAttachment: return "stencil_attachment";
    case ResourceRole::ResolveAttachment: return "resolve_attachment";
    case ResourceRole::VertexBuffer: return "vertex_buffer";
    case ResourceRole::IndexBuffer: return "index_buffer";
    case ResourceRole::IndirectBuffer: return "indirect_buffer";
    case ResourceRole::PushConstants: return "push_constants";
    case ResourceRole::TransferSource: return "transfer_source";
    case ResourceRole::TransferDestination: return "transfer_destination";
    case ResourceRole::DeviceAddress: return "device_address";
    case ResourceRole::BufferAddress: return "buffer_address";
  }
  return "unknown";
}

}  // namespace kiln::layer
