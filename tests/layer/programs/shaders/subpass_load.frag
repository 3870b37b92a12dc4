#version 450
// The second subpass: reads what the first drew (an input attachment) and writes it with its channels
// rotated, a change no channel value survives unnoticed (a plain copy would show).
layout(input_attachment_index = 0, set = 0, binding = 0) uniform subpassInput scene;
layout(location = 0) out vec4 color;
void main() { color = subpassLoad(scene).gbar; }
