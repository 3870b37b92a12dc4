#version 450
// Program test: set 0 declared differently from prog_share_a.comp (share_set must refuse).
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) buffer Globals { uint base; } globals;
layout(set = 1, binding = 0) writeonly buffer Out { uint values[]; } out_c;

void main() { out_c.values[gl_GlobalInvocationID.x] = globals.base; }
