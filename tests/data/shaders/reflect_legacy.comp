#version 450
// Reflection test, compiled for Vulkan 1.0 (SPIR-V 1.0): storage buffers are Uniform+BufferBlock,
// the workgroup size comes from spec constants, texel buffers, atomics, an image passed to a
// function, a buffer only queried for its length.
layout(local_size_x_id = 3, local_size_y = 2) in;

layout(set = 0, binding = 0, std430) buffer Counters { uint hits; uint misses; } counters;
layout(set = 0, binding = 1, std430) buffer Lengths { uint length_of_data; } lengths;
layout(set = 0, binding = 2, std430) readonly buffer Data { double values[]; } data;
layout(set = 0, binding = 3) uniform samplerBuffer lookup;
layout(set = 0, binding = 4, r32ui) uniform uimageBuffer histogram;
layout(set = 0, binding = 5, rgba32f) uniform image3D volume;
layout(set = 0, binding = 6, r32i) uniform iimage2D scratch;

void put(writeonly image3D img, ivec3 p, vec4 v) {
  imageStore(img, p, v);
}

void main() {
  uint i = gl_GlobalInvocationID.x;
  atomicAdd(counters.hits, 1u);
  lengths.length_of_data = uint(data.values.length());
  vec4 t = texelFetch(lookup, int(i));
  imageAtomicAdd(histogram, int(i), 1u);
  put(volume, ivec3(i), t * float(data.values[i]));
  ivec2 size = imageSize(scratch);
  if (size.x < 0) atomicAdd(counters.misses, 1u);
}
