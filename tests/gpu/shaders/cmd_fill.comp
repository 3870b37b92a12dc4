#version 450
// values[i] = i * mul + add: index-derived, so a readback shows which invocations ran.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0, std430) buffer Out { uint values[]; };
layout(push_constant) uniform Push { uint count; uint mul; uint add; } pc;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < pc.count) values[i] = i * pc.mul + pc.add;
}
