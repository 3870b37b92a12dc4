#version 450
// The colour the draw's push constants give: layer_suspend's three draws each paint their own.
layout(push_constant) uniform Push { vec4 colour; } push;
layout(location = 0) out vec4 colour;
void main() { colour = push.colour; }
