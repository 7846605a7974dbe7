#include "io/results_store.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include "io/detail/hdf5_io.hpp"
#include "io/detail/journal.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr const char* k_format = "eyesweep-sweep";
constexpr std::int64_t k_format_version = 1;
// Flushing HDF5 compresses every partly filled chunk again, up to a whole chunk per column late in
// a long sweep (tenths of a second); the journal already makes each append durable, so appends
// flush at most every k_flush_interval and no sooner than k_flush_spacing times the last flush's
// own duration after it, which keeps flushing under 2 % of a sweep's time (readers of a running
// sweep lag by about as much).
constexpr std::chrono::seconds k_flush_interval{5};
constexpr int k_flush_spacing = 50;

std::filesystem::path journal_path(const std::filesystem::path& file) {
  std::filesystem::path journal = file;
  journal += ".journal";
  return journal;
}

bool is_reserved(const std::string& name) {
  return std::find(std::begin(k_reserved_attributes), std::end(k_reserved_attributes), name) !=
         std::end(k_reserved_attributes);
}

const char* type_name(ColumnType type) {
  switch (type) {
    case ColumnType::f64: return "f64";
    case ColumnType::i64: return "i64";
    case ColumnType::u64: return "u64";
    case ColumnType::i8: return "i8";
    case ColumnType::text: return "text";
  }
  return "?";
}

void check_layout(const std::vector<ColumnSpec>& layout) {
  ES_EXPECTS(!layout.empty(), "a results store needs at least one column");
  std::set<std::string> paths;
  for (const ColumnSpec& spec : layout) {
    ES_EXPECTS(!spec.path.empty() && spec.path.front() != '/' && spec.path.back() != '/',
               "column paths are relative dataset paths: '" + spec.path + "'");
    ES_EXPECTS(spec.width >= 1, "column width must be at least 1: " + spec.path);
    ES_EXPECTS(paths.insert(spec.path).second, "duplicate column: " + spec.path);
    ES_EXPECTS(spec.labels.empty() || spec.type == ColumnType::i64 || spec.type == ColumnType::u64 ||
                   spec.type == ColumnType::i8,
               "labels need an integer column: " + spec.path);
  }
}

void check_block(const std::vector<ColumnSpec>& layout, const RowBlock& block) {
  ES_EXPECTS(block.columns.size() == layout.size(), "block has " + std::to_string(block.columns.size()) +
                                                        " columns, the layout " + std::to_string(layout.size()));
  for (std::size_t i = 0; i < layout.size(); ++i) {
    ES_EXPECTS(block.columns[i].index() == static_cast<std::size_t>(layout[i].type),
               "column '" + layout[i].path + "' must hold " + type_name(layout[i].type) + " values");
    ES_EXPECTS(detail::column_size(block.columns[i]) == block.rows * layout[i].width,
               "column '" + layout[i].path + "' holds " + std::to_string(detail::column_size(block.columns[i])) +
                   " values for " + std::to_string(block.rows) + " rows of width " + std::to_string(layout[i].width));
  }
}

void check_no_reserved(const Attributes& attributes) {
  for (const auto& entry : attributes)
    ES_EXPECTS(!is_reserved(entry.first), "attribute '" + entry.first + "' is maintained by the results store");
}

/// Why `expected` differs from the `stored` layout of `file`, or "" when they are identical.
std::string layout_difference(const std::vector<ColumnSpec>& stored, const std::vector<ColumnSpec>& expected) {
  auto quoted = [](const std::string& s) { return "'" + s + "'"; };
  for (std::size_t i = 0; i < std::min(stored.size(), expected.size()); ++i) {
    const ColumnSpec& a = stored[i];
    const ColumnSpec& b = expected[i];
    if (a == b) continue;
    if (a.path != b.path)
      return "column " + std::to_string(i) + " is " + quoted(a.path) + " in the file but " + quoted(b.path) +
             " in this run";
    const std::string column = "column " + quoted(a.path) + " ";
    if (a.type != b.type) return column + "is " + type_name(a.type) + " in the file but " + type_name(b.type) + " in this run";
    if (a.width != b.width)
      return column + "has width " + std::to_string(a.width) + " in the file but " + std::to_string(b.width) +
             " in this run";
    if (a.units != b.units) return column + "has units " + quoted(a.units) + " in the file but " + quoted(b.units) + " in this run";
    if (a.description != b.description) return column + "has a different description in the file";
    return column + "has different labels in the file";
  }
  if (stored.size() != expected.size()) {
    const ColumnSpec& extra = stored.size() > expected.size() ? stored[expected.size()] : expected[stored.size()];
    return "the file has " + std::to_string(stored.size()) + " columns, this run " + std::to_string(expected.size()) +
           " (first unmatched: " + quoted(extra.path) + ")";
  }
  return {};
}

