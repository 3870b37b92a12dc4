// kiln capture: runs a program with the capture layer (VK_LAYER_KILN_capture) enabled, selecting one
// command, and prints what the layer captured. The layer does the work inside the program; this file only
// finds the layer, sets the environment, runs the program and reads capture.json. docs/capture.md.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/capture_spec.h"
#include "cli/command.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kExitNoMatch = 3;  // the spec matched no command of the frame
constexpr const char* kLayerName = "VK_LAYER_KILN_capture";

struct CaptureOptions {
  std::string spec;
  uint64_t frame = 0;  // 0: not given, the layer's default (the first frame)
  std::string when = "both";
  std::string cow = "on";
  std::string out = "kiln-capture";
  bool json = false;
  std::vector<std::string> program;
};

bool folder_has_manifest(const fs::path& folder) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find(kLayerName) != std::string::npos) return true;
  }
  return false;
}

// The folder holding VK_LAYER_KILN_capture's manifest, tried in this order (docs/capture.md):
//   1. $KILN_CAPTURE_LAYER_PATH, when set;
//   2. the build tree: <the kiln executable's folder>/../layers;
//   3. an install: <the kiln executable's folder>/../share/vulkan/explicit_layer.d.
// Empty when none holds it: the Vulkan loader's own search (explicit_layer.d under /etc, $XDG_DATA_DIRS,
// /usr/local/share, /usr/share) may still find an installed layer.
std::string find_layer_folder() {
  if (const char* env = std::getenv("KILN_CAPTURE_LAYER_PATH"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path bin = exe.parent_path();
  for (const fs::path& candidate : {bin / ".." / "layers", bin / ".." / "share" / "vulkan" / "explicit_layer.d"}) {
    if (folder_has_manifest(candidate)) return fs::weakly_canonical(candidate, ec).string();
  }
  return {};
}

std::string prepend(const char* variable, const std::string& value, char separator) {
  const char* old = std::getenv(variable);
  return (old && *old) ? value + separator + old : value;
}

std::string signal_text(int sig) {
  const char* name = sigabbrev_np(sig);
  return name ? str("signal ", sig, " (SIG", name, ")") : str("signal ", sig);
}

// Runs argv[0] (searched on PATH) with `env` added to kiln's environment and waits for it. Returns its
// exit status; a program killed by a signal or that could not start is reported in `failure`.
int run_program(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
                std::string* failure) {
  // The child reports a failed exec through this pipe; close-on-exec makes a successful exec close it.
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) throw Error(str("pipe: ", std::strerror(errno)));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw Error(str("fork: ", std::strerror(errno)));
  if (pid == 0) {
    close(report[0]);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    execvp(args[0], args.data());
    const int err = errno;
    [[maybe_unused]] ssize_t n = write(report[1], &err, sizeof err);
    _exit(127);
  }
  close(report[1]);
  int exec_errno = 0;
  const ssize_t got = read(report[0], &exec_errno, sizeof exec_errno);
  close(report[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got == ssize_t(sizeof exec_errno)) {
    *failure = str("cannot run '", argv[0], "': ", std::strerror(exec_errno));
    return 127;
  }
  if (WIFSIGNALED(status)) {
    *failure = str("'", argv[0], "' was killed by ", signal_text(WTERMSIG(status)));
    return 128 + WTERMSIG(status);
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (code != 0) *failure = str("'", argv[0], "' exited with status ", code);
  return code;
}

std::string short_format(const std::string& format) {
  const std::string prefix = "VK_FORMAT_";
  return format.rfind(prefix, 0) == 0 ? format.substr(prefix.size()) : format;
}

std::string human_bytes(uint64_t bytes) {
  if (bytes < 10 * 1024) return str(bytes, " B");
  if (bytes < 10ull * 1024 * 1024) return str((bytes + 512) / 1024, " KiB");
  return str((bytes + (512ull << 10)) >> 20, " MiB");
}

std::string text(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string resource_size(const Json& r) {
  if (text(r, "kind") == "image") {
    const Json& e = r.value("extent", Json::array({0, 0, 1}));
    std::string s = str(short_format(text(r, "format")), " ", e[0].get<uint64_t>(), "x", e[1].get<uint64_t>());
    if (e[2].get<uint64_t>() > 1) s += str("x", e[2].get<uint64_t>());
    if (r.value("mip", 0u)) s += str(" mip ", r.value("mip", 0u));
    if (r.value("layer", 0u)) s += str(" layer ", r.value("layer", 0u));
    return s;
  }
  return str(human_bytes(r.value("size", uint64_t(0))), " at ", r.value("offset", uint64_t(0)));
}

// The short table of `kiln capture` (docs/capture.md shows one).
void print_capture(const Json& j, const std::string& folder) {
  std::printf("captured %s in frame %llu: %s\n", text(j, "spec").c_str(),
              static_cast<unsigned long long>(j.value("frame", uint64_t(0))), text(j, "command").c_str());
  if (!text(j, "label_path").empty()) std::printf("  inside %s\n", text(j, "label_path").c_str());
  if (j.contains("pipeline") && j["pipeline"].is_object()) {
    const Json& p = j["pipeline"];
    std::string stages;
    for (const Json& s : p.value("stages", Json::array())) {
      stages += str(", ", text(s, "stage"), " ", text(s, "entry"), text(s, "module").empty() ? "" : " in ", text(s, "module"));
    }
    std::printf("  pipeline: %s (%s%s)\n", text(p, "name").c_str(), text(p, "bind_point").c_str(), stages.c_str());
  }
  const Json resources = j.value("resources", Json::array());
  std::vector<std::vector<std::string>> rows = {{"ROLE", "NAME", "FORMAT / SIZE", "WRITTEN", "COPIED", "FILES"}};
  for (const Json& r : resources) {
    std::string name = text(r, "name");
    if (!text(r, "debug_name").empty()) name += str(" '", text(r, "debug_name"), "'");
    std::string files;
    for (const char* when : {"before", "after"}) {
      if (r.contains(when) && r[when].is_string()) files += str(files.empty() ? "" : " ", r[when].get<std::string>());
    }
    // When the layer copied it: as the command ran, or (copy-on-write) later, before something changed
    // it, or never, read from the untouched resource when the capture was written.
    std::string copied = text(r, "copy").empty() ? "at the command"
                         : text(r, "copy") == "untouched" ? "untouched, read after"
                                                          : str("before a ", text(r, "copy"), " write");
    if (r.value("role", std::string()) == "push_constants") copied = "-";
    rows.push_back({text(r, "role"), name, resource_size(r), r.value("written", false) ? "yes" : "no", copied, files});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::printf("%zu resource%s:\n", resources.size(), resources.size() == 1 ? "" : "s");
  for (const auto& row : rows) {
    std::string line = " ";
    for (size_t c = 0; c < row.size(); ++c) {
      line += " " + row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size(), ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  for (const Json& note : j.value("notes", Json::array())) std::printf("note: %s\n", note.get<std::string>().c_str());
  const uint64_t deferred = j.value("bytes_deferred", uint64_t(0));
  std::printf("written to %s/ (the GPU copied %s as the command ran%s)\n", folder.c_str(),
              human_bytes(j.value("bytes_copied", uint64_t(0))).c_str(),
              deferred ? str("; copy-on-write deferred ", human_bytes(deferred), " of read-only resources").c_str() : "");
}

int run_capture(const CaptureOptions& o) {
  const char* missing = o.spec.empty() ? "--command SPEC is required (for example --command draw:1)"
                        : o.program.empty() ? "PROGRAM is required: kiln capture --command SPEC -- PROGRAM ARGS..."
                                            : nullptr;
  if (missing) {
    std::fprintf(stderr, "kiln capture: %s\nRun 'kiln capture --help' for usage.\n", missing);
    return kExitUsage;
  }
  const fs::path out = fs::absolute(o.out);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error(str("cannot create '", out.string(), "': ", ec.message()));
  // A capture.json left from an earlier run must not pass for this run's.
  fs::remove(out / "capture.json", ec);

  std::vector<std::pair<std::string, std::string>> env = {
      {"VK_INSTANCE_LAYERS", prepend("VK_INSTANCE_LAYERS", kLayerName, ':')},
      {"KILN_CAPTURE_COMMAND", o.spec},
      {"KILN_CAPTURE_WHEN", o.when},
      {"KILN_CAPTURE_COW", o.cow},
      {"KILN_CAPTURE_OUT", out.string()},
  };
  if (o.frame) env.emplace_back("KILN_CAPTURE_FRAME", std::to_string(o.frame));
  const std::string layer_folder = find_layer_folder();
  if (!layer_folder.empty()) {
    env.emplace_back("VK_ADD_LAYER_PATH", prepend("VK_ADD_LAYER_PATH", layer_folder, ':'));
  } else {
    std::fprintf(stderr, "kiln capture: %s's manifest is neither in the build tree nor next to this install; "
                 "counting on the Vulkan loader to find it (set KILN_CAPTURE_LAYER_PATH to its folder)\n", kLayerName);
  }

  std::string failure;
  const int status = run_program(o.program, env, &failure);
  if (status == 127 && failure.rfind("cannot run", 0) == 0) throw Error(failure);

  const fs::path json_path = out / "capture.json";
  if (!fs::exists(json_path)) {
    std::fprintf(stderr, "kiln capture: no capture was written to %s%s%s\n", out.string().c_str(),
                 failure.empty() ? "" : ": ", failure.c_str());
    if (failure.empty()) {
      std::fprintf(stderr, "  did the program use Vulkan, and did it reach frame %llu? (is %s found? "
                   "VK_LOADER_DEBUG=layer shows the loader's search)\n",
                   static_cast<unsigned long long>(o.frame ? o.frame : 1), kLayerName);
    }
    return kExitFailure;
  }
  Json j;
  try {
    std::ifstream in(json_path);
    j = Json::parse(in);
  } catch (const std::exception& e) {
    throw Error(str("'", json_path.string(), "' is not valid JSON: ", e.what()));
  }

  if (j.contains("error")) {
    if (o.json) {
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::fprintf(stderr, "kiln capture: %s\n", text(j, "error").c_str());
      const Json commands = j.value("commands", Json::array());
      std::printf("the commands of frame %llu (%zu):\n", static_cast<unsigned long long>(j.value("frame", uint64_t(0))),
                  commands.size());
      for (const Json& c : commands) std::printf("  %s\n", c.is_string() ? c.get<std::string>().c_str() : c.dump().c_str());
    }
    if (!failure.empty()) std::fprintf(stderr, "kiln capture: %s\n", failure.c_str());
    return kExitNoMatch;
  }
  if (o.json) {
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    print_capture(j, out.string());
  }
  if (!failure.empty()) {
    std::fprintf(stderr, "kiln capture: %s (the capture above was written before)\n", failure.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Command add_capture_command(CLI::App& root) {
  auto o = std::make_shared<CaptureOptions>();
  CLI::App* app = root.add_subcommand(
      "capture", "Run a Vulkan program under the capture layer and capture what one command read and wrote");
  app->add_option("--command", o->spec, "Which command (required): draw:N, dispatch:N, copy:N, any:N (the Nth of the "
                  "frame, from 1) or label:NAME/draw:N (the Nth inside the debug-label region NAME)")
      ->type_name("SPEC")
      ->check(CLI::Validator([](std::string& spec) { return check_capture_spec(spec); }, "", "capture spec"));
  app->add_option("--frame", o->frame, "Which frame, counting from 1: by presents, or by submissions for programs "
                  "that never present (default 1)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app->add_option("--when", o->when, "Capture before the command, after it, or both (default both)")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"before", "after", "both"}));
  app->add_option("--cow", o->cow, "Copy-on-write: resources the command only reads are copied only if something "
                  "is about to change them, else read afterwards (on, the default), or copied as the command runs (off)")
      ->type_name("on|off")
      ->check(CLI::IsMember({"on", "off"}));
  app->add_option("--out", o->out, "Folder for capture.json and the files (default ./kiln-capture; its capture.json, "
                  "before/ and after/ are replaced)")
      ->type_name("DIR");
  app->add_flag("--json", o->json, "Print capture.json instead of a table (fields: docs/capture.md)");
  // Both required, but checked in run_capture: CLI11 would report a missing --command before an unknown
  // option, hiding the "did you mean" of a typo such as --comand.
  app->add_option("PROGRAM", o->program, "The program and its arguments, after --")->type_name("PROGRAM ARGS...");
  app->footer("Exit codes: 0 captured; 1 the program failed or wrote no capture; 2 usage error; 3 the spec matched "
              "no command (the frame's commands are listed).\nExample: kiln capture --command draw:1 -- vkcube --c 3\n"
              "The layer is looked for in $KILN_CAPTURE_LAYER_PATH, then next to this kiln (build tree or install); "
              "docs/capture.md.");
  return {app, [o] { return run_capture(*o); }};
}

}  // namespace kiln::cli
