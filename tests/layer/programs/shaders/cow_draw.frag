#version 450
// layer_cow's draw_static: each pixel of the small target is one texel of the static texture (every
// `stride`-th), fetched unfiltered so the target's bytes are the texture's bytes.
layout(set = 0, binding = 0) uniform sampler2D tex;
layout(push_constant) uniform Push { int stride; } push;
layout(location = 0) out vec4 color;
void main() { color = texelFetch(tex, ivec2(gl_FragCoord.xy) * push.stride, 0); }