/// InputError unless `expected` matches `stored` on every identity key and the layouts agree.
void check_same_sweep(const std::filesystem::path& file, const Attributes& stored,
                      const std::vector<std::string>& identity_keys, const Attributes& expected,
                      const std::vector<ColumnSpec>& stored_layout, const std::vector<ColumnSpec>& layout) {
  for (const std::string& key : identity_keys) {
    const auto here = stored.find(key);
    const auto there = expected.find(key);
    if (there == expected.end())
      throw InputError(file.string() + ": attribute '" + key + "' identifies the stored sweep but this run has none");
    if (here == stored.end() || here->second != there->second)
      throw InputError(file.string() + ": attribute '" + key + "' is " +
                       (here == stored.end() ? std::string("missing") : to_string(here->second)) +
                       " in the file but " + to_string(there->second) +
                       " in this run: not the same sweep (remove the file, or resume with the original settings)");
  }
  if (const std::string why = layout_difference(stored_layout, layout); !why.empty())
    throw InputError(file.string() + ": " + why + ": not the same sweep");
}

}  // namespace

std::string to_string(const AttributeValue& value) {
  std::ostringstream out;
  out.precision(17);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out << '"' << v << '"';
        } else if constexpr (std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<std::string>>) {
          out << '[';
          for (std::size_t i = 0; i < v.size(); ++i) out << (i > 0 ? ", " : "") << to_string(AttributeValue(v[i]));
          out << ']';
        } else {
          out << v;
        }
      },
      value);
  return out.str();
}

struct ResultsStore::Impl {
  std::filesystem::path file;
  std::vector<ColumnSpec> layout;
  std::optional<detail::Journal> journal;  // absent once finished
  detail::H5Handle h5;
  std::vector<detail::H5Handle> datasets;  // declared after h5: closed before it
  std::uint64_t rows = 0;
  bool finished = false;
  bool broken = false;  // an HDF5 write failed after its journal record: only a resume recovers
  std::chrono::steady_clock::time_point last_flush = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration last_flush_took{};

  std::string context() const { return file.string(); }

  /// Creates the HDF5 file `target` with the header's attributes and empty columns.
  void build(const std::filesystem::path& target, const detail::JournalHeader& header) {
    h5 = detail::create_h5_file(target);
    detail::write_attributes(h5.get(), header.attributes, context());
    datasets.clear();
    for (const ColumnSpec& spec : layout) datasets.push_back(detail::create_column(h5.get(), spec, 0, context()));
  }

  void apply(const detail::JournalRecord& record) {
    if (const auto* block = std::get_if<RowBlock>(&record)) {
      for (std::size_t i = 0; i < layout.size(); ++i)
        detail::write_rows(datasets[i].get(), layout[i], rows, block->columns[i], 0, block->rows, true, context());
      rows += block->rows;
    } else if (const auto* attributes = std::get_if<Attributes>(&record)) {
      detail::write_attributes(h5.get(), *attributes, context());
    } else {
      const auto& group = std::get<detail::GroupRecord>(record);
      detail::write_group_datasets(h5.get(), group.group, group.datasets, group.attributes, context());
    }
  }

  void flush() {
    const auto start = std::chrono::steady_clock::now();
    detail::h5_check(H5Fflush(h5.get(), H5F_SCOPE_GLOBAL), context() + ": flushing");
    last_flush = std::chrono::steady_clock::now();
    last_flush_took = last_flush - start;
  }

  bool flush_due() const {
    const auto since = std::chrono::steady_clock::now() - last_flush;
    return since >= k_flush_interval && since >= k_flush_spacing * last_flush_took;
  }

  /// Journal first (the source of truth on resume), then the HDF5 file.
  void record(const detail::JournalRecord& r) {
    ES_EXPECTS(!finished, "the results store is finished");
    if (broken) throw std::runtime_error(context() + ": an earlier write failed; resume the sweep to repair the file");
    journal->append(r);
    try {
      apply(r);
      if (!std::holds_alternative<RowBlock>(r) || flush_due()) flush();
    } catch (const std::exception& e) {
      // The journal already holds the record: nothing computed is lost.
      broken = true;
      throw InputError(context() + ": writing the HDF5 file failed (" + e.what() +
                       "); is the disk full? Every row so far is safe in " + journal_path(file).string() +
                       ": free space and run the same command with --resume");
    }
  }
};

ResultsStore::ResultsStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsStore::ResultsStore(ResultsStore&&) noexcept = default;
ResultsStore& ResultsStore::operator=(ResultsStore&&) noexcept = default;
ResultsStore::~ResultsStore() = default;

