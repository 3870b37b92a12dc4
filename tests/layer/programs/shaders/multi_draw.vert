#version 460
// layer_multi_draw's draws: each paints one pixel column, the column from the first vertex (6 vertices,
// two triangles, per column), the colour from the column: red, green, blue, red.
layout(push_constant) uniform Push { float columns; } push;
layout(location = 0) flat out vec4 colour;
const vec4 kColours[3] = vec4[3](vec4(1, 0, 0, 1), vec4(0, 1, 0, 1), vec4(0, 0, 1, 1));
const vec2 kCorners[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(0, 1), vec2(1, 0), vec2(1, 1), vec2(0, 1));
void main() {
  int column = gl_VertexIndex / 6;
  vec2 corner = kCorners[gl_VertexIndex % 6];
  float x = (float(column) + corner.x) / push.columns * 2.0 - 1.0;
  gl_Position = vec4(x, corner.y * 2.0 - 1.0, 0.0, 1.0);
  colour = kColours[column % 3];
}
