#version 450
// layer_cow's draw_static: one triangle that covers the whole target, no vertex buffer.
void main() {
  vec2 pos = vec2(float((gl_VertexIndex & 1) * 4 - 1), float((gl_VertexIndex & 2) * 2 - 1));
  gl_Position = vec4(pos, 0.0, 1.0);
}
