#version 450
// Program test: set 0 shared with prog_share_b.comp ("global constants"); set 1 its own output.
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) uniform Globals { uint base; } globals;
layout(set = 1, binding = 0) writeonly buffer Out { uint values[]; } out_a;

void main() { out_a.values[gl_GlobalInvocationID.x] = globals.base + gl_GlobalInvocationID.x; }
