#version 450
// A later writer in layer_cow: stores a pattern into the texture the hooked dispatch sampled.
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0, rgba8) uniform writeonly image2D target;
layout(push_constant) uniform Push { uint seed; uint width; } push;
void main() {
  uvec2 p = gl_GlobalInvocationID.xy;
  uint i = p.y * push.width + p.x;
  imageStore(target, ivec2(p), unpackUnorm4x8((i * 2654435761u) ^ push.seed));
}
