#version 450
// The compute_headless pattern: a colour gradient shaded by concentric rings, one invocation a pixel.
// tests/examples/compare_png.cpp checks the same formula on the CPU: keep the two in step.
layout(local_size_x = 16, local_size_y = 16) in;
layout(set = 0, binding = 0, rgba8) uniform writeonly image2D target;

void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(target);
  if (any(greaterThanEqual(p, size))) return;
  vec2 uv = (vec2(p) + 0.5) / vec2(size);
  float rings = 0.5 + 0.5 * cos(60.0 * distance(uv, vec2(0.5)));
  vec3 color = vec3(uv.x, uv.y, 1.0 - uv.x) * (0.6 + 0.4 * rings);
  imageStore(target, p, vec4(color, 1.0));
}
