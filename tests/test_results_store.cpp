// The resumable HDF5 results store: round trips, bad files, crash recovery (kill -9 of a writer
// and of a resume), torn journals, and the shard merge (virtual and materialised).
#include "io/results_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "io/sweep_merge.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

namespace fs = std::filesystem;

/// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    std::random_device random;
    path_ = fs::temp_directory_path() /
            ("eyesweep_store_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
             std::to_string(random()));
    fs::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path journal_of(const fs::path& file) { return fs::path(file.string() + ".journal"); }

std::vector<ColumnSpec> test_layout() {
  return {
      {"variant_index", ColumnType::u64, 1, "", "index of the variant in the sweep", {}},
      {"results/com_dB", ColumnType::f64, 1, "dB", "channel operating margin", {}},
      {"results/tx_taps", ColumnType::f64, 3, "", "winning Tx FFE taps c(-1), c(0), c(1)", {}},
      {"results/status", ColumnType::i8, 1, "", "outcome", {"ok", "fail", "skipped"}},
      {"parameters/seed_offset", ColumnType::i64, 1, "", "a signed parameter", {}},
      {"results/error", ColumnType::text, 1, "", "error message of failed variants", {}},
      {"parameters/flags", ColumnType::u64, 2, "", "two unsigned words", {}},
  };
}

/// Rows [first, first + count) of the test layout: every value a pure function of the row index.
RowBlock make_block(std::uint64_t first, std::size_t count) {
  std::vector<std::uint64_t> index, flags;
  std::vector<double> com, taps;
  std::vector<std::int8_t> status;
  std::vector<std::int64_t> seed_offset;
  std::vector<std::string> error;
  for (std::uint64_t i = first; i < first + count; ++i) {
    const double x = static_cast<double>(i);
    index.push_back(i);
    com.push_back(3.0 * std::sin(x) + 1e-3 * x);
    taps.insert(taps.end(), {-0.1 * static_cast<double>(i % 3), 0.8 + 1e-4 * x, -0.05});
    status.push_back(static_cast<std::int8_t>(i % 3));
    seed_offset.push_back(static_cast<std::int64_t>(i * i) - 7);
    error.push_back(i % 5 == 0 ? "fail " + std::to_string(i) : "");
    flags.insert(flags.end(), {i ^ 0xdeadbeefULL, i << 40});
  }
  return {count, {index, com, taps, status, seed_offset, error, flags}};
}

Attributes test_attributes(std::string spec_hash = "abc123") {
  return {{"spec_hash", std::move(spec_hash)},
          {"num_variants", std::uint64_t{12}},
          {"start_time", std::string("2025-01-01T00:00:00Z")},
          {"eyesweep_version", std::string("0.1.0")},
          {"grid", std::vector<double>{0.5, 1.5}},
          {"empty_grid", std::vector<double>{}},
          {"seed", std::int64_t{-42}},
          {"nominal", 1.25}};
}
const std::vector<std::string> k_identity{"spec_hash", "num_variants"};

/// Block sizes of the writers: deterministic, varied, small (many appends).
std::size_t block_size(std::uint64_t written) { return static_cast<std::size_t>((written * 7) % 23) + 1; }

void append_until(ResultsStore& store, std::uint64_t total) {
  while (store.rows() < total)
    store.append(make_block(store.rows(), std::min<std::uint64_t>(block_size(store.rows()), total - store.rows())));
}

void write_store(const fs::path& file, std::uint64_t total) {
  ResultsStore store = ResultsStore::create(file, test_layout(), test_attributes(), k_identity);
  append_until(store, total);
  store.finish();
}

/// Every column of `file` equals make_block(0, rows).
void expect_rows(const fs::path& file, std::uint64_t rows) {
  const ResultsFile reader = ResultsFile::open(file);
  ASSERT_EQ(reader.rows(), rows) << file;
  const RowBlock expected = make_block(0, rows);
  const std::vector<ColumnSpec> layout = test_layout();
  ASSERT_EQ(reader.layout(), layout);
  for (std::size_t c = 0; c < layout.size(); ++c)
    EXPECT_EQ(reader.read(layout[c].path), expected.columns[c]) << file << " column " << layout[c].path;
}

