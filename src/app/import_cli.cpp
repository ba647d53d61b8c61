#include "app/import_cli.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "app/backends.h"
#include "base/config.h"
#include "base/strings.h"

namespace postamt::app {
namespace {

int fail(std::string_view message) {
  for (std::string_view line : split(message, '\n')) fmt::print(stderr, "postamt: {}\n", line);
  return 1;
}

size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 80;
}

// Redraws the bar at most ten times a second, and at the end.
class ProgressBar {
 public:
  void operator()(const admin::ImportProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (p.done != p.total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    fmt::print(stderr, "{}", admin::progress_bar(p, width_));
    std::fflush(stderr);
    drawn_ = true;
  }
  void end() {
    if (drawn_) fmt::print(stderr, "\n");
  }

 private:
  size_t width_ = terminal_width();
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace

int run_import(const std::string& config_path, admin::ImportOptions options) {
  auto config = load_config(config_path);
  if (!config) return fail(config.error().message);
  auto backends = open_backends(*config);
  if (!backends) return fail(backends.error().message);
  options.max_message_size = config->imap.max_literal;
  options.journal_folder = config->data_dir / "import";
  ProgressBar bar;
  admin::ImportProgressSink sink;
  // A bar only on a terminal; otherwise the report's lines are the whole output.
  if (::isatty(STDERR_FILENO)) sink = [&bar](const admin::ImportProgress& p) { bar(p); };
  auto report = admin::import_mail(*backends->store, *backends->blobs, options, sink);
  bar.end();
  if (!report) return fail(report.error().message);
  fmt::print("{}", admin::format_import_report(*report));
  return report->skipped.empty() ? 0 : kExitSkipped;
}

int run_export(const std::string& config_path, const admin::ExportOptions& options) {
  auto config = load_config(config_path);
  if (!config) return fail(config.error().message);
  auto backends = open_backends(*config);
  if (!backends) return fail(backends.error().message);
  auto report = admin::export_mail(*backends->store, *backends->blobs, options);
  if (!report) return fail(report.error().message);
  fmt::print("{}", admin::format_export_report(*report));
  return report->skipped.empty() ? 0 : kExitSkipped;
}

}  // namespace postamt::app
