#include "io/detail/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "io/detail/hdf5_io.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep::detail {
namespace {

static_assert(std::endian::native == std::endian::little, "the journal is written in host byte order");

constexpr std::array<char, 8> k_magic{'E', 'S', 'J', 'O', 'U', 'R', 'N', 'L'};
constexpr std::uint32_t k_version = 1;
constexpr std::size_t k_prefix_bytes = k_magic.size() + sizeof(std::uint32_t);
constexpr std::size_t k_frame_head = 1 + sizeof(std::uint64_t);
constexpr std::uint8_t k_kind_header = 0;  // record kinds 1.. are JournalRecord's index + 1

constexpr std::array<std::uint32_t, 256> crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

std::string system_message(int error) { return std::strerror(error); }

/// Appends plain values to a byte buffer.
class Writer {
 public:
  std::vector<std::uint8_t> bytes;

  void raw(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + size);
  }
  template <class T>
  void value(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    raw(&v, sizeof v);
  }
  void size(std::size_t n) { value<std::uint64_t>(n); }
  void text(const std::string& s) {
    size(s.size());
    raw(s.data(), s.size());
  }
  void texts(const std::vector<std::string>& v) {
    size(v.size());
    for (const std::string& s : v) text(s);
  }
  void column_data(const ColumnData& data) {
    value(static_cast<std::uint8_t>(data.index()));
    std::visit(
        [&](const auto& values) {
          using T = typename std::decay_t<decltype(values)>::value_type;
          if constexpr (std::is_same_v<T, std::string>) {
            texts(values);
          } else {
            size(values.size());
            raw(values.data(), values.size() * sizeof(T));
          }
        },
        data);
  }
  void spec(const ColumnSpec& s) {
    text(s.path);
    value(static_cast<std::uint8_t>(s.type));
    size(s.width);
    text(s.units);
    text(s.description);
    texts(s.labels);
  }
  void attributes(const Attributes& a) {
    size(a.size());
    for (const auto& [name, v] : a) {
      text(name);
      value(static_cast<std::uint8_t>(v.index()));
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
              text(x);
            } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
              texts(x);
            } else if constexpr (std::is_same_v<T, std::vector<double>>) {
              size(x.size());
              raw(x.data(), x.size() * sizeof(double));
            } else {
              value(x);
            }
          },
          v);
    }
  }
};

/// Reads plain values from a CRC-checked payload; running past its end means a malformed record.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}

  bool at_end() const { return p_ == end_; }
  void raw(void* out, std::size_t size) {
    need(size);
    if (size == 0) return;  // empty vectors have no buffer, and memcpy must not see a null pointer
    std::memcpy(out, p_, size);
    p_ += size;
  }
  template <class T>
  T value() {
    T v{};
    raw(&v, sizeof v);
    return v;
  }
  std::size_t size() {
    const auto n = value<std::uint64_t>();
    need(0, n);
    return static_cast<std::size_t>(n);
  }
  std::string text() {
    const std::size_t n = size();
    need(n);
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  std::vector<std::string> texts() {
    std::vector<std::string> v(size());
    for (std::string& s : v) s = text();
    return v;
  }
  template <class T>
  std::vector<T> array() {
    const std::size_t n = size();
    need(0, n);
    std::vector<T> v(n);
    raw(v.data(), n * sizeof(T));
    return v;
  }
  ColumnData column_data() {
    switch (value<std::uint8_t>()) {
      case 0: return array<double>();
      case 1: return array<std::int64_t>();
      case 2: return array<std::uint64_t>();
      case 3: return array<std::int8_t>();
      case 4: return texts();
      default: throw std::runtime_error("unknown column type");
    }
  }
  ColumnSpec spec() {
    ColumnSpec s;
    s.path = text();
    const auto type = value<std::uint8_t>();
    if (type > static_cast<std::uint8_t>(ColumnType::text)) throw std::runtime_error("unknown column type");
    s.type = static_cast<ColumnType>(type);
    s.width = size();
    s.units = text();
    s.description = text();
    s.labels = texts();
    return s;
  }
  Attributes attributes() {
    Attributes a;
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      std::string name = text();
      switch (value<std::uint8_t>()) {
        case 0: a[name] = text(); break;
        case 1: a[name] = value<double>(); break;
        case 2: a[name] = value<std::int64_t>(); break;
        case 3: a[name] = value<std::uint64_t>(); break;
        case 4: a[name] = array<double>(); break;
        case 5: a[name] = texts(); break;
        default: throw std::runtime_error("unknown attribute type");
      }
    }
    return a;
  }

 private:
  /// At least `count` items of `bytes` bytes each remain (count bounded before allocating).
  void need(std::size_t bytes, std::uint64_t count = 1) const {
    const auto left = static_cast<std::uint64_t>(end_ - p_);
    if (count > left || (bytes > 0 && count * bytes > left)) throw std::runtime_error("record shorter than its contents");
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

std::vector<std::uint8_t> encode_header(const JournalHeader& header) {
  Writer w;
  w.size(header.layout.size());
  for (const ColumnSpec& spec : header.layout) w.spec(spec);
  w.attributes(header.attributes);
  w.texts(header.identity_keys);
  return std::move(w.bytes);
}

JournalHeader decode_header(Reader& r) {
  JournalHeader header;
  header.layout.resize(r.size());
  for (ColumnSpec& spec : header.layout) spec = r.spec();
  header.attributes = r.attributes();
  header.identity_keys = r.texts();
  return header;
}

std::vector<std::uint8_t> encode_record(const JournalRecord& record) {
  Writer w;
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, RowBlock>) {
          w.size(r.rows);
          w.size(r.columns.size());
          for (const ColumnData& data : r.columns) w.column_data(data);
        } else if constexpr (std::is_same_v<T, Attributes>) {
          w.attributes(r);
        } else {
          w.text(r.group);
          w.size(r.datasets.size());
          for (const auto& [spec, data] : r.datasets) {
            w.spec(spec);
            w.column_data(data);
          }
          w.attributes(r.attributes);
        }
      },
      record);
  return std::move(w.bytes);
}

