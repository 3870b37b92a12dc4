// kiln: the command-line face of the toolkit. Dispatches to one subcommand per file (command.h).
// Usage errors say what was wrong and what would be right, and exit 2; runtime failures exit 1.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/seq_command.h"
#include "cli/version.h"
#include "cli/suggest.h"
#include "kiln/error.h"

namespace {

using kiln::cli::Command;

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> command_names(const std::vector<Command>& commands) {
  std::vector<std::string> names;
  for (const Command& c : commands) names.push_back(c.app->get_name());
  return names;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
    for (const std::string& n : opt->get_snames()) names.push_back("-" + n);
  }
  return names;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string best = kiln::cli::closest(word, candidates);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// Turns CLI11's parse error into a message naming the wrong word and the right ones.
int usage_error(const CLI::App& root, const std::vector<Command>& commands, const CLI::ParseError& e) {
  const CLI::App* active = nullptr;
  for (const Command& c : commands) {
    if (c.app->parsed()) active = c.app;
  }
  std::string who = active ? "kiln " + active->get_name() : "kiln";
  // Nested commands (kiln shader cache stats): report against the deepest one given.
  for (bool deeper = active != nullptr; deeper;) {
    deeper = false;
    for (const CLI::App* sub : active->get_subcommands({})) {
      if (sub->parsed()) {
        active = sub;
        who += " " + sub->get_name();
        deeper = true;
        break;
      }
    }
  }
  const CLI::App& app = active ? *active : root;
  const std::string help = "Run '" + who + " --help' for usage.";

  std::vector<std::string> extras = app.remaining();
  if (extras.empty() && active) extras = root.remaining();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) && !extras.empty()) {
    const std::string& word = extras.front();
    if (word.rfind('-', 0) == 0) {
      const std::vector<std::string> valid = option_names(app);
      std::fprintf(stderr, "%s: unknown option '%s'%s\nValid options: %s\n%s\n", who.c_str(), word.c_str(),
                   did_you_mean(word.substr(0, word.find('=')), valid).c_str(), join(valid, ", ").c_str(),
                   help.c_str());
    } else if (!app.get_subcommands({}).empty()) {
      std::vector<std::string> valid;
      for (const CLI::App* sub : app.get_subcommands({})) valid.push_back(sub->get_name());
      std::fprintf(stderr, "%s: unknown command '%s'%s\nValid commands: %s\n%s\n", who.c_str(), word.c_str(),
                   did_you_mean(word, valid).c_str(), join(valid, ", ").c_str(), help.c_str());
    } else {
      const bool takes_positionals = !app.get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
      std::fprintf(stderr, "%s: unexpected argument '%s'%s\n%s\n", who.c_str(), word.c_str(),
                   takes_positionals ? "" : " (this command takes no positional arguments)", help.c_str());
    }
    return kiln::cli::kExitUsage;
  }
  std::fprintf(stderr, "%s: %s\n%s\n", who.c_str(), e.what(), help.c_str());
  return kiln::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App root{"kiln: a C++ toolkit on Vulkan. Inspect devices and run GPU programs.", "kiln"};
  root.set_version_flag("--version", "kiln " KILN_VERSION);
  root.require_subcommand(0, 1);
  root.footer("Run 'kiln COMMAND --help' for a command's options.");

  const std::vector<Command> commands = {
      kiln::cli::add_info_command(root),
      kiln::cli::add_shader_command(root),
      kiln::cli::add_seqgen_command(root),
      kiln::cli::add_seqinfo_command(root),
      kiln::cli::add_capture_command(root),
  };

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return root.exit(e);  // --help, --version
    return usage_error(root, commands, e);
  }

  for (const Command& c : commands) {
    if (!c.app->parsed()) continue;
    try {
      return c.run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kiln %s: error: %s\n", c.app->get_name().c_str(), e.what());
      return kiln::cli::kExitFailure;
    }
  }
  std::fprintf(stderr, "kiln: no command given. Valid commands: %s\n\n%s", join(command_names(commands), ", ").c_str(),
               root.help().c_str());
  return kiln::cli::kExitUsage;
}
