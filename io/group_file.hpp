// A small HDF5 file of named groups of fixed datasets (e.g. the statistical eyes of
// `eyesweep eye -o`), written whole: into a temporary file beside the target, synced, then
// renamed over it, so that a failure never leaves a partial file nor destroys an old one.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "io/results_store.hpp"

namespace eyesweep {

struct DatasetGroup {
  std::string path;  ///< relative to the root, e.g. "eyes/case_1"
  std::vector<std::pair<ColumnSpec, ColumnData>> datasets;
  Attributes attributes;
};

/// Writes `groups` and the root `attributes` (among them "format" = `format`) to `file`.
/// InputError naming the file when it exists and `overwrite` is false, or when it cannot be
/// written (the message says whether the disk may be full).
void write_group_file(const std::filesystem::path& file, const std::string& format,
                      const std::vector<DatasetGroup>& groups, const Attributes& attributes, bool overwrite);

/// Fails early, before a long computation, when write_group_file could not write `file`:
/// InputError naming `option` and the file. Leaves nothing behind.
void check_group_file_writable(const std::filesystem::path& file, bool overwrite, const std::string& option);

}  // namespace eyesweep
