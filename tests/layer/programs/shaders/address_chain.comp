#version 450
// address.comp's work with its pointers one and two hops away: a uniform buffer holds the address of a
// table, and the table the addresses of the buffers read and written.
#extension GL_EXT_buffer_reference : require
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Values { uint v[]; };
layout(buffer_reference, std430, buffer_reference_align = 8) readonly buffer Table {
  Values src;  // offset 0
  Values dst;  // offset 8
};
layout(set = 0, binding = 0) uniform Params {
  uint add;     // offset 0
  Table table;  // offset 8
} params;
layout(local_size_x = 64) in;
void main() {
  uint i = gl_GlobalInvocationID.x;
  params.table.dst.v[i] = params.table.src.v[i] * 2u + params.add;
}