template <class F>
std::string input_error_message(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

TEST(ResultsStore, RoundTripsEveryColumnTypeAttributesAndGroups) {
  TempDir dir;
  const fs::path file = dir / "sweep.h5";
  ResultsStore store = ResultsStore::create(file, test_layout(), test_attributes(), k_identity);
  EXPECT_TRUE(fs::exists(journal_of(file)));
  store.append(make_block(0, 5));
  store.append(make_block(5, 0));
  store.append(make_block(5, 8));
  EXPECT_EQ(store.rows(), 13U);
  store.flush();
  {
    // A reader sees the rows of every completed append while the sweep runs.
    const ResultsFile running = ResultsFile::open(file);
    EXPECT_EQ(running.rows(), 13U);
    EXPECT_EQ(running.attributes().at("complete"), AttributeValue(std::int64_t{0}));
    EXPECT_EQ(running.read_rows("results/com_dB", 5, 8), make_block(5, 8).columns[1]);
  }
  store.set_attributes({{"end_time", std::string("2025-01-02T00:00:00Z")}, {"nominal", 2.5}});
  const ColumnSpec histogram{"com_histogram", ColumnType::u64, 2, "", "bin counts", {}};
  const ColumnSpec note{"note", ColumnType::text, 1, "", "", {}};
  store.write_group("summary", {{histogram, std::vector<std::uint64_t>{1, 2, 3, 4}}}, {{"old", 1.0}});
  store.write_group("summary", {{histogram, std::vector<std::uint64_t>{5, 6, 7, 8, 9, 10}}, {note, std::vector<std::string>{"é ok"}}},
                    {{"worst_com_dB", -1.5}, {"worst_variant", std::uint64_t{7}}});
  store.finish();
  EXPECT_TRUE(store.finished());
  EXPECT_FALSE(fs::exists(journal_of(file)));
  store.finish();  // idempotent

  expect_rows(file, 13);
  const ResultsFile reader = ResultsFile::open(file);
  Attributes expected = test_attributes();
  expected["end_time"] = std::string("2025-01-02T00:00:00Z");
  expected["nominal"] = 2.5;
  expected["format"] = std::string("eyesweep-sweep");
  expected["format_version"] = std::int64_t{1};
  expected["complete"] = std::int64_t{1};
  expected["identity_keys"] = k_identity;
  std::vector<std::string> columns;
  for (const ColumnSpec& spec : test_layout()) columns.push_back(spec.path);
  expected["columns"] = columns;
  EXPECT_EQ(reader.attributes(), expected);
  EXPECT_EQ(reader.read_rows("results/tx_taps", 2, 3), make_block(2, 3).columns[2]);
  EXPECT_EQ(reader.read_rows("results/error", 13, 0), ColumnData(std::vector<std::string>{}));
  EXPECT_NE(input_error_message([&] { reader.read_rows("results/com_dB", 10, 4); }).find("past its end"),
            std::string::npos);
  EXPECT_EQ(reader.read("summary/com_histogram"), ColumnData(std::vector<std::uint64_t>{5, 6, 7, 8, 9, 10}));
  ColumnSpec stored_histogram = histogram;
  stored_histogram.path = "summary/com_histogram";
  EXPECT_EQ(reader.spec("summary/com_histogram"), stored_histogram);
  EXPECT_EQ(reader.read("summary/note"), ColumnData(std::vector<std::string>{"é ok"}));
  const Attributes summary = reader.attributes("summary");
  EXPECT_EQ(summary, (Attributes{{"worst_com_dB", -1.5}, {"worst_variant", std::uint64_t{7}}}));
  EXPECT_NE(input_error_message([&] { reader.read("results/nope"); }).find("results/nope"), std::string::npos);

  // A finished store resumes as finished.
  const ResultsStore again = ResultsStore::resume(file, test_layout(), test_attributes());
  EXPECT_TRUE(again.finished());
  EXPECT_EQ(again.rows(), 13U);
}

TEST(ResultsStore, RefusesExistingUnwritableAndForeignFiles) {
  TempDir dir;
  const fs::path file = dir / "sweep.h5";
  write_store(file, 3);
  std::string message =
      input_error_message([&] { ResultsStore::create(file, test_layout(), test_attributes(), k_identity); });
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("--resume"), std::string::npos) << message;

  const fs::path orphan = dir / "orphan.h5";
  { std::ofstream(journal_of(orphan)) << "x"; }
  message = input_error_message([&] { ResultsStore::create(orphan, test_layout(), test_attributes(), k_identity); });
  EXPECT_NE(message.find(journal_of(orphan).string()), std::string::npos) << message;

  const fs::path unwritable = dir / "no_such_directory" / "sweep.h5";
  message = input_error_message([&] { ResultsStore::create(unwritable, test_layout(), test_attributes(), k_identity); });
  EXPECT_NE(message.find(unwritable.string()), std::string::npos) << message;

  const fs::path garbage = dir / "garbage.h5";
  { std::ofstream(garbage) << "this is not HDF5\n"; }
  message = input_error_message([&] { ResultsFile::open(garbage); });
  EXPECT_NE(message.find(garbage.string()), std::string::npos) << message;
  message = input_error_message([&] { ResultsFile::open(dir / "missing.h5"); });
  EXPECT_NE(message.find("missing.h5"), std::string::npos) << message;
  message = input_error_message([&] { ResultsStore::resume(dir / "missing.h5", test_layout(), test_attributes()); });
  EXPECT_NE(message.find("missing.h5"), std::string::npos) << message;

  EXPECT_THROW(ResultsStore::create(dir / "reserved.h5", test_layout(), {{"complete", std::int64_t{1}}}, {}),
               LogicError);
  ResultsStore store = ResultsStore::create(dir / "typed.h5", test_layout(), test_attributes(), k_identity);
  RowBlock wrong_type = make_block(0, 2);
  wrong_type.columns[1] = std::vector<std::int64_t>{1, 2};
  EXPECT_THROW(store.append(wrong_type), LogicError);
  RowBlock wrong_size = make_block(0, 2);
  wrong_size.rows = 3;
  EXPECT_THROW(store.append(wrong_size), LogicError);
  EXPECT_EQ(store.rows(), 0U);
}