JournalRecord decode_record(std::uint8_t kind, Reader& r) {
  switch (kind) {
    case 1: {
      RowBlock block;
      block.rows = r.size();
      block.columns.resize(r.size());
      for (ColumnData& data : block.columns) data = r.column_data();
      return block;
    }
    case 2: return r.attributes();
    case 3: {
      GroupRecord group;
      group.group = r.text();
      group.datasets.resize(r.size());
      for (auto& [spec, data] : group.datasets) {
        spec = r.spec();
        data = r.column_data();
      }
      group.attributes = r.attributes();
      return group;
    }
    default: throw std::runtime_error("unknown record kind");
  }
}

/// Reads exactly `size` bytes at `offset`; false when the file ends first.
bool read_at(int fd, std::uint64_t offset, void* out, std::size_t size, const std::filesystem::path& path) {
  auto* p = static_cast<std::uint8_t*>(out);
  while (size > 0) {
    const ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(path.string() + ": cannot read: " + system_message(errno));
    if (n == 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

void write_all(int fd, const std::uint8_t* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(path.string() + ": cannot write: " + system_message(errno));
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::vector<std::uint8_t> frame(std::uint8_t kind, const std::vector<std::uint8_t>& payload) {
  Writer w;
  w.value(kind);
  w.size(payload.size());
  w.raw(payload.data(), payload.size());
  w.value(crc32(w.bytes.data(), w.bytes.size()));
  return std::move(w.bytes);
}

void lock_exclusively(int fd, const std::filesystem::path& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    throw InputError(path.string() + ": locked by another process (is another eyesweep run writing this sweep?)");
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc) {
  static constexpr std::array<std::uint32_t, 256> table = crc_table();
  const auto* p = static_cast<const std::uint8_t*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xFFU] ^ (crc >> 8);
  return ~crc;
}

Journal::Journal(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}

Journal::Journal(Journal&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      header_(std::move(other.header_)),
      end_(other.end_),
      file_size_(other.file_size_) {}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    header_ = std::move(other.header_);
    end_ = other.end_;
    file_size_ = other.file_size_;
  }
  return *this;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Journal Journal::create(const std::filesystem::path& path, const JournalHeader& header) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  const int fd = ::open(temporary.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(path.string() + ": cannot create the journal: " + system_message(errno));
  Journal journal(temporary, fd);
  lock_exclusively(fd, temporary);
  Writer prefix;
  prefix.raw(k_magic.data(), k_magic.size());
  prefix.value(k_version);
  write_all(fd, prefix.bytes.data(), prefix.bytes.size(), temporary);
  journal.end_ = prefix.bytes.size();
  journal.write_frame(k_kind_header, encode_header(header));
  // link() refuses an existing target: two runs creating the same sweep cannot both succeed.
  if (::link(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    throw InputError(path.string() + ": cannot create the journal: " + system_message(error));
  }
  ::unlink(temporary.c_str());
  sync_directory_of(path);
  journal.path_ = path;
  journal.header_ = header;
  journal.file_size_ = journal.end_;
  return journal;
}

Journal Journal::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw InputError(path.string() + ": cannot open the journal: " + system_message(errno));
  Journal journal(path, fd);
  lock_exclusively(fd, path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw InputError(path.string() + ": cannot stat: " + system_message(errno));
  journal.file_size_ = static_cast<std::uint64_t>(info.st_size);

  const std::string corrupt = path.string() + ": not an eyesweep journal or its header is corrupt; remove it and "
                                              "the HDF5 file beside it and start the sweep again";
  std::array<char, k_magic.size()> magic{};
  std::uint32_t version = 0;
  if (!read_at(fd, 0, magic.data(), magic.size(), path) || magic != k_magic ||
      !read_at(fd, magic.size(), &version, sizeof version, path))
    throw InputError(corrupt);
  if (version != k_version)
    throw InputError(path.string() + ": journal version " + std::to_string(version) + " is not supported (expected " +
                     std::to_string(k_version) + ")");
  journal.end_ = k_prefix_bytes;
  try {
    // The header frame is read like any record; a torn header means the journal was never complete.
    std::array<std::uint8_t, k_frame_head> head{};
    if (!read_at(fd, journal.end_, head.data(), head.size(), path) || head[0] != k_kind_header) throw InputError(corrupt);
    std::uint64_t length = 0;
    std::memcpy(&length, head.data() + 1, sizeof length);
    if (length > journal.file_size_) throw InputError(corrupt);
    std::vector<std::uint8_t> body(k_frame_head + static_cast<std::size_t>(length) + sizeof(std::uint32_t));
    if (!read_at(fd, journal.end_, body.data(), body.size(), path)) throw InputError(corrupt);
    std::uint32_t crc = 0;
    std::memcpy(&crc, body.data() + body.size() - sizeof crc, sizeof crc);
    if (crc != crc32(body.data(), body.size() - sizeof crc)) throw InputError(corrupt);
    Reader reader(body.data() + k_frame_head, static_cast<std::size_t>(length));
    journal.header_ = decode_header(reader);
    if (!reader.at_end()) throw InputError(corrupt);
    journal.end_ += body.size();
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const InputError*>(&e) != nullptr) throw;
    throw InputError(corrupt + " (" + e.what() + ")");
  }
  return journal;
}

std::optional<JournalRecord> Journal::next_record() {
  std::array<std::uint8_t, k_frame_head> head{};
  if (!read_at(fd_, end_, head.data(), head.size(), path_)) return std::nullopt;
  std::uint64_t length = 0;
  std::memcpy(&length, head.data() + 1, sizeof length);
  // A torn frame can hold any bytes: bound the length by the file before allocating.
  if (length > file_size_ - end_) return std::nullopt;
  std::vector<std::uint8_t> body(k_frame_head + static_cast<std::size_t>(length) + sizeof(std::uint32_t));
  if (!read_at(fd_, end_, body.data(), body.size(), path_)) return std::nullopt;
  std::uint32_t crc = 0;
  std::memcpy(&crc, body.data() + body.size() - sizeof crc, sizeof crc);
  if (crc != crc32(body.data(), body.size() - sizeof crc)) return std::nullopt;
  Reader reader(body.data() + k_frame_head, static_cast<std::size_t>(length));
  try {
    JournalRecord record = decode_record(head[0], reader);
    if (!reader.at_end()) throw std::runtime_error("trailing bytes");
    end_ += body.size();
    return record;
  } catch (const std::runtime_error& e) {
    // The CRC matched, so this is no torn write: a journal from another eyesweep version or a bug.
    throw InputError(path_.string() + ": malformed journal record at byte " + std::to_string(end_) + " (" + e.what() +
                     ")");
  }
}

void Journal::start_appending() {
  if (file_size_ != end_) {
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0 || ::fsync(fd_) != 0)
      throw InputError(path_.string() + ": cannot cut off the torn tail: " + system_message(errno));
    file_size_ = end_;
  }
  if (::lseek(fd_, static_cast<off_t>(end_), SEEK_SET) < 0)
    throw InputError(path_.string() + ": cannot seek: " + system_message(errno));
}

void Journal::append(const JournalRecord& record) {
  write_frame(static_cast<std::uint8_t>(record.index() + 1), encode_record(record));
}

void Journal::write_frame(std::uint8_t kind, const std::vector<std::uint8_t>& payload) {
  ES_EXPECTS(fd_ >= 0, "journal is closed");
  const std::vector<std::uint8_t> bytes = frame(kind, payload);
  try {
    write_all(fd_, bytes.data(), bytes.size(), path_);
    if (::fdatasync(fd_) != 0) throw InputError(path_.string() + ": cannot sync: " + system_message(errno));
  } catch (...) {
    // Leave no partial frame behind, so the journal stays valid for appends after, say, freeing disk space.
    if (::ftruncate(fd_, static_cast<off_t>(end_)) == 0) ::lseek(fd_, static_cast<off_t>(end_), SEEK_SET);
    throw;
  }
  end_ += bytes.size();
  file_size_ = end_;
}

void Journal::remove() {
  ES_EXPECTS(fd_ >= 0, "journal is closed");
  if (::unlink(path_.c_str()) != 0)
    throw InputError(path_.string() + ": cannot remove the journal: " + system_message(errno));
  ::close(std::exchange(fd_, -1));
  sync_directory_of(path_);
}

}  // namespace eyesweep::detail
