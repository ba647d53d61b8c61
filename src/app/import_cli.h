// `postamt import maildir|mbox` and `postamt export` as the command line runs them
// (src/admin/import.h, src/admin/export.h): configuration, backends, the progress bar on
// a terminal, the report on standard output and the exit code.
//
// Exit codes: 0 everything was imported (or had been before) / exported; 1 an error
// stopped the command (standard error says which; what was imported stays, and running
// the import again goes on from there); 3 the command finished but left messages out
// (the report names each and why).
#pragma once

#include <string>

#include "admin/export.h"
#include "admin/import.h"

namespace postamt::app {

inline constexpr int kExitSkipped = 3;

int run_import(const std::string& config_path, admin::ImportOptions options);
int run_export(const std::string& config_path, const admin::ExportOptions& options);

}  // namespace postamt::app
