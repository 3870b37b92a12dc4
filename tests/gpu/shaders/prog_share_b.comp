#version 450
// Program test: the same set 0 as prog_share_a.comp, a different computation.
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) uniform Globals { uint base; } globals;
layout(set = 1, binding = 0) writeonly buffer Out { uint values[]; } out_b;

void main() { out_b.values[gl_GlobalInvocationID.x] = globals.base * 2u + gl_GlobalInvocationID.x; }
