// The resumable HDF5 results store of sweeps: an append-only table of columns in one HDF5 file,
// backed by a CRC-checked journal so that a crash at any moment loses no completed block.
// Owns the file format described in docs/hdf5-schema.md ("Storage").
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace eyesweep {

enum class ColumnType { f64, i64, u64, i8, text };

struct ColumnSpec {
  /// Dataset path relative to the root (or to the group in write_group), e.g. "results/com_dB";
  /// intermediate groups are created as needed.
  std::string path;
  ColumnType type = ColumnType::f64;
  std::size_t width = 1;            ///< 1: 1-D dataset (rows); > 1: 2-D (rows x width)
  std::string units;                ///< attribute "units" (always written, "" allowed)
  std::string description;          ///< attribute "description"
  std::vector<std::string> labels;  ///< attribute "labels" when non-empty: categorical integer column

  friend bool operator==(const ColumnSpec&, const ColumnSpec&) = default;
};

/// Values of one column; the alternative index equals static_cast<int>(ColumnType).
using ColumnData = std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::uint64_t>,
                                std::vector<std::int8_t>, std::vector<std::string>>;

/// Rows for every column of a layout, in layout order; column i holds rows * width values, row-major.
struct RowBlock {
  std::size_t rows = 0;
  std::vector<ColumnData> columns;
};

using AttributeValue = std::variant<std::string, double, std::int64_t, std::uint64_t, std::vector<double>,
                                    std::vector<std::string>>;
using Attributes = std::map<std::string, AttributeValue>;

/// Root attributes the store itself maintains; create() and set_attributes() refuse them.
inline constexpr const char* k_reserved_attributes[] = {"format", "format_version", "complete", "identity_keys",
                                                        "columns"};

/// A value as text for messages ("3.5", "\"abc\"", "[1, 2]").
std::string to_string(const AttributeValue& value);

/// An append-only table of sweep results in one HDF5 file, written block by block and
/// recoverable after a crash at any moment (kill -9) from its journal `file + ".journal"`.
/// Movable, not copyable; the destructor closes without marking the file complete (the journal
/// stays, so a later resume continues where this one stopped).
class ResultsStore {
 public:
  /// Creates `file` and `file + ".journal"`. InputError if either exists (naming it and suggesting
  /// --resume or removing it) or cannot be written. `attributes` go on the root group besides the
  /// reserved ones; `identity_keys` name the attributes that must match on resume (each must be present).
  static ResultsStore create(const std::filesystem::path& file, std::vector<ColumnSpec> layout,
                             Attributes attributes, std::vector<std::string> identity_keys);
  /// Reopens an interrupted store. The journal is the source of truth: a torn or corrupt tail is
  /// cut off and the HDF5 file is rebuilt from the journal, so it holds exactly the journal's complete
  /// rows. `expected` must agree with the stored attributes on every identity key and `layout` must be
  /// identical to the stored one, else InputError naming the key or column. A finished store (no
  /// journal, complete = 1) is checked the same way and returned with finished() == true.
  static ResultsStore resume(const std::filesystem::path& file, const std::vector<ColumnSpec>& layout,
                             const Attributes& expected);

  ResultsStore(ResultsStore&&) noexcept;
  ResultsStore& operator=(ResultsStore&&) noexcept;
  ~ResultsStore();

  const std::filesystem::path& path() const;
  const std::vector<ColumnSpec>& layout() const;
  std::uint64_t rows() const;
  bool finished() const;

  /// Appends a block (LogicError if it does not match the layout): journalled and fdatasync'ed
  /// first (durable from then on), then written to the HDF5 datasets, which are flushed at most every
  /// 5 s, and no sooner than 50 times the last flush's duration, because each flush recompresses
  /// the partly filled chunks.
  void append(const RowBlock& block);
  /// Flushes the HDF5 file now, so that readers of the running sweep see every appended row.
  void flush();
  /// Sets or overwrites root attributes (e.g. end_time); journalled, so a resume keeps them.
  void set_attributes(const Attributes& attributes);
  /// Writes a group of fixed datasets (e.g. "summary") with group attributes, replacing the group
  /// if it exists; journalled. Each ColumnSpec path is relative to the group; data holds
  /// rows * width values.
  void write_group(const std::string& group, const std::vector<std::pair<ColumnSpec, ColumnData>>& datasets,
                   const Attributes& attributes);
  /// Marks the file complete (complete = 1), closes and syncs it, then removes the journal.
  /// Does nothing on a finished store.
  void finish();

  struct Impl;

 private:
  explicit ResultsStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Read access to any file written by ResultsStore (finished or not) or merge_shards.
class ResultsFile {
 public:
  /// InputError naming the file if it cannot be opened or is not an eyesweep sweep file.
  static ResultsFile open(const std::filesystem::path& file);

  ResultsFile(ResultsFile&&) noexcept;
  ResultsFile& operator=(ResultsFile&&) noexcept;
  ~ResultsFile();

  const std::filesystem::path& path() const;
  /// Length of the column datasets.
  std::uint64_t rows() const;
  /// Attributes of the root group, or of the group or dataset at `object` (e.g. "summary").
  Attributes attributes(const std::string& object = "/") const;
  /// Every column, in layout order (the root attribute "columns"); groups from write_group excluded.
  std::vector<ColumnSpec> layout() const;
  /// Type, width and attributes of the dataset at `path` (a column or a group dataset).
  ColumnSpec spec(const std::string& path) const;
  /// The whole dataset at `path` (rows * width values, row-major).
  ColumnData read(const std::string& path) const;
  /// Rows [first, first + count) of the dataset at `path`; InputError if past the end.
  ColumnData read_rows(const std::string& path, std::uint64_t first, std::uint64_t count) const;

  struct Impl;

 private:
  explicit ResultsFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyesweep
