// `postamt backup DEST`, `postamt backup --verify SRC` (= `postamt restore --check SRC`)
// and `postamt restore SRC [--force]`: admin/backup.h with the concrete pieces wired in
// (the SQLite copy of store/sqlite/sqlite_backup.h, the outbound queue's lock, the
// configured TLS files). Blocking; each returns the text to print.
#pragma once

#include <filesystem>
#include <string>

#include "admin/backup.h"
#include "base/config.h"
#include "base/result.h"

namespace postamt::app {

Result<std::string> backup_data_dir(const Config& config, const std::filesystem::path& dest);
Result<std::string> check_backup_folder(const std::filesystem::path& src);
Result<std::string> restore_data_dir(const Config& config, const std::filesystem::path& src,
                                     admin::Overwrite overwrite,
                                     admin::UidValidities uid_validities);

}  // namespace postamt::app
