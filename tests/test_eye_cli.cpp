// `eyesweep eye` as a user meets it: the eyes of the VITA 68.2 channel as text, JSON and HDF5
// (read back with h5py, as users without eyesweep would), the same eyes from the CPU engine,
// and bad options and files refused with exit status 2 and nothing overwritten.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli_runner.hpp"

namespace eyesweep::test {
namespace {

namespace fs = std::filesystem;

std::string vita_link() {
  const fs::path dir = fs::path(EYESWEEP_SOURCE_DIR) / "data/channels/vita68_example2";
  const fs::path config = fs::path(EYESWEEP_SOURCE_DIR) / "configs/vita_kr4.toml";
  return "--config " + config.string() + " --thru " + (dir / "example2_THRU.s4p").string() + " --fext " +
         (dir / "example2_FEXT1.s4p").string() + " " + (dir / "example2_FEXT2.s4p").string() + " --next " +
         (dir / "example2_NEXT1.s4p").string() + " " + (dir / "example2_NEXT2.s4p").string() + " " +
         (dir / "example2_NEXT3.s4p").string();
}

class EyeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("eyesweep_test_eye_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST_F(EyeCli, WritesTheEyesAsTextJsonAndHdf5) {
  const fs::path json = dir_ / "eye.json", h5 = dir_ / "eye.h5";
  const CommandResult r = run_eyesweep("eye " + vita_link() + " --phases 32 --bins 512 --json " + json.string() +
                                       " -o " + h5.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("package case 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("eye height at DER_0"), std::string::npos) << r.output;

  const nlohmann::json doc = read_json(json);
  ASSERT_FALSE(doc["cases"].empty());
  for (const auto& c : doc["cases"]) {
    ASSERT_EQ(c["sub_eyes"].size(), 1u) << "NRZ has one eye";
    const auto& eye = c["sub_eyes"][0];
    EXPECT_GT(eye["height_der0_V"].get<double>(), 0.0);
    EXPECT_EQ(eye["horizontal_bathtub"].size(), 32u);
    EXPECT_EQ(eye["vertical_bathtub"].size(), 512u);
    // Heights shrink as the target error ratio falls.
    const auto& heights = eye["height_V"];
    for (std::size_t t = 1; t < heights.size(); ++t) EXPECT_LE(heights[t].get<double>(), heights[t - 1].get<double>());
  }

  // The HDF5 layout of docs/statistical-eye.md, read by h5py.
  const std::string check = "/usr/bin/python3 -c \"import h5py, sys\n"
                            "f = h5py.File(sys.argv[1], 'r')\n"
                            "assert f.attrs['format'] == 'eyesweep-eyes', f.attrs['format']\n"
                            "g = f['eyes/case_1']\n"
                            "assert g['error_ratio'].shape == (32, 512), g['error_ratio'].shape\n"
                            "T = g['targets'].shape[0]\n"
                            "assert g['contour_lower_V'].shape == (T, 32)\n"
                            "assert g['height_V'][()].reshape(T, -1).shape == (T, 1)\n"
                            "assert g.attrs['levels'] == 2 and g.attrs['engine'] == 'reference'\n"
                            "assert g['pulse_equalized_V'].shape == g['pulse_time_UI'].shape\n"
                            "print('h5 ok')\" " + h5.string() + " 2>&1";
  FILE* pipe = popen(check.c_str(), "r");
  char buffer[4096];
  std::string output;
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  EXPECT_EQ(pclose(pipe), 0) << output;
  EXPECT_NE(output.find("h5 ok"), std::string::npos) << output;
}

TEST_F(EyeCli, CpuEngineDrawsTheSameEye) {
  const fs::path ref = dir_ / "ref.json", cpu = dir_ / "cpu.json";
  const std::string common = "eye " + vita_link() + " --phases 32 --bins 512 --json ";
  ASSERT_EQ(run_eyesweep(common + ref.string()).status, 0);
  const CommandResult r = run_eyesweep(common + cpu.string() + " --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json a = read_json(ref), b = read_json(cpu);
  ASSERT_EQ(a["cases"].size(), b["cases"].size());
  for (std::size_t c = 0; c < a["cases"].size(); ++c) {
    const double bin = a["cases"][c]["voltage_V"]["step"].get<double>();
    const auto& ea = a["cases"][c]["sub_eyes"][0];
    const auto& eb = b["cases"][c]["sub_eyes"][0];
    EXPECT_EQ(b["cases"][c]["engine"], "cpu");
    EXPECT_NEAR(ea["height_der0_V"].get<double>(), eb["height_der0_V"].get<double>(), bin);
    EXPECT_NEAR(ea["threshold_V"].get<double>(), eb["threshold_V"].get<double>(), bin);
  }
}

TEST_F(EyeCli, BadOptionsAndFilesAreRefused) {
  const fs::path out = dir_ / "kept.h5";
  std::ofstream(out) << "an earlier result";
  const auto refused = [&](const std::string& arguments, const std::string& expected) {
    const CommandResult r = run_eyesweep("eye " + arguments);
    EXPECT_EQ(r.status, 2) << arguments << ": " << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << arguments << ": " << r.output;
  };
  refused(vita_link() + " --crosstalk worst", "--crosstalk");
  refused(vita_link() + " --jitter gaussian", "--jitter");
  refused(vita_link() + " --phases 63", "--phases");
  refused(vita_link() + " --targets 1e-6,0.7", "--targets");
  refused(vita_link() + " -o " + out.string(), "exists");
  refused(vita_link() + " -o " + (dir_ / "no/such/eye.h5").string(), "does not exist");
  refused("--config " + (fs::path(EYESWEEP_SOURCE_DIR) / "configs/vita_kr4.toml").string() + " --thru " +
              (dir_ / "missing.s4p").string(),
          "missing.s4p");
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "an earlier result");
}

}  // namespace
}  // namespace eyesweep::test
