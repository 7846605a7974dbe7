// `eyesweep sweep`, `summarize`, `merge`, `inspect` and the plots as a user meets them: a small
// LPO sweep written to HDF5; killed with SIGKILL at random moments and resumed into a file
// identical to an uninterrupted run; sharded and merged (virtual and copied) into the same
// rows; bad specifications, options and files refused with exit status 2 and nothing lost.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "io/results_store.hpp"
#include "tests/cli_runner.hpp"
#include "tests/test_paths.hpp"

extern char** environ;

namespace eyesweep::test {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(EYESWEEP_TEST_DATA_DIR) / "sweep";

std::string spec() { return (kData / "lpo_small.toml").string(); }

/// A fresh directory for one test's files.
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("eyesweep_test_sweep_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool same_values(const ColumnData& a, const ColumnData& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<std::vector<double>>(&a)) {
    const auto& y = std::get<std::vector<double>>(b);
    if (x->size() != y.size()) return false;
    for (std::size_t i = 0; i < x->size(); ++i) {
      if (std::memcmp(&(*x)[i], &y[i], sizeof(double)) != 0) return false;  // bitwise: NaN equals NaN
    }
    return true;
  }
  return a == b;
}

/// Every column of `b` equals `a`'s, value for value (results, parameters, variant indices).
void expect_same_rows(const fs::path& a, const fs::path& b) {
  const ResultsFile fa = ResultsFile::open(a), fb = ResultsFile::open(b);
  ASSERT_EQ(fa.rows(), fb.rows()) << a << " vs " << b;
  const std::vector<ColumnSpec> layout = fa.layout();
  ASSERT_EQ(layout.size(), fb.layout().size());
  for (const ColumnSpec& column : layout) {
    EXPECT_TRUE(same_values(fa.read(column.path), fb.read(column.path))) << column.path << ": " << a << " vs " << b;
  }
}

std::int64_t int_attribute(const fs::path& file, const std::string& key) {
  return std::get<std::int64_t>(ResultsFile::open(file).attributes().at(key));
}