TEST(ResultsStore, ResumeRefusesAnotherSweep) {
  TempDir dir;
  const fs::path file = dir / "sweep.h5";
  {
    ResultsStore store = ResultsStore::create(file, test_layout(), test_attributes(), k_identity);
    store.append(make_block(0, 4));
  }
  std::string message = input_error_message([&] { ResultsStore::resume(file, test_layout(), test_attributes("zzz")); });
  EXPECT_NE(message.find("spec_hash"), std::string::npos) << message;
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;

  Attributes missing = test_attributes();
  missing.erase("num_variants");
  message = input_error_message([&] { ResultsStore::resume(file, test_layout(), missing); });
  EXPECT_NE(message.find("num_variants"), std::string::npos) << message;

  std::vector<ColumnSpec> other = test_layout();
  other[2].width = 4;
  message = input_error_message([&] { ResultsStore::resume(file, other, test_attributes()); });
  EXPECT_NE(message.find("results/tx_taps"), std::string::npos) << message;
  other = test_layout();
  other.pop_back();
  message = input_error_message([&] { ResultsStore::resume(file, other, test_attributes()); });
  EXPECT_NE(message.find("parameters/flags"), std::string::npos) << message;

  // Non-identity attributes may differ; a refused resume changed nothing.
  Attributes later = test_attributes();
  later["start_time"] = std::string("2025-02-01T00:00:00Z");
  ResultsStore store = ResultsStore::resume(file, test_layout(), later);
  EXPECT_EQ(store.rows(), 4U);
  // Two writers of one sweep are refused.
  message = input_error_message([&] { ResultsStore::resume(file, test_layout(), test_attributes()); });
  EXPECT_NE(message.find("locked"), std::string::npos) << message;
}

