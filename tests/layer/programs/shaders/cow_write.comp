#version 450
// A later writer in layer_cow: stores a pattern into the buffer the hooked dispatch read.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) writeonly buffer Target { uint v[]; } target;
layout(push_constant) uniform Push { uint seed; } push;
void main() {
  uint i = gl_GlobalInvocationID.x;
  target.v[i] = (i * 2654435761u) ^ push.seed;
}
