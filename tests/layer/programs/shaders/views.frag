#version 450
#extension GL_EXT_multiview : require
// Each view its own colour, so that a capture which mixed up the layers of a multiview attachment
// would show it: view 0 red, view 1 blue.
layout(location = 0) out vec4 colour;
void main() {
  colour = gl_ViewIndex == 0 ? vec4(1.0, 0.0, 0.0, 1.0) : vec4(0.0, 0.0, 1.0, 1.0);
}
