// See group_file.hpp.
#include "io/group_file.hpp"

#include <unistd.h>

#include <fstream>
#include <system_error>

#include "io/detail/hdf5_io.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

std::filesystem::path temporary_beside(const std::filesystem::path& file) {
  return file.string() + ".partial-" + std::to_string(::getpid());
}

}  // namespace

void check_group_file_writable(const std::filesystem::path& file, bool overwrite, const std::string& option) {
  const std::string where = option + " " + file.string();
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir)) throw InputError(where + ": directory " + dir.string() + " does not exist");
  if (std::filesystem::exists(file) && !overwrite) {
    throw InputError(where + ": the file exists (use --force to replace it)");
  }
  const std::filesystem::path probe = temporary_beside(file);
  const bool writable = static_cast<bool>(std::ofstream(probe));
  std::error_code ignored;
  std::filesystem::remove(probe, ignored);
  if (!writable) throw InputError(where + ": cannot write in " + dir.string());
}

void write_group_file(const std::filesystem::path& file, const std::string& format,
                      const std::vector<DatasetGroup>& groups, const Attributes& attributes, bool overwrite) {
  check_group_file_writable(file, overwrite, "output");
  const std::filesystem::path partial = temporary_beside(file);
  try {
    {
      detail::H5Handle h5 = detail::create_h5_file(partial);
      Attributes root = attributes;
      root["format"] = format;
      detail::write_attributes(h5.get(), root, file.string());
      for (const DatasetGroup& group : groups) {
        detail::write_group_datasets(h5.get(), group.path, group.datasets, group.attributes, file.string());
      }
      if (h5.close_checked() < 0) throw std::runtime_error("closing failed");
    }
    detail::sync_file(partial);
    std::filesystem::rename(partial, file);
    detail::sync_directory_of(file);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    throw InputError(file.string() + ": writing the HDF5 file failed (" + e.what() + "); is the disk full?");
  }
}

}  // namespace eyesweep
