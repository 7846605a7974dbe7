// The write-ahead journal of a results store (`file + ".journal"`): a header with everything needed
// to rebuild the HDF5 file, then one CRC-32-checked record per append, set_attributes and write_group.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "io/results_store.hpp"

namespace eyesweep::detail {

struct JournalHeader {
  std::vector<ColumnSpec> layout;
  Attributes attributes;  ///< root attributes at creation, the store's reserved ones included
  std::vector<std::string> identity_keys;
};

struct GroupRecord {
  std::string group;
  std::vector<std::pair<ColumnSpec, ColumnData>> datasets;
  Attributes attributes;
};

using JournalRecord = std::variant<RowBlock, Attributes, GroupRecord>;

/// CRC-32 (IEEE 802.3 polynomial, as zlib's crc32) of `size` bytes, continuing from `crc`.
std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc = 0);

/// An open, exclusively locked (flock) journal file. Layout on disk, all integers little-endian:
///   "ESJOURNL" u32 version, then frames [u8 kind][u64 length][payload][u32 crc32(kind, length, payload)],
///   the first frame being the header.
class Journal {
 public:
  /// Writes the header to a temporary file, syncs it and links it to `path` (InputError if `path`
  /// exists or cannot be written), so that a journal on disk always has a complete header.
  static Journal create(const std::filesystem::path& path, const JournalHeader& header);
  /// Opens and locks an existing journal and reads its header (InputError naming the file when it is
  /// locked by another process, or when the header is missing or corrupt). Records follow via next_record().
  static Journal open(const std::filesystem::path& path);

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  const JournalHeader& header() const { return header_; }
  const std::filesystem::path& path() const { return path_; }

  /// The next complete record, or nothing at the end of the valid records (a torn or corrupt frame
  /// ends them: everything from it on is dropped by start_appending).
  std::optional<JournalRecord> next_record();
  /// Bytes dropped at the tail by the last next_record() that returned nothing.
  std::uint64_t dropped_bytes() const { return file_size_ - end_; }
  /// Cuts the file after the last valid record (and syncs) so that appends follow it.
  void start_appending();
  /// Appends a record and fdatasync's it; on failure the file is cut back to its previous length.
  void append(const JournalRecord& record);
  /// Closes and deletes the journal (after the HDF5 file it protects is complete and synced).
  void remove();

 private:
  Journal(std::filesystem::path path, int fd);
  void write_frame(std::uint8_t kind, const std::vector<std::uint8_t>& payload);

  std::filesystem::path path_;
  int fd_ = -1;
  JournalHeader header_;
  std::uint64_t end_ = 0;        ///< offset just past the last valid frame read or written
  std::uint64_t file_size_ = 0;  ///< size of the file when opened
};

}  // namespace eyesweep::detail
