#version 450
layout(location = 0) out vec4 out_color;
void main() {
  float x = 1.0;
  out_color = vec4(x, undefined_thing, 0.0, 1.0);
}