/// Starts `eyesweep args...` without waiting; its output goes to `log`.
pid_t spawn_eyesweep(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv_text{EYESWEEP_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, EYESWEEP_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

class Sweep : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = scratch("reference");
    reference_ = dir_ / "whole.h5";
    const CommandResult r = run_eyesweep("sweep " + spec() + " -o " + reference_.string() +
                                         " --backend cpu --keep-eyes 2 --eye-variants 5 --phases 16 --bins 256");
    ASSERT_EQ(r.status, 0) << r.output;
    output_ = r.output;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_, reference_;
  static std::string output_;
};
fs::path Sweep::dir_, Sweep::reference_;
std::string Sweep::output_;

TEST_F(Sweep, WritesEveryVariantAndPrintsTheYield) {
  EXPECT_NE(output_.find("Yield"), std::string::npos) << output_;
  EXPECT_NE(output_.find("engine: "), std::string::npos) << output_;
  const ResultsFile file = ResultsFile::open(reference_);
  EXPECT_EQ(file.rows(), 24u);
  EXPECT_EQ(int_attribute(reference_, "complete"), 1);
  const auto index = std::get<std::vector<std::uint64_t>>(file.read("variant_index"));
  for (std::uint64_t i = 0; i < index.size(); ++i) EXPECT_EQ(index[i], i);
  const auto ok = std::get<std::vector<std::int8_t>>(file.read("results/ok"));
  const auto com = std::get<std::vector<double>>(file.read("results/com_dB"));
  const auto power = std::get<std::vector<double>>(file.read("results/module_power_W"));
  const auto loss = std::get<std::vector<double>>(file.read("parameters/tx_board_loss_dB"));
  double spread = 0.0;
  for (std::size_t i = 0; i < com.size(); ++i) {
    ASSERT_EQ(ok[i], 1) << "variant " << i;
    EXPECT_TRUE(std::isfinite(com[i]));
    EXPECT_GT(power[i], 0.0);
    EXPECT_GE(loss[i], 2.0);
    EXPECT_LE(loss[i], 16.0);
    spread = std::max(spread, std::abs(com[i] - com[0]));
  }
  EXPECT_GT(spread, 0.1) << "the variants differ, so must their margins";
  // The summary group and provenance are there for readers without eyesweep.
  const Attributes attributes = file.attributes();
  for (const char* key : {"spec", "spec_hash", "com_config_text", "seed", "backend", "device", "eyesweep_version",
                          "git_revision", "start_time", "end_time"}) {
    EXPECT_TRUE(attributes.count(key)) << key;
  }
  EXPECT_FALSE(fs::exists(reference_.string() + ".journal"));
}

TEST_F(Sweep, KeepsTheEyesOfTheWorstAndOfTheListedVariants) {
  const ResultsFile file = ResultsFile::open(reference_);
  const auto worst = std::get<std::vector<std::uint64_t>>(file.read("summary/worst_variant_index"));
  const auto com = std::get<std::vector<double>>(file.read("results/com_dB"));
  ASSERT_GE(worst.size(), 2u);
  for (std::uint64_t index : {worst[0], worst[1], std::uint64_t{5}}) {
    char group[32];
    std::snprintf(group, sizeof group, "eyes/variant_%09llu", static_cast<unsigned long long>(index));
    const ColumnSpec map = file.spec(std::string(group) + "/error_ratio");
    EXPECT_EQ(map.width, 256u) << group;
    EXPECT_EQ(std::get<std::vector<double>>(file.read(std::string(group) + "/phase_UI")).size(), 16u) << group;
    const Attributes attributes = file.attributes(group);
    EXPECT_EQ(std::get<std::int64_t>(attributes.at("variant")), static_cast<std::int64_t>(index));
    EXPECT_EQ(std::get<std::int64_t>(attributes.at("levels")), 4);
    // The eye is drawn with the row's own winner: the recomputed search gives the same COM.
    EXPECT_DOUBLE_EQ(std::get<double>(attributes.at("com_dB")), com[index]) << group;
  }
  EXPECT_NE(output_.find("statistical eyes of 3 variants"), std::string::npos) << output_;
}

TEST_F(Sweep, KilledAtRandomMomentsResumesIntoTheSameFile) {
  const fs::path dir = scratch("kill");
  const unsigned seed = static_cast<unsigned>(std::random_device{}());
  std::mt19937 rng(seed);
  SCOPED_TRACE("kill delays drawn with seed " + std::to_string(seed));
  for (int trial = 0; trial < 3; ++trial) {
    const fs::path out = dir / ("killed" + std::to_string(trial) + ".h5");
    const int delay_ms = std::uniform_int_distribution<int>(50, 2500)(rng);
    const pid_t pid = spawn_eyesweep({"sweep", spec(), "-o", out.string(), "--backend", "cpu", "--batch", "2"},
                                     dir / "first.log");
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!fs::exists(out)) continue;  // killed before it created the file: nothing to resume
    const CommandResult resumed =
        run_eyesweep("sweep " + spec() + " -o " + out.string() + " --backend cpu --batch 2 --resume");
    ASSERT_EQ(resumed.status, 0) << "trial " << trial << " after " << delay_ms << " ms: " << resumed.output;
    expect_same_rows(reference_, out);
    EXPECT_EQ(int_attribute(out, "complete"), 1);
  }
  fs::remove_all(dir);
}

TEST_F(Sweep, ThreadCountsDoNotChangeAnyResult) {
  const fs::path dir = scratch("threads");
  const fs::path out = dir / "one_thread.h5";
  const CommandResult r = run_eyesweep("sweep " + spec() + " -o " + out.string() + " --backend cpu --threads 1 --batch 5");
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_rows(reference_, out);
  fs::remove_all(dir);
}

