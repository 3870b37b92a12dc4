#version 450
// Program test: a texture with its sampler, bound by name, times a tint from a uniform block.
layout(location = 0) in vec2 uv;
layout(location = 0) out vec4 color;
layout(set = 0, binding = 0) uniform sampler2D albedo;
layout(set = 0, binding = 1) uniform Tint { vec4 tint; };

void main() { color = texture(albedo, uv) * tint; }