TEST(ResultsStore, DropsATornJournalTailAndRebuildsACorruptFile) {
  TempDir dir;
  const fs::path file = dir / "sweep.h5";
  {
    ResultsStore store = ResultsStore::create(file, test_layout(), test_attributes(), k_identity);
    store.append(make_block(0, 6));
    store.set_attributes({{"end_time", std::string("later")}});
    store.append(make_block(6, 5));
    store.append(make_block(11, 4));
  }
  fs::resize_file(journal_of(file), fs::file_size(journal_of(file)) - 5);
  {
    ResultsStore store = ResultsStore::resume(file, test_layout(), test_attributes());
    EXPECT_EQ(store.rows(), 11U);  // the torn last block is gone, the ones before it intact
    EXPECT_EQ(ResultsFile::open(file).attributes().at("end_time"), AttributeValue(std::string("later")));
    store.append(make_block(11, 9));
  }
  // The HDF5 file overwritten by garbage: the journal alone rebuilds it.
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    const std::string garbage(4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  {
    ResultsStore store = ResultsStore::resume(file, test_layout(), test_attributes());
    EXPECT_EQ(store.rows(), 20U);
    append_until(store, 31);
    store.finish();
  }
  expect_rows(file, 31);
  EXPECT_EQ(ResultsFile::open(file).attributes().at("end_time"), AttributeValue(std::string("later")));

  // A journal whose header is damaged cannot be trusted at all.
  const fs::path bad = dir / "bad.h5";
  {
    ResultsStore store = ResultsStore::create(bad, test_layout(), test_attributes(), k_identity);
    store.append(make_block(0, 3));
  }
  {
    std::fstream f(journal_of(bad), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x01');
  }
  const std::string message = input_error_message([&] { ResultsStore::resume(bad, test_layout(), test_attributes()); });
  EXPECT_NE(message.find(journal_of(bad).string()), std::string::npos) << message;
}

/// Runs `work` in a child process and kills it with SIGKILL after `delay`; true if it was killed
/// before finishing (false: it exited on its own, with status 0 required).
template <class Work>
bool run_and_kill(Work work, std::chrono::microseconds delay) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      work();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  EXPECT_GT(pid, 0);
  ::usleep(static_cast<useconds_t>(delay.count()));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return true;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child failed, status " << status;
  return false;
}

TEST(ResultsStore, SurvivesKillNineOfTheWriterAndOfTheResume) {
  constexpr std::uint64_t total = 1500;
  TempDir dir;
  const fs::path reference = dir / "reference.h5";
  write_store(reference, total);
  expect_rows(reference, total);
  // Kill delays are drawn from the time of a warm write (the first one also loads the
  // library and fills caches, and may take several times longer).
  const auto start = std::chrono::steady_clock::now();
  write_store(dir / "warm.h5", total);
  const auto writer_time =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);

  const unsigned seed = std::random_device{}();
  std::printf("crash test seed %u, uninterrupted write %lld us\n", seed, static_cast<long long>(writer_time.count()));
  std::mt19937 random(seed);
  std::uniform_int_distribution<long long> delay(0, writer_time.count());
  int killed = 0;
  for (int trial = 0; trial < 6; ++trial) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " trial " + std::to_string(trial));
    const fs::path file = dir / ("crash" + std::to_string(trial) + ".h5");
    killed += run_and_kill([&] { write_store(file, total); }, std::chrono::microseconds(delay(random)));
    if (!fs::exists(journal_of(file)) && !fs::exists(file)) continue;  // killed before it began
    // Then kill a resume (it rebuilds the file, then continues the appends) at a random moment.
    killed += run_and_kill(
        [&] {
          ResultsStore store = ResultsStore::resume(file, test_layout(), test_attributes());
          append_until(store, total);
          store.finish();
        },
        std::chrono::microseconds(delay(random)));
    ResultsStore store = ResultsStore::resume(file, test_layout(), test_attributes());
    ASSERT_LE(store.rows(), total);
    append_until(store, total);
    store.finish();
    expect_rows(file, total);
    EXPECT_FALSE(fs::exists(journal_of(file)));
  }
  std::printf("crash test: %d of 12 processes killed while running\n", killed);
  EXPECT_GT(killed, 0);
}

/// A finished shard holding variants [first, end) of 12.
void write_shard(const fs::path& file, std::uint64_t first, std::uint64_t end, const std::string& name,
                 const std::string& spec_hash = "abc123", bool finish = true) {
  Attributes attributes = test_attributes(spec_hash);
  attributes["shard"] = name;
  attributes["first_variant"] = first;
  attributes["end_variant"] = end;
  ResultsStore store = ResultsStore::create(file, test_layout(), attributes,
                                            {"spec_hash", "num_variants", "shard", "first_variant", "end_variant"});
  store.append(make_block(first, static_cast<std::size_t>(end - first)));
  store.write_group("summary", {{{"count", ColumnType::u64, 1, "", "", {}}, std::vector<std::uint64_t>{end - first}}},
                    {});
  if (finish) store.finish();
}

