#version 450
// Program test: a uniform block member set by name and a push constant, written to a storage buffer.
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform Params { float scale; uint count; } params;
layout(set = 0, binding = 1) writeonly buffer Out { float values[]; } out_buf;
layout(push_constant) uniform Push { float offset; } push;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= params.count) return;
  out_buf.values[i] = float(i) * params.scale + push.offset;
}
