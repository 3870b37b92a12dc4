#version 460
// particles_render.vert: camera-facing (or velocity-stretched) quads for the alive particles, expanded
// from gl_VertexIndex without a vertex buffer; soft-particle depth goes to the fragment stage.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "math.glsl"
#include "camera.glsl"

struct Particle {
  vec3 position;
  float age;
  vec3 velocity;
  float lifetime;
  vec4 color;
  float size;
  float rotation;
  float angular_velocity;
  uint flags;
};

layout(set = 1, binding = 0, std430) readonly buffer Particles { Particle particles[]; };
layout(set = 1, binding = 2, std430) readonly buffer AliveList { uint alive_count; uint alive_indices[]; };

layout(push_constant) uniform Push {
  uint mode;             // 0: billboard, 1: velocity stretched, 2: horizontal
  float stretch;
  uint atlas_columns;
  uint atlas_rows;
  float atlas_fps;
  float min_screen_size;
  vec2 pad;
} push;

layout(location = 0) out vec2 out_uv;
layout(location = 1) out vec2 out_uv_next;
layout(location = 2) out float out_frame_blend;
layout(location = 3) out vec4 out_color;
layout(location = 4) out float out_view_depth;

const vec2 CORNERS[6] = vec2[](vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, -1), vec2(1, 1), vec2(-1, 1));

vec2 atlas_uv(vec2 corner_uv, uint frame) {
  uint columns = max(push.atlas_columns, 1u);
  uint rows = max(push.atlas_rows, 1u);
  frame %= columns * rows;
  vec2 cell = vec2(frame % columns, frame / columns);
  return (cell + corner_uv) / vec2(columns, rows);
}

void main() {
  uint quad = uint(gl_VertexIndex) / 6u;
  uint corner_index = uint(gl_VertexIndex) % 6u;
  Particle p = particles[alive_indices[quad]];
  vec2 corner = CORNERS[corner_index];

  float s = sin(p.rotation), c = cos(p.rotation);
  vec2 rotated = mat2(c, s, -s, c) * corner;
  vec3 right = vec3(camera.view[0][0], camera.view[1][0], camera.view[2][0]);
  vec3 up = vec3(camera.view[0][1], camera.view[1][1], camera.view[2][1]);
  float size = p.size;

  vec3 offset;
  if (push.mode == 1u) {
    vec3 v = p.velocity;
    float speed = length(v);
    vec3 axis = speed > 1e-4 ? v / speed : up;
    vec3 to_camera = normalize(camera.position.xyz - p.position);
    vec3 side = safe_normalize(cross(axis, to_camera));
    offset = side * corner.x * size + axis * corner.y * size * (1.0 + speed * push.stretch);
  } else if (push.mode == 2u) {
    offset = vec3(rotated.x, 0.0, rotated.y) * size;
  } else {
    offset = (right * rotated.x + up * rotated.y) * size;
  }

  vec3 world = p.position + offset;
  vec4 view = camera.view * vec4(world, 1.0);
  vec4 clip = camera.projection * view;
  // Keep distant particles at least a few pixels large so they do not shimmer away.
  float screen_size = size * camera.projection[1][1] / max(clip.w, 1e-4) * camera.viewport_size.y;
  if (screen_size < push.min_screen_size) {
    clip.xy += corner * (push.min_screen_size - screen_size) * camera.inv_viewport_size * clip.w;
  }

  float t = p.age / max(p.lifetime, 1e-4);
  float frame_f = p.age * push.atlas_fps;
  uint frame = uint(frame_f);
  vec2 corner_uv = corner * 0.5 + 0.5;
  out_uv = atlas_uv(corner_uv, frame);
  out_uv_next = atlas_uv(corner_uv, frame + 1u);
  out_frame_blend = fract(frame_f);
  out_color = p.color * vec4(1.0, 1.0, 1.0, 1.0 - t * t);
  out_view_depth = -view.z;
  gl_Position = clip;
}