TEST(SweepMerge, VirtualAndMaterialisedMergesEqualOneUnshardedStore) {
  TempDir dir;
  write_shard(dir / "s0.h5", 0, 4, "1/3");
  write_shard(dir / "s2.h5", 9, 12, "3/3");
  write_shard(dir / "s1.h5", 4, 9, "2/3");
  const std::vector<fs::path> shards{dir / "s2.h5", dir / "s0.h5", dir / "s1.h5"};
  for (const MergeMode mode : {MergeMode::virtual_dataset, MergeMode::materialise}) {
    const fs::path out = dir / (mode == MergeMode::virtual_dataset ? "virtual.h5" : "copy.h5");
    merge_shards(shards, out, mode);
    SCOPED_TRACE(out.string());
    expect_rows(out, 12);
    const Attributes attributes = ResultsFile::open(out).attributes();
    EXPECT_EQ(attributes.at("shard"), AttributeValue(std::string("merged")));
    EXPECT_EQ(attributes.at("first_variant"), AttributeValue(std::uint64_t{0}));
    EXPECT_EQ(attributes.at("end_variant"), AttributeValue(std::uint64_t{12}));
    EXPECT_EQ(attributes.at("spec_hash"), AttributeValue(std::string("abc123")));
    EXPECT_EQ(attributes.at("complete"), AttributeValue(std::int64_t{1}));
    EXPECT_EQ(attributes.at("merged_from"),
              AttributeValue(std::vector<std::string>{(dir / "s0.h5").string(), (dir / "s1.h5").string(),
                                                      (dir / "s2.h5").string()}));
    EXPECT_THROW(ResultsFile::open(out).read("summary/count"), InputError);  // per-shard, not merged
  }
  // The virtual merge refers to the shards by paths relative to itself: the set can move.
  const fs::path moved = dir / "moved";
  fs::create_directories(moved);
  for (const char* name : {"s0.h5", "s1.h5", "s2.h5", "virtual.h5"}) fs::rename(dir / name, moved / name);
  expect_rows(moved / "virtual.h5", 12);
}

TEST(SweepMerge, RefusesIncompleteOverlappingAndForeignShards) {
  TempDir dir;
  write_shard(dir / "s0.h5", 0, 4, "1/3");
  write_shard(dir / "s1.h5", 4, 9, "2/3");
  write_shard(dir / "s2.h5", 9, 12, "3/3");
  write_shard(dir / "overlap.h5", 3, 9, "2/3");
  write_shard(dir / "foreign.h5", 4, 9, "2/3", "other-spec");
  write_shard(dir / "unfinished.h5", 4, 9, "2/3", "abc123", false);
  auto merge_message = [&](std::vector<std::string> names) {
    std::vector<fs::path> shards;
    for (const std::string& name : names) shards.push_back(dir / name);
    return input_error_message([&] { merge_shards(shards, dir / "out.h5", MergeMode::virtual_dataset); });
  };
  std::string message = merge_message({"s0.h5", "s2.h5"});
  EXPECT_NE(message.find("[4, 9)"), std::string::npos) << message;
  EXPECT_NE(message.find("s0.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("s2.h5"), std::string::npos) << message;
  message = merge_message({"s0.h5", "s1.h5"});
  EXPECT_NE(message.find("[9, 12)"), std::string::npos) << message;
  message = merge_message({"s0.h5", "overlap.h5", "s2.h5"});
  EXPECT_NE(message.find("overlap.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("s0.h5"), std::string::npos) << message;
  message = merge_message({"s0.h5", "s1.h5", "s2.h5", "s1.h5"});
  EXPECT_NE(message.find("overlap"), std::string::npos) << message;
  message = merge_message({"s0.h5", "foreign.h5", "s2.h5"});
  EXPECT_NE(message.find("foreign.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("spec_hash"), std::string::npos) << message;
  message = merge_message({"s0.h5", "unfinished.h5", "s2.h5"});
  EXPECT_NE(message.find("unfinished.h5"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
  EXPECT_FALSE(fs::exists(dir / "out.h5.tmp"));
}

}  // namespace
}  // namespace eyesweep