TEST_F(Sweep, AFullDiskStopsTheSweepAndResumingCompletesIt) {
  const fs::path dir = scratch("full");
  const fs::path out = dir / "full.h5";
  // A file-size limit stands in for a full disk: writes beyond it fail with EFBIG.
  const std::string limited = "bash -c \"trap '' XFSZ; ulimit -f 32; exec " + std::string(EYESWEEP_BINARY) + " sweep " +
                              spec() + " -o " + out.string() + " --backend cpu --batch 2\" 2>&1";
  FILE* pipe = popen(limited.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = WEXITSTATUS(pclose(pipe));
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find(out.string()), std::string::npos) << "the error names the file: " << output;
  ASSERT_TRUE(fs::exists(out.string() + ".journal")) << output;
  const CommandResult resumed = run_eyesweep("sweep " + spec() + " -o " + out.string() + " --backend cpu --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  expect_same_rows(reference_, out);
  fs::remove_all(dir);
}

TEST_F(Sweep, ShardsMergeIntoTheWholeSweep) {
  const fs::path dir = scratch("shards");
  std::vector<std::string> shards;
  for (int k = 1; k <= 3; ++k) {
    const fs::path out = dir / ("shard" + std::to_string(k) + ".h5");
    const CommandResult r = run_eyesweep("sweep " + spec() + " -o " + out.string() + " --backend cpu --shard " +
                                         std::to_string(k) + "/3");
    ASSERT_EQ(r.status, 0) << r.output;
    shards.push_back(out.string());
  }
  const std::string all = shards[0] + " " + shards[1] + " " + shards[2];
  const CommandResult merged = run_eyesweep("merge " + shards[2] + " " + shards[0] + " " + shards[1] + " -o " +
                                            (dir / "virtual.h5").string());
  ASSERT_EQ(merged.status, 0) << merged.output;
  EXPECT_NE(merged.output.find("Yield"), std::string::npos);
  expect_same_rows(reference_, dir / "virtual.h5");
  const CommandResult copied = run_eyesweep("merge " + all + " -o " + (dir / "copy.h5").string() + " --copy");
  ASSERT_EQ(copied.status, 0) << copied.output;
  expect_same_rows(reference_, dir / "copy.h5");

  const CommandResult missing = run_eyesweep("merge " + shards[0] + " " + shards[2] + " -o " + (dir / "gap.h5").string());
  EXPECT_EQ(missing.status, 2) << missing.output;
  const CommandResult twice = run_eyesweep("merge " + all + " " + shards[1] + " -o " + (dir / "twice.h5").string());
  EXPECT_EQ(twice.status, 2) << twice.output;
  fs::remove_all(dir);
}

TEST_F(Sweep, SummarizeAndInspectReadTheFile) {
  const CommandResult summary = run_eyesweep("summarize " + reference_.string());
  ASSERT_EQ(summary.status, 0) << summary.output;
  EXPECT_NE(summary.output.find("Yield"), std::string::npos) << summary.output;
  const CommandResult inspect = run_eyesweep("inspect " + reference_.string() + " --variant 5");
  ASSERT_EQ(inspect.status, 0) << inspect.output;
  for (const char* text : {"tx_board_loss_dB", "tia_ctle_dB", "best setting", "stored: COM"}) {
    EXPECT_NE(inspect.output.find(text), std::string::npos) << text << "\n" << inspect.output;
  }
  const CommandResult beyond = run_eyesweep("inspect " + reference_.string() + " --variant 24");
  EXPECT_EQ(beyond.status, 2) << beyond.output;
  EXPECT_NE(beyond.output.find("--variant"), std::string::npos) << beyond.output;
}

TEST_F(Sweep, PlotsRenderFromTheFile) {
  const fs::path dir = scratch("plots");
  const std::string script = (fs::path(EYESWEEP_SOURCE_DIR) / "scripts" / "plot_sweep.py").string();
  const std::vector<std::string> plots{
      "margin-map " + reference_.string() + " --x tx_board_loss_dB --y rx_board_loss_dB",
      "yield " + reference_.string(), "pareto " + reference_.string(), "histogram " + reference_.string()};
  for (std::size_t k = 0; k < plots.size(); ++k) {
    const fs::path png = dir / ("plot" + std::to_string(k) + ".png");
    const std::string command = "/usr/bin/python3 " + script + " " + plots[k] + " -o " + png.string() + " 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    ASSERT_TRUE(fs::exists(png)) << command;
    EXPECT_GT(fs::file_size(png), 5000u) << command;
    std::ifstream in(png, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG") << png;
  }
  fs::remove_all(dir);
}

/// A sweep over measured channel sets at the IEEE sheet's package case 1 and its own noise
/// reproduces the IEEE script's COM (shared/channels/reference-results.md, 3ck C2C
/// exhaustive): the sweep path adds nothing to the engines' answer.
TEST(SweepMeasured, PackageCaseOneReproducesTheIeeeScript) {
  const fs::path dir = scratch("measured");
  const fs::path channels = shared_dir() / "channels";
  const auto files = [&](const std::string& set, const std::string& stem, std::initializer_list<const char*> names) {
    std::string list = "[";
    for (const char* name : names) {
      list += (list.size() > 1 ? ", \"" : "\"") + (channels / set / (stem + name + ".s4p")).string() + "\"";
    }
    return list + "]";
  };
  const std::string ortho = "ieee8023ck_orthobp_12dB", ca = "ieee8023ck_ca_19p75dB";
  std::ofstream(dir / "ck.toml")
      << "[sweep]\nname = \"case 1\"\ncom_config = \"" << (fs::path(EYESWEEP_SOURCE_DIR) / "configs" / "ieee8023ck_c2c.toml").string()
      << "\"\nsampling = \"grid\"\n[link]\nhost_tx_package_mm = 13.0\nhost_rx_package_mm = 11.0\n"
      << "[[channel_sets]]\nlabel = \"orthobp_12dB\"\nthru = \"" << (channels / ortho / "DPO_4in_Meg7_THRU.s4p").string()
      << "\"\nfext = " << files(ortho, "DPO_4in_Meg7_", {"FENG1415", "FENG89", "FENH1112", "FENH1415", "FENH89"})
      << "\nnext = " << files(ortho, "DPO_4in_Meg7_", {"NENF1112", "NENF1415", "NENF89"})
      << "\n[[channel_sets]]\nlabel = \"ca_19p75dB\"\nthru = \"" << (channels / ca / "CA_19p75dB_thru.s4p").string()
      << "\"\nfext = " << files(ca, "CA_19p75dB_", {"fext1", "fext2", "fext3", "fext4", "fext5", "fext6", "fext7"})
      << "\nnext = " << files(ca, "CA_19p75dB_", {"next1", "next2", "next3", "next4", "next5", "next6", "next7", "next8"})
      << "\n";
  ASSERT_TRUE(fs::exists(channels / ortho)) << "the real channels are expected in " << channels;
  const fs::path out = dir / "ck.h5";
  const CommandResult r = run_eyesweep("sweep " + (dir / "ck.toml").string() + " -o " + out.string() + " --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto com = std::get<std::vector<double>>(ResultsFile::open(out).read("results/com_dB"));
  ASSERT_EQ(com.size(), 2u);
  EXPECT_NEAR(com[0], 3.407, 5.5e-4);  // the script prints 3 decimals
  EXPECT_NEAR(com[1], 1.949, 5.5e-4);
  fs::remove_all(dir);
}

/// Measured boards inside the LPO link: each [[tx_boards]] entry is a value of its own
/// dimension, stored by index with its labels, shown by inspect; the loss they fix cannot be
/// swept as well.
TEST(SweepBoards, MeasuredTxBoardsAreSweptStoredAndInspected) {
  const fs::path dir = scratch("boards");
  const fs::path channels = shared_dir() / "channels";
  ASSERT_TRUE(fs::exists(channels / "ieee8023ck_orthobp_12dB")) << "the real channels are expected in " << channels;
  const fs::path ortho = channels / "ieee8023ck_orthobp_12dB";
  const std::string spec_text =
      "[sweep]\ncom_config = \"" + (kData / "lpo_host_small.toml").string() + "\"\nsampling = \"grid\"\n" +
      "[link]\nmodulator_vpi_V = 4.5\n[axes]\nrx_board_loss_dB = { values = [6.0] }\n" +
      "[[tx_boards]]\nlabel = \"orthobp_12dB\"\nthru = \"" + (ortho / "DPO_4in_Meg7_THRU.s4p").string() +
      "\"\nfext = [\"" + (ortho / "DPO_4in_Meg7_FENG89.s4p").string() + "\"]\n" +
      "[[tx_boards]]\nlabel = \"ca_19p75dB\"\nthru = \"" +
      (channels / "ieee8023ck_ca_19p75dB" / "CA_19p75dB_thru.s4p").string() + "\"\n";
  std::ofstream(dir / "boards.toml") << spec_text;
  const fs::path out = dir / "boards.h5";
  const CommandResult r = run_eyesweep("sweep " + (dir / "boards.toml").string() + " -o " + out.string() + " --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  const ResultsFile file = ResultsFile::open(out);
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(file.read("parameters/tx_board")), (std::vector<std::int64_t>{0, 1}));
  const auto com = std::get<std::vector<double>>(file.read("results/com_dB"));
  ASSERT_EQ(com.size(), 2u);
  EXPECT_GT(com[0], com[1]) << "the 19.75 dB cable assembly as a board loses more than the 12 dB backplane";
  const CommandResult inspected = run_eyesweep("inspect " + out.string() + " --variant 1");
  ASSERT_EQ(inspected.status, 0) << inspected.output;
  EXPECT_NE(inspected.output.find("ca_19p75dB"), std::string::npos) << inspected.output;

  // The boards fix the Tx-side loss: sweeping it as well is refused before anything is written.
  std::string both = spec_text;
  both.replace(both.find("[axes]\n"), 7, "[axes]\ntx_board_loss_dB = { values = [3.0] }\n");
  std::ofstream(dir / "both.toml") << both;
  const CommandResult refused = run_eyesweep("sweep " + (dir / "both.toml").string() + " -o " + (dir / "both.h5").string());
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("tx_board_loss_dB: has no effect"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(dir / "both.h5"));
  fs::remove_all(dir);
}

TEST(SweepMmse, The200gExampleStoresItsRxFfeTaps) {
  const fs::path dir = scratch("mmse");
  const fs::path out = dir / "lpo200.h5";
  const CommandResult r = run_eyesweep("sweep " + (fs::path(EYESWEEP_SOURCE_DIR) / "examples" / "lpo_1p6t_dr8.toml").string() +
                                       " -o " + out.string() + " --variants 1");
  ASSERT_EQ(r.status, 0) << r.output;
  const ResultsFile file = ResultsFile::open(out);
  ASSERT_EQ(std::get<std::vector<std::int8_t>>(file.read("results/ok")), std::vector<std::int8_t>{1});
  const auto taps = std::get<std::vector<double>>(file.read("results/rx_ffe_taps"));
  ASSERT_EQ(taps.size(), 16u);  // one variant x 16 taps, the main tap (5 pre-cursor taps before it) 1
  EXPECT_EQ(taps[5], 1.0);
  for (double w : taps) EXPECT_LE(std::abs(w), 1.0);
  EXPECT_TRUE(std::isfinite(std::get<std::vector<double>>(file.read("results/com_dB"))[0]));
  const CommandResult inspected = run_eyesweep("inspect " + out.string() + " --variant 0");
  ASSERT_EQ(inspected.status, 0) << inspected.output;
  EXPECT_NE(inspected.output.find("Rx FFE taps (main tap 1):"), std::string::npos) << inspected.output;
  fs::remove_all(dir);
}

TEST(SweepInput, BadInputIsRefusedAndNothingIsLost) {
  const fs::path dir = scratch("bad");
  // An unknown parameter: named, with its line.
  const fs::path bad = dir / "bad.toml";
  {
    std::ifstream in(spec());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("tia_noise_pA_rtHz"), std::strlen("tia_noise_pA_rtHz"), "tia_noize_pA_rtHz");
    const std::string config = (kData / "lpo_host_small.toml").string();
    const auto at = text.find("\"lpo_host_small.toml\"");
    text.replace(at + 1, std::strlen("lpo_host_small.toml"), config);
    std::ofstream(bad) << text;
  }
  const CommandResult unknown = run_eyesweep("sweep " + bad.string() + " -o " + (dir / "x.h5").string());
  EXPECT_EQ(unknown.status, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("tia_noize_pA_rtHz"), std::string::npos) << unknown.output;
  EXPECT_FALSE(fs::exists(dir / "x.h5"));

  // An existing result is never overwritten; --resume with another seed is refused.
  const fs::path out = dir / "kept.h5";
  ASSERT_EQ(run_eyesweep("sweep " + spec() + " -o " + out.string() + " --backend cpu --variants 4").status, 0);
  const auto size = fs::file_size(out);
  const CommandResult again = run_eyesweep("sweep " + spec() + " -o " + out.string() + " --variants 4");
  EXPECT_EQ(again.status, 2) << again.output;
  EXPECT_EQ(fs::file_size(out), size);
  const CommandResult other_seed =
      run_eyesweep("sweep " + spec() + " -o " + out.string() + " --variants 4 --seed 99 --resume");
  EXPECT_EQ(other_seed.status, 2) << other_seed.output;
  EXPECT_NE(other_seed.output.find("seed"), std::string::npos) << other_seed.output;
  EXPECT_EQ(fs::file_size(out), size);

  const CommandResult forced = run_eyesweep("sweep " + spec() + " -o " + out.string() + " --backend cpu --variants 3 --force");
  EXPECT_EQ(forced.status, 0) << forced.output;
  EXPECT_EQ(ResultsFile::open(out).rows(), 3u);

  const CommandResult nowhere = run_eyesweep("sweep " + spec() + " -o " + (dir / "no" / "such" / "x.h5").string());
  EXPECT_EQ(nowhere.status, 2) << nowhere.output;
  EXPECT_NE(nowhere.output.find("no/such/x.h5"), std::string::npos) << nowhere.output;

  // A channel set whose file is missing: named, nothing written.
  const fs::path missing = dir / "missing.toml";
  std::ofstream(missing) << "[sweep]\nname = \"m\"\ncom_config = \"" << (kData / "lpo_host_small.toml").string()
                         << "\"\nsampling = \"grid\"\n[[channel_sets]]\nlabel = \"gone\"\nthru = \"nowhere_thru.s4p\"\n";
  const CommandResult gone = run_eyesweep("sweep " + missing.string() + " -o " + (dir / "m.h5").string());
  EXPECT_EQ(gone.status, 2) << gone.output;
  EXPECT_NE(gone.output.find("nowhere_thru.s4p"), std::string::npos) << gone.output;
  EXPECT_FALSE(fs::exists(dir / "m.h5"));

  for (const char* shard : {"0/3", "4/3", "two/3"}) {
    const CommandResult r = run_eyesweep("sweep " + spec() + " -o " + (dir / "s.h5").string() + " --shard " + shard);
    EXPECT_EQ(r.status, 2) << shard << ": " << r.output;
    EXPECT_NE(r.output.find("--shard"), std::string::npos) << r.output;
  }
  // Eye options are checked before anything is written, and --force removes nothing then.
  const auto forced_size = fs::file_size(out);
  for (const std::string& eye_option : {std::string("--eye-variants 24"), std::string("--keep-eyes 1 --phases 7"),
                                        std::string("--keep-eyes 1 --crosstalk worst")}) {
    const CommandResult r = run_eyesweep("sweep " + spec() + " -o " + out.string() + " --force " + eye_option);
    EXPECT_EQ(r.status, 2) << eye_option << ": " << r.output;
    EXPECT_NE(r.output.find(eye_option.substr(eye_option.rfind("--"), eye_option.rfind(' ') - eye_option.rfind("--"))),
              std::string::npos) << r.output;
    EXPECT_EQ(fs::file_size(out), forced_size) << eye_option;
  }
  const CommandResult not_hdf5 = run_eyesweep("summarize " + spec());
  EXPECT_EQ(not_hdf5.status, 2) << not_hdf5.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eyesweep::test