ResultsStore ResultsStore::create(const std::filesystem::path& file, std::vector<ColumnSpec> layout,
                                  Attributes attributes, std::vector<std::string> identity_keys) {
  check_layout(layout);
  check_no_reserved(attributes);
  for (const std::string& key : identity_keys)
    ES_EXPECTS(attributes.count(key) == 1, "identity key '" + key + "' is not among the attributes");
  const std::filesystem::path journal = journal_path(file);
  for (const std::filesystem::path& existing : {file, journal}) {
    std::error_code ec;
    if (std::filesystem::exists(existing, ec) || ec)
      throw InputError(existing.string() + ": already exists; continue that sweep with --resume, replace it with --force, or remove " +
                       file.string() + " and " + journal.string() + " to start again");
  }
  std::vector<std::string> columns;
  for (const ColumnSpec& spec : layout) columns.push_back(spec.path);
  attributes["format"] = std::string(k_format);
  attributes["format_version"] = k_format_version;
  attributes["complete"] = std::int64_t{0};
  attributes["identity_keys"] = identity_keys;
  attributes["columns"] = columns;

  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->layout = std::move(layout);
  detail::JournalHeader header{impl->layout, std::move(attributes), std::move(identity_keys)};
  impl->journal = detail::Journal::create(journal, header);
  try {
    impl->build(file, header);
    impl->flush();
  } catch (...) {
    // Nothing was stored yet: leave no half-created sweep that would block the next attempt.
    impl->datasets.clear();
    impl->h5.reset();
    impl->journal->remove();
    std::error_code ec;
    std::filesystem::remove(file, ec);
    throw;
  }
  return ResultsStore(std::move(impl));
}

ResultsStore ResultsStore::resume(const std::filesystem::path& file, const std::vector<ColumnSpec>& layout,
                                  const Attributes& expected) {
  check_layout(layout);
  const std::filesystem::path journal = journal_path(file);
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->layout = layout;
  std::error_code ec;
  if (!std::filesystem::exists(journal, ec)) {
    if (!std::filesystem::exists(file, ec)) throw InputError(file.string() + ": nothing to resume (no such file)");
    ResultsFile stored = ResultsFile::open(file);
    const Attributes attributes = stored.attributes();
    const auto complete = attributes.find("complete");
    if (complete == attributes.end() || complete->second != AttributeValue(std::int64_t{1}))
      throw InputError(file.string() + ": the sweep is unfinished but its journal " + journal.string() +
                       " is missing, so it cannot be resumed; remove the file and start again");
    const auto keys = attributes.find("identity_keys");
    const auto* identity_keys =
        keys == attributes.end() ? nullptr : std::get_if<std::vector<std::string>>(&keys->second);
    check_same_sweep(file, attributes, identity_keys == nullptr ? std::vector<std::string>{} : *identity_keys,
                     expected, stored.layout(), layout);
    impl->rows = stored.rows();
    impl->finished = true;
    return ResultsStore(std::move(impl));
  }

  impl->journal = detail::Journal::open(journal);
  const detail::JournalHeader& header = impl->journal->header();
  check_same_sweep(file, header.attributes, header.identity_keys, expected, header.layout, layout);

  // The HDF5 file may be torn anywhere after kill -9: rebuild it from the journal beside it and
  // swap it in atomically, so that a crash during the resume leaves the old state to resume again.
  std::filesystem::path rebuilt = file;
  rebuilt += ".rebuild";
  impl->build(rebuilt, header);
  while (std::optional<detail::JournalRecord> record = impl->journal->next_record()) impl->apply(*record);
  impl->journal->start_appending();
  impl->flush();
  detail::sync_file(rebuilt);
  std::filesystem::rename(rebuilt, file, ec);
  if (ec) throw InputError(file.string() + ": cannot replace it with the rebuilt file: " + ec.message());
  detail::sync_directory_of(file);
  return ResultsStore(std::move(impl));
}

const std::filesystem::path& ResultsStore::path() const {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  return impl_->file;
}

const std::vector<ColumnSpec>& ResultsStore::layout() const {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  return impl_->layout;
}

std::uint64_t ResultsStore::rows() const {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  return impl_->rows;
}

bool ResultsStore::finished() const {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  return impl_->finished;
}

void ResultsStore::append(const RowBlock& block) {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  check_block(impl_->layout, block);
  if (block.rows == 0) return;
  impl_->record(block);
}

void ResultsStore::set_attributes(const Attributes& attributes) {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  check_no_reserved(attributes);
  impl_->record(attributes);
}

