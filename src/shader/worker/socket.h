// The compile worker's Unix socket: where it lives, connecting (only to a worker of this user),
// listening (replacing a stale socket file, refusing a live one), and whole messages over it.
#pragma once

#include <string>
#include <string_view>

namespace kiln::shader_worker {

// $XDG_RUNTIME_DIR/kiln-shader-worker.sock, else /tmp/kiln-shader-worker-UID.sock.
std::string default_socket();

// Whether the process at the other end of `fd` runs as this user (SO_PEERCRED).
bool peer_is_same_user(int fd);

// Sends and receives on `fd` give up after `seconds` (SO_SNDTIMEO / SO_RCVTIMEO).
void set_timeouts(int fd, double seconds);

// A socket connected to `path` whose peer runs as this user, with send and receive timeouts of
// `timeout_seconds`; -1 when nothing answers there (or another user does).
int connect_socket(const std::string& path, double timeout_seconds);

// A socket listening at `path`. A socket file nobody answers on (a worker that died) is replaced.
// Throws kiln::Error when a worker answers there already ("already running"), or the socket cannot
// be made (the message names the path and the system's words).
int listen_socket(const std::string& path);

// One message: a u64 length, then the bytes. False on any error, a short read, or a length over
// `max_bytes`.
bool send_message(int fd, std::string_view bytes);
bool recv_message(int fd, std::string* out, size_t max_bytes);

}  // namespace kiln::shader_worker
