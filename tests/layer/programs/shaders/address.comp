#version 450
// Reads and writes buffers only through device addresses in push constants (no descriptors).
#extension GL_EXT_buffer_reference : require
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Values { uint v[]; };
layout(push_constant) uniform Push {
  Values src;  // offset 0
  Values dst;  // offset 8
  uint add;    // offset 16
} pc;
layout(local_size_x = 64) in;
void main() {
  uint i = gl_GlobalInvocationID.x;
  pc.dst.v[i] = pc.src.v[i] * 2u + pc.add;
}
