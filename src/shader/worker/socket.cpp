#include "shader/worker/socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln::shader_worker {

namespace {

bool make_address(const std::string& path, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr->sun_path)) return false;
  std::memcpy(addr->sun_path, path.c_str(), path.size() + 1);
  return true;
}


bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = send(fd, p, n, MSG_NOSIGNAL);  // a peer gone is an error, not SIGPIPE
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

bool read_all(int fd, char* p, size_t n) {
  while (n > 0) {
    const ssize_t r = recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

}  // namespace

std::string default_socket() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime && *runtime) return std::string(runtime) + "/kiln-shader-worker.sock";
  return "/tmp/kiln-shader-worker-" + std::to_string(getuid()) + ".sock";
}

void set_timeouts(int fd, double seconds) {
  timeval tv{};
  tv.tv_sec = time_t(seconds);
  tv.tv_usec = suseconds_t((seconds - double(tv.tv_sec)) * 1e6);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

bool peer_is_same_user(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == getuid();
}

int connect_socket(const std::string& path, double timeout_seconds) {
  sockaddr_un addr;
  if (!make_address(path, &addr)) return -1;
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 || !peer_is_same_user(fd)) {
    close(fd);
    return -1;
  }
  set_timeouts(fd, timeout_seconds);
  return fd;
}

int listen_socket(const std::string& path) {
  sockaddr_un addr;
  if (!make_address(path, &addr)) {
    throw Error(str("shader worker socket '", path, "': a Unix socket path must be 1 to ", sizeof(addr.sun_path) - 1,
                    " bytes long"));
  }
  const int live = connect_socket(path, 1.0);
  if (live >= 0) {
    close(live);
    throw Error(str("a shader worker is already running on '", path, "'"));
  }
  struct stat st{};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw Error(str("'", path, "' exists and is not a socket: not replacing it"));
    unlink(path.c_str());  // stale: its worker is gone
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(str("socket() for the shader worker failed: ", std::strerror(errno)));
  // Only this user may connect: the file's mode keeps others from trying, and the worker checks
  // each peer anyway (the mode is set after bind, and umask would change every thread's files).
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 || chmod(path.c_str(), 0600) != 0 ||
      listen(fd, 64) != 0) {
    const int err = errno;
    close(fd);
    throw Error(str("cannot listen on '", path, "': ", std::strerror(err)));
  }
  return fd;
}

bool send_message(int fd, std::string_view bytes) {
  const uint64_t n = bytes.size();
  return write_all(fd, reinterpret_cast<const char*>(&n), 8) && write_all(fd, bytes.data(), bytes.size());
}

bool recv_message(int fd, std::string* out, size_t max_bytes) {
  uint64_t n = 0;
  if (!read_all(fd, reinterpret_cast<char*>(&n), 8) || n > max_bytes) return false;
  out->resize(size_t(n));
  return read_all(fd, out->data(), size_t(n));
}

}  // namespace kiln::shader_worker
