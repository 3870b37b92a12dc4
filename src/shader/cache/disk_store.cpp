#include "shader/cache/disk_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "kiln/log.h"

namespace kiln::shader_cache {
namespace {

// Test-only: KILN_SHADER_CACHE_TEST_ABORT_MIDWRITE=1 makes a writer die (exit code 9) after half of a
// temporary file, as a process killed mid-write would; tests/cache checks that nobody sees it.
bool abort_midwrite() {
  static const bool on = [] {
    const char* v = std::getenv("KILN_SHADER_CACHE_TEST_ABORT_MIDWRITE");
    return v && v[0] == '1';
  }();
  return on;
}

timespec now() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}


struct FileInfo {
  std::string name;
  uint64_t size = 0;
  timespec mtime{};
};

// Entries and temporaries of `dir`; everything else is left alone.
void list_dir(const std::string& dir, std::vector<FileInfo>* entries, std::vector<FileInfo>* temps) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* de = readdir(d)) {
    std::string_view name = de->d_name;
    bool entry = is_entry_name(name);
    if (!entry && !is_temp_name(name)) continue;
    struct stat st {};
    if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    FileInfo info{std::string(name), static_cast<uint64_t>(st.st_size), st.st_mtim};
    (entry ? entries : temps)->push_back(std::move(info));
  }
  closedir(d);
}

// ".tmp-<key>-<pid>-<thread>-<n>": the writer's pid.
long temp_owner(std::string_view name) {
  size_t a = name.find('-', 5);
  if (a == std::string_view::npos) return -1;
  return std::strtol(std::string(name.substr(a + 1)).c_str(), nullptr, 10);
}

}  // namespace

bool read_file(const std::string& path, std::string& out, int* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = S_ISREG(st.st_mode) ? errno : EISDIR;
    ::close(fd);
    return false;
  }
  out.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  ::close(fd);
  return true;
}

bool is_entry_name(std::string_view name) {
  return name.size() == 32 &&
         std::all_of(name.begin(), name.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_temp_name(std::string_view name) { return name.starts_with(".tmp-"); }

DiskStore::DiskStore(std::string directory, bool sync_writes)
    : directory_(std::move(directory)), sync_writes_(sync_writes) {}

std::string DiskStore::path_for(const Hash128& key) const { return directory_ + "/" + key.hex(); }

std::optional<CacheEntry> DiskStore::read(const Hash128& key) {
  std::string path = path_for(key);
  thread_local std::string bytes;
  int err = 0;
  if (!read_file(path, bytes, &err)) {
    if (err != ENOENT) log(LogLevel::Warn, str("shader cache: cannot read ", path, ": ", std::strerror(err)));
    return std::nullopt;
  }
  CacheEntry entry;
  std::string problem = decode_entry(bytes, &key, &entry);
  if (bytes.size() > (1u << 20)) std::string().swap(bytes);  // do not pin a huge buffer per thread
  if (!problem.empty()) {
    corrupt_.fetch_add(1);
    log(LogLevel::Warn, str("shader cache: corrupt entry ", path, ": ", problem, "; removed, recompiling"));
    ::unlink(path.c_str());
    return std::nullopt;
  }
  return entry;
}

uint64_t DiskStore::write(const CacheEntry& entry) {
  static std::atomic<uint64_t> counter{0};
  std::string bytes = encode_entry(entry);
  std::string final_path = path_for(entry.key);
  std::string temp = str(directory_, "/.tmp-", entry.key.hex(), "-", ::getpid(), "-",
                         std::hash<std::thread::id>{}(std::this_thread::get_id()) & 0xFFFFFFFF, "-",
                         counter.fetch_add(1));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  }
  if (fd < 0) {
    log_once(LogLevel::Warn, str("shader-cache-write:", directory_),
             str("shader cache: cannot write in ", directory_, ": ", std::strerror(errno), " (entries stay in memory)"));
    return 0;
  }
  if (abort_midwrite()) {
    write_all(fd, bytes.data(), bytes.size() / 2);
    std::_Exit(9);
  }
  timespec times[2] = {now(), now()};
  bool ok = write_all(fd, bytes.data(), bytes.size()) && (!sync_writes_ || ::fsync(fd) == 0) &&
            ::futimens(fd, times) == 0;
  int err = errno;
  ok = (::close(fd) == 0) && ok;
  if (ok && ::rename(temp.c_str(), final_path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    log(LogLevel::Warn, str("shader cache: writing ", final_path, " failed: ", std::strerror(err)));
  }
  return ok ? bytes.size() : 0;
}

void DiskStore::touch(const Hash128& key) {
  timespec times[2] = {now(), now()};
  ::utimensat(AT_FDCWD, path_for(key).c_str(), times, 0);
}

bool DiskStore::scan_due(uint64_t max_bytes, uint64_t written) {
  uint64_t estimate = estimate_.fetch_add(written) + written;
  uint32_t stores = stores_since_scan_.fetch_add(1) + 1;
  return !scanned_.load() || estimate > max_bytes - max_bytes / 8 || stores >= 32;
}

uint64_t DiskStore::evict_to(uint64_t max_bytes, const Hash128* keep) {
  std::lock_guard lock(evict_mutex_);
  std::vector<FileInfo> entries, temps;
  list_dir(directory_, &entries, &temps);
  scanned_.store(true);
  stores_since_scan_.store(0);

  timespec t = now();
  for (const FileInfo& f : temps) {
    long pid = temp_owner(f.name);
    bool owner_dead = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    if (owner_dead || t.tv_sec - f.mtime.tv_sec > 3600) ::unlink((directory_ + "/" + f.name).c_str());
  }

  uint64_t total = 0;
  for (const FileInfo& f : entries) total += f.size;
  estimate_.store(total);
  if (total <= max_bytes) return 0;

  std::string keep_name = keep ? keep->hex() : std::string();
  std::sort(entries.begin(), entries.end(), [&](const FileInfo& a, const FileInfo& b) {
    bool ka = a.name == keep_name, kb = b.name == keep_name;
    if (ka != kb) return kb;  // the kept one sorts last
    if (a.mtime.tv_sec != b.mtime.tv_sec) return a.mtime.tv_sec < b.mtime.tv_sec;
    if (a.mtime.tv_nsec != b.mtime.tv_nsec) return a.mtime.tv_nsec < b.mtime.tv_nsec;
    return a.name < b.name;
  });
  uint64_t evicted = 0;
  for (const FileInfo& f : entries) {
    if (total <= max_bytes || f.name == keep_name) break;
    // Another process may have removed it already; it is gone either way.
    if (::unlink((directory_ + "/" + f.name).c_str()) == 0) ++evicted;
    total -= f.size;
  }
  estimate_.store(total);
  return evicted;
}

DiskStore::Usage DiskStore::usage() const {
  std::vector<FileInfo> entries, temps;
  list_dir(directory_, &entries, &temps);
  Usage u;
  u.entries = entries.size();
  for (const FileInfo& f : entries) u.bytes += f.size;
  u.temp_files = temps.size();
  return u;
}

void DiskStore::clear() {
  std::lock_guard lock(evict_mutex_);
  std::vector<FileInfo> entries, temps;
  list_dir(directory_, &entries, &temps);
  for (const auto* list : {&entries, &temps}) {
    for (const FileInfo& f : *list) ::unlink((directory_ + "/" + f.name).c_str());
  }
}

}  // namespace kiln::shader_cache
