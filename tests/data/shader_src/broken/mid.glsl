// Included by nested_error.frag; includes the broken helper on line 3.
#define MID_INCLUDED 1
#include "bad_helper.glsl"
