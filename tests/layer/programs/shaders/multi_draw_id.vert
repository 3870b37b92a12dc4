#version 460
// multi_draw.vert with the colour from gl_DrawID instead of the column (the same picture when the
// multi-draw is drawn whole): the layer must not replay one of its draws alone, which would renumber it.
layout(push_constant) uniform Push { float columns; } push;
layout(location = 0) flat out vec4 colour;
const vec4 kColours[3] = vec4[3](vec4(1, 0, 0, 1), vec4(0, 1, 0, 1), vec4(0, 0, 1, 1));
const vec2 kCorners[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(0, 1), vec2(1, 0), vec2(1, 1), vec2(0, 1));
void main() {
  int column = gl_VertexIndex / 6;
  vec2 corner = kCorners[gl_VertexIndex % 6];
  float x = (float(column) + corner.x) / push.columns * 2.0 - 1.0;
  gl_Position = vec4(x, corner.y * 2.0 - 1.0, 0.0, 1.0);
  colour = kColours[gl_DrawID % 3];
}
