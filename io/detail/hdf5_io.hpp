// HDF5 building blocks shared by the results store, its reader and the shard merge: files,
// attributes, chunked column datasets, virtual datasets. Private to io/ (includes hdf5.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/detail/hdf5_handle.hpp"
#include "io/results_store.hpp"

namespace eyesweep::detail {

/// Prepares the HDF5 library once per process (call before any other HDF5 call): failures
/// are reported as exceptions, not printed; no shutdown handler at exit.
void silence_hdf5_errors();

/// Creates (truncating) an HDF5 file for writing. HDF5's own file lock is off so that readers
/// (h5py, h5dump, `eyesweep inspect`) can look at a running sweep; the journal lock keeps writers out.
H5Handle create_h5_file(const std::filesystem::path& file);
/// Opens an existing HDF5 file; throws InputError naming it when it is missing or not HDF5.
H5Handle open_h5_file(const std::filesystem::path& file, bool writable);

/// Writes (replacing) attributes on an object; strings are variable-length UTF-8.
void write_attributes(hid_t object, const Attributes& attributes, const std::string& context);
/// Reads every attribute of an object; InputError naming `context` for types outside AttributeValue.
Attributes read_attributes(hid_t object, const std::string& context);

/// Rows per chunk of a column: about 1 MiB per chunk, at most 64 Ki rows.
hsize_t chunk_rows(const ColumnSpec& spec);
/// File datatype of a column.
H5Handle file_type(ColumnType type);

/// Creates the dataset `spec.path` under `parent` (groups created as needed) holding `rows` rows:
/// chunked, shuffle + deflate 4, unlimited first dimension; with units/description/labels attributes.
H5Handle create_column(hid_t parent, const ColumnSpec& spec, hsize_t rows, const std::string& context);
/// Writes the column's attributes (units, description, labels) on a dataset.
void write_column_attributes(hid_t dataset, const ColumnSpec& spec, const std::string& context);
/// Writes `count` rows of `data` starting at value row `data_first_row` into rows [first, first + count)
/// of a dataset, extending it when `extend` is set.
void write_rows(hid_t dataset, const ColumnSpec& spec, hsize_t first, const ColumnData& data,
                std::size_t data_first_row, std::size_t count, bool extend, const std::string& context);

/// Replaces `group` under `file` by a group of fixed datasets and group attributes.
void write_group_datasets(hid_t file, const std::string& group,
                          const std::vector<std::pair<ColumnSpec, ColumnData>>& datasets,
                          const Attributes& attributes, const std::string& context);

/// Type, width and attributes of the dataset at `path`.
ColumnSpec read_spec(hid_t file, const std::string& path, const std::string& context);
/// Number of rows (first dimension) of the dataset at `path`.
std::uint64_t dataset_rows(hid_t file, const std::string& path, const std::string& context);
/// Rows [first, first + count) of the dataset at `path`.
ColumnData read_rows(hid_t file, const std::string& path, std::uint64_t first, std::uint64_t count,
                     const std::string& context);

/// One source of a virtual dataset: rows [first_row, first_row + rows) come from `dataset` in `file`.
struct VirtualSource {
  std::string file;  ///< as stored in the virtual dataset: relative to the merged file's directory
  std::string dataset;
  hsize_t first_row = 0;
  hsize_t rows = 0;
};
/// Creates a virtual dataset `spec.path` of `total_rows` rows mapping the sources.
void create_virtual_column(hid_t file, const ColumnSpec& spec, hsize_t total_rows,
                           const std::vector<VirtualSource>& sources, const std::string& context);

/// Empty data of the column type.
ColumnData empty_column(ColumnType type);
/// Number of values in a ColumnData.
std::size_t column_size(const ColumnData& data);

/// Flushes a file to the OS and then to the disk (fsync), so that a rename or journal removal after
/// it cannot leave a half-written file behind.
void sync_file(const std::filesystem::path& file);
/// fsync of the directory holding `file`, making a rename or unlink in it durable.
void sync_directory_of(const std::filesystem::path& file);

}  // namespace eyesweep::detail