void ResultsStore::write_group(const std::string& group,
                               const std::vector<std::pair<ColumnSpec, ColumnData>>& datasets,
                               const Attributes& attributes) {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  ES_EXPECTS(!group.empty() && group.front() != '/', "group paths are relative: '" + group + "'");
  for (const ColumnSpec& spec : impl_->layout)
    ES_EXPECTS(spec.path != group && spec.path.rfind(group + "/", 0) != 0,
               "group '" + group + "' would replace column '" + spec.path + "'");
  for (const auto& [spec, data] : datasets) {
    ES_EXPECTS(data.index() == static_cast<std::size_t>(spec.type), "dataset '" + spec.path + "' has the wrong type");
    ES_EXPECTS(spec.width >= 1 && detail::column_size(data) % spec.width == 0,
               "dataset '" + spec.path + "' size is not a multiple of its width");
  }
  impl_->record(detail::GroupRecord{group, datasets, attributes});
}

void ResultsStore::flush() {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  ES_EXPECTS(!impl_->finished, "the results store is finished");
  impl_->flush();
}

void ResultsStore::finish() {
  ES_EXPECTS(impl_ != nullptr, "use of a moved-from ResultsStore");
  Impl& s = *impl_;
  if (s.finished) return;
  if (s.broken) throw std::runtime_error(s.context() + ": an earlier write failed; resume the sweep to repair the file");
  detail::write_attributes(s.h5.get(), {{"complete", std::int64_t{1}}}, s.context());
  s.datasets.clear();
  if (s.h5.close_checked() < 0) throw InputError(s.context() + ": closing the HDF5 file failed");
  // Only a complete file on disk may outlive its journal.
  detail::sync_file(s.file);
  s.journal->remove();
  s.journal.reset();
  s.finished = true;
}

struct ResultsFile::Impl {
  std::filesystem::path file;
  detail::H5Handle h5;
  std::vector<std::string> columns;
};

ResultsFile::ResultsFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&&) noexcept = default;
ResultsFile::~ResultsFile() = default;

ResultsFile ResultsFile::open(const std::filesystem::path& file) {
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->h5 = detail::open_h5_file(file, false);
  const Attributes attributes = detail::read_attributes(impl->h5.get(), file.string());
  const auto format = attributes.find("format");
  if (format == attributes.end() || format->second != AttributeValue(std::string(k_format)))
    throw InputError(file.string() + ": not an eyesweep sweep file (root attribute 'format' is not \"" + k_format +
                     "\")");
  const auto version = attributes.find("format_version");
  if (version == attributes.end() || version->second != AttributeValue(k_format_version))
    throw InputError(file.string() + ": unsupported sweep file version " +
                     (version == attributes.end() ? std::string("(none)") : to_string(version->second)) +
                     " (this eyesweep reads version " + std::to_string(k_format_version) + ")");
  const auto columns = attributes.find("columns");
  const auto* names = columns == attributes.end() ? nullptr : std::get_if<std::vector<std::string>>(&columns->second);
  if (names == nullptr) throw InputError(file.string() + ": root attribute 'columns' is missing or not a string array");
  impl->columns = *names;
  return ResultsFile(std::move(impl));
}

const std::filesystem::path& ResultsFile::path() const { return impl_->file; }

std::uint64_t ResultsFile::rows() const {
  return impl_->columns.empty() ? 0 : detail::dataset_rows(impl_->h5.get(), impl_->columns.front(), impl_->file.string());
}

Attributes ResultsFile::attributes(const std::string& object) const {
  const std::string context = impl_->file.string() + (object == "/" ? "" : ": '" + object + "'");
  if (object == "/") return detail::read_attributes(impl_->h5.get(), context);
  const hid_t id = H5Oopen(impl_->h5.get(), object.c_str(), H5P_DEFAULT);
  if (id < 0) throw InputError(context + " does not exist");
  const detail::H5Handle handle(id, H5Oclose);
  return detail::read_attributes(handle.get(), context);
}

std::vector<ColumnSpec> ResultsFile::layout() const {
  std::vector<ColumnSpec> layout;
  for (const std::string& column : impl_->columns) layout.push_back(spec(column));
  return layout;
}

ColumnSpec ResultsFile::spec(const std::string& path) const {
  return detail::read_spec(impl_->h5.get(), path, impl_->file.string());
}

ColumnData ResultsFile::read(const std::string& path) const {
  return detail::read_rows(impl_->h5.get(), path, 0, detail::dataset_rows(impl_->h5.get(), path, impl_->file.string()),
                           impl_->file.string());
}

ColumnData ResultsFile::read_rows(const std::string& path, std::uint64_t first, std::uint64_t count) const {
  return detail::read_rows(impl_->h5.get(), path, first, count, impl_->file.string());
}

}  // namespace eyesweep
