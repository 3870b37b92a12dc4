#version 450
// A full-screen triangle without a vertex buffer (the positions come from the vertex index).
void main() {
  vec2 pos = vec2(gl_VertexIndex == 1 ? 3.0 : -1.0, gl_VertexIndex == 2 ? 3.0 : -1.0);
  gl_Position = vec4(pos, 0.0, 1.0);
}
