// The eyesweep command line as a user meets it: help, a successful run with JSON, and bad
// input answered with a message naming the file or key and exit status 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli_runner.hpp"
#include "tests/test_paths.hpp"

namespace eyesweep::test {
namespace {

CommandResult run(const std::string& arguments) { return run_eyesweep(arguments); }

std::string vita(const char* file) {
  return (std::filesystem::path(EYESWEEP_SOURCE_DIR) / "data/channels/vita68_example2" / file).string();
}

std::string config(const char* name) {
  return (std::filesystem::path(EYESWEEP_SOURCE_DIR) / "configs" / name).string();
}

std::filesystem::path temp_path(const char* name) {
  return std::filesystem::temp_directory_path() / (std::string("eyesweep_test_cli_") + name);
}

TEST(Cli, HelpExplainsEveryComOptionWithUnits) {
  const CommandResult help = run("com --help");
  EXPECT_EQ(help.status, 0);
  for (const char* option : {"--config", "--thru", "--fext", "--next", "--port-order", "--json", "--threads",
                             "--ignore-floating-taps", "GHz", "V^2/GHz"}) {
    EXPECT_NE(help.output.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(run("--help").status, 0);
}

TEST(Cli, ComPrintsEveryCaseAndWritesTheSameAsJson) {
  const auto json_path = temp_path("vita.json");
  std::filesystem::remove(json_path);
  const CommandResult r = run("com --config " + config("vita_kr4.toml") + " --thru " + vita("example2_THRU.s4p") +
                    " --fext " + vita("example2_FEXT1.s4p") + " " + vita("example2_FEXT2.s4p") + " --next " +
                    vita("example2_NEXT1.s4p") + " " + vita("example2_NEXT2.s4p") + " " +
                    vita("example2_NEXT3.s4p") + " --json " + json_path.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Package case 1"), std::string::npos);
  EXPECT_NE(r.output.find("Package case 2"), std::string::npos);
  EXPECT_NE(r.output.find("COM = 3.653 dB"), std::string::npos) << r.output;
  std::ifstream in(json_path);
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["cases"].size(), 2u);
  EXPECT_NEAR(j["COM_dB"].get<double>(), 3.653, 5e-4);
  EXPECT_EQ(j["worst_package_case"].get<int>(), 2);
  for (const char* key : {"FOM_dB", "A_s_mV", "A_ni_mV", "eye_height_mV", "sigma_mV", "equalizer"}) {
    EXPECT_TRUE(j["cases"][0].contains(key)) << key;
  }
  std::filesystem::remove(json_path);
}

struct BadInput {
  const char* what;
  std::string arguments;
  std::string expected;  // must appear in the message
};

void PrintTo(const BadInput& input, std::ostream* os) { *os << input.what; }

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, FailsWithStatus2AndAMessageNamingTheCulprit) {
  const CommandResult r = run(GetParam().arguments);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(GetParam().expected), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("error"), std::string::npos) << r.output;
}

std::vector<BadInput> bad_inputs() {
  const std::string thru = vita("example2_THRU.s4p");
  const std::string bad_touchstone =
      (data_dir() / "touchstone" / "bad").string();
  return {
      {"missing channel file", "com --config " + config("vita_kr4.toml") + " --thru /nonexistent/x.s4p",
       "/nonexistent/x.s4p"},
      {"missing config", "com --config /nonexistent/c.toml --thru " + thru, "/nonexistent/c.toml"},
      {"bad port order", "com --config " + config("vita_kr4.toml") + " --thru " + thru + "@1,1,2,4",
       "1,1,2,4"},
      {"out of range option", "com --config " + config("vita_kr4.toml") + " --thru " + thru + " --threads 5000",
       "--threads"},
      {"empty file name", "com --config " + config("vita_kr4.toml") + " --thru " + thru + " --fext \"\"",
       "--fext"},
      {"unwritable json", "com --config " + config("vita_kr4.toml") + " --thru " + thru + " --json /nonexistent/dir/o.json",
       "/nonexistent/dir"},
  };
}

INSTANTIATE_TEST_SUITE_P(Cases, CliBadInput, ::testing::ValuesIn(bad_inputs()),
                         [](const ::testing::TestParamInfo<BadInput>& param) {
                           std::string name = param.param.what;
                           for (char& ch : name) if (ch == ' ') ch = '_';
                           return name;
                         });

/// A copy of a shipped configuration with one line replaced, in the temp folder.
std::string modified_config(const char* name, const std::string& from, const std::string& to, const char* out) {
  std::ifstream in(config(name));
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
  const auto path = temp_path(out);
  std::ofstream(path) << s;
  return path.string();
}

TEST(Cli, TooManySamplesPerUiIsRefusedNamingTheKey) {
  const CommandResult r = run("com --config " + modified_config("vita_kr4.toml", "M = 32", "M = 300", "m300.toml") +
                              " --thru " + vita("example2_THRU.s4p"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("M = 300"), std::string::npos) << r.output;
}

TEST(Cli, ReportsThePackageCaseNumberOfTheSheet) {
  const CommandResult r = run("com --config " +
                              modified_config("vita_kr4.toml", "\"z_p select\" = [1, 2]", "\"z_p select\" = [2]", "case2.toml") +
                              " --thru " + vita("example2_THRU.s4p"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Package case 2: z_p TX 30 mm"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Package case 1"), std::string::npos) << r.output;
}

TEST(Cli, LocalSearchFollowsTheSheetOnTheReferenceEngineOnly) {
  const std::string sheet =
      modified_config("vita_kr4.toml", "M = 32", "M = 32\n\"Local Search\" = 1", "local1.toml");
  const CommandResult followed = run("com --config " + sheet + " --thru " + vita("example2_THRU.s4p") + " --local-search");
  ASSERT_EQ(followed.status, 0) << followed.output;
  EXPECT_NE(followed.output.find("Local Search = 1 followed"), std::string::npos) << followed.output;
  EXPECT_NE(followed.output.find(" of 2015 grid points"), std::string::npos) << followed.output;
  const CommandResult ignored = run("com --config " + sheet + " --thru " + vita("example2_THRU.s4p"));
  ASSERT_EQ(ignored.status, 0) << ignored.output;
  EXPECT_NE(ignored.output.find("--local-search follows it"), std::string::npos) << ignored.output;
  const CommandResult refused =
      run("com --config " + sheet + " --thru " + vita("example2_THRU.s4p") + " --local-search --backend cpu");
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("--local-search runs on the reference engine"), std::string::npos) << refused.output;
}

TEST(Cli, ReportsAPdfBinCoarserThanTheScripts) {
  // Noise of about 45 A_s (eta_0 10^7 times the sheet's) spreads the combined PDF over more
  // than 2^20 of the script's 0.01 mV bins: the bin is coarsened, and both reports say so.
  const auto json_path = temp_path("noisy.json");
  std::filesystem::remove(json_path);
  const std::string noisy = modified_config("vita_kr4.toml", "eta_0 = 5.2e-8", "eta_0 = 5e-1", "noisy.toml");
  const CommandResult r = run("com --config " + noisy + " --thru " + vita("example2_THRU.s4p") + " --json " +
                              json_path.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(", coarser than the script's 0.01 mV: the interference reaches"), std::string::npos)
      << r.output;
  std::ifstream in(json_path);
  const nlohmann::json j = nlohmann::json::parse(in);
  for (const nlohmann::json& c : j["cases"]) {
    EXPECT_NEAR(c["script_pdf_bin_mV"].get<double>(), 0.01, 1e-12);
    EXPECT_GT(c["pdf_bin_mV"].get<double>(), 0.02);
  }
  // The sheet's own noise keeps the script's bin (and prints no such line).
  const CommandResult quiet = run("com --config " + config("vita_kr4.toml") + " --thru " + vita("example2_THRU.s4p"));
  ASSERT_EQ(quiet.status, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("coarser than the script's"), std::string::npos) << quiet.output;
}

TEST(Cli, C2mSheetReportsTheEyeContourComInTextAndJson) {
  // VITA-KR4 read as a C2M sheet: COM = 20 log10(2 A_s / A_ni) with A_ni = 2 A_s - VEO, the
  // VEO being the worst eye over t_s +- 50 mUI.
  const auto json_path = temp_path("c2m.json");
  std::filesystem::remove(json_path);
  const std::string c2m =
      modified_config("vita_kr4.toml", "M = 32", "M = 32\nPMD_type = \"C2M\"\nT_O = 50", "c2m.toml");
  const CommandResult r =
      run("com --config " + c2m + " --thru " + vita("example2_THRU.s4p") + " --json " + json_path.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("C2M eye      t_s +- 50 mUI"), std::string::npos) << r.output;
  std::ifstream in(json_path);
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_FALSE(j["cases"].empty());
  for (const nlohmann::json& c : j["cases"]) {
    const double a_s = c["A_s_mV"].get<double>(), a_ni = c["A_ni_mV"].get<double>();
    const double veo = c["eye_height_mV"].get<double>();
    EXPECT_NEAR(a_ni, 2.0 * a_s - veo, 1e-9 * a_s);
    EXPECT_NEAR(c["COM_dB"].get<double>(), 20.0 * std::log10(2.0 * a_s / a_ni), 1e-9);
    EXPECT_NEAR(veo, c["c2m_eye"]["eye_top_mV"].get<double>() - c["c2m_eye"]["eye_bottom_mV"].get<double>(), 1e-9);
    EXPECT_EQ(c["c2m_eye"]["window_samples"].get<int>(), 5);  // floor(0.05 x 100 samples per UI)
    // One width per eye (NRZ: one), floor(Left_EW + Right_EW) samples of 1/100 UI, the
    // narrowest reported on its own; an open eye of a real channel is neither shut nor a full UI.
    const nlohmann::json& widths = c["eye_width"]["per_eye"];
    ASSERT_EQ(widths.size(), 1u);
    double narrowest = 1.0;
    for (const nlohmann::json& w : widths) {
      const double width = w["width_UI"].get<double>();
      EXPECT_NEAR(width, std::floor(100.0 * (w["left_UI"].get<double>() + w["right_UI"].get<double>())) / 100.0,
                  1e-12);
      EXPECT_GT(width, 0.1);
      EXPECT_LT(width, 1.0);
      narrowest = std::min(narrowest, width);
    }
    EXPECT_EQ(c["eye_width"]["narrowest_UI"].get<double>(), narrowest);
  }
  EXPECT_NE(r.output.find("eye width    "), std::string::npos) << r.output;
}

TEST(Cli, EwReportsTheEyeWidthOnAnySheetWithoutChangingCom) {
  // The script's EW switch (forced on by C2M): the eye width also on a C2C sheet, and on a C2M
  // sheet with T_O = 0; COM stays the plain one, and without EW no width is reported.
  const auto json_of = [](const std::string& cfg, const char* name) {
    const auto path = temp_path(name);
    std::filesystem::remove(path);
    const CommandResult r = run("com --config " + cfg + " --thru " + vita("example2_THRU.s4p") + " --json " + path.string());
    EXPECT_EQ(r.status, 0) << r.output;
    std::ifstream in(path);
    return std::make_pair(nlohmann::json::parse(in), r.output);
  };
  const auto [plain, plain_text] = json_of(config("vita_kr4.toml"), "plain.json");
  const auto [ew, ew_text] = json_of(modified_config("vita_kr4.toml", "M = 32", "M = 32\nEW = 1", "ew.toml"), "ew.json");
  const auto [c2m, c2m_text] = json_of(
      modified_config("vita_kr4.toml", "M = 32", "M = 32\nPMD_type = \"C2M\"\nT_O = 0", "c2m_t0.toml"), "c2m_t0.json");
  EXPECT_EQ(plain_text.find("eye width    "), std::string::npos) << plain_text;
  EXPECT_NE(ew_text.find("eye width    "), std::string::npos) << ew_text;
  EXPECT_NE(c2m_text.find("eye width    "), std::string::npos) << c2m_text;
  ASSERT_EQ(plain["cases"].size(), ew["cases"].size());
  ASSERT_EQ(plain["cases"].size(), c2m["cases"].size());
  for (std::size_t i = 0; i < plain["cases"].size(); ++i) {
    EXPECT_TRUE(plain["cases"][i]["eye_width"].is_null());
    EXPECT_EQ(ew["cases"][i]["COM_dB"], plain["cases"][i]["COM_dB"]);
    EXPECT_EQ(c2m["cases"][i]["COM_dB"], plain["cases"][i]["COM_dB"]);
    EXPECT_EQ(ew["cases"][i]["eye_width"], c2m["cases"][i]["eye_width"]);
    ASSERT_EQ(ew["cases"][i]["eye_width"]["per_eye"].size(), 1u);
    EXPECT_GT(ew["cases"][i]["eye_width"]["narrowest_UI"].get<double>(), 0.1);
  }
}

TEST(Cli, MinVeoTestReportsTheEyeScoredSearchAndItsRerun) {
  // VITA-KR4 as a C2M sheet on a 42-point grid, Min_VEO_Test beyond every eye: the search
  // runs again with 0, and says so. THRU alone: the winner's eye FOM is its COM.
  const auto json_path = temp_path("min_veo.json");
  std::filesystem::remove(json_path);
  const std::string cfg = modified_config(
      "vita_kr4.toml",
      "\"[-0.18:0.02:0]\"        # [min:step:max]\n\"c(1)\" = \"[-0.38:0.02:0]\"         # [min:step:max]\n"
      "g_DC = \"[-12:1:0]\"",
      "\"[-0.18:0.02:-0.14]\"\n\"c(1)\" = \"[-0.12:0.02:0]\"\ng_DC = \"[-12:1:-11]\"\n"
      "PMD_type = \"C2M\"\nT_O = 50\nMin_VEO_Test = 1000",
      "min_veo.toml");
  const CommandResult r =
      run("com --config " + cfg + " --thru " + vita("example2_THRU.s4p") + " --json " + json_path.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("no eye above Min_VEO_Test = 1000 mV: searched again with 0"), std::string::npos)
      << r.output;
  std::ifstream in(json_path);
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_FALSE(j["cases"].empty());
  for (const nlohmann::json& c : j["cases"]) {
    EXPECT_EQ(c["search"]["min_veo_test_mV"].get<double>(), 1000.0);
    EXPECT_TRUE(c["search"]["min_veo_test_relaxed"].get<bool>());
    EXPECT_NEAR(c["FOM_dB"].get<double>(), c["COM_dB"].get<double>(), 1e-9);
  }
}

TEST(Cli, TooFewFrequencyPointsIsRefusedNamingTheFile) {
  const auto path = temp_path("five_points.s4p");
  {
    std::ofstream out(path);
    out << "# GHz S RI R 50\n";
    for (int i = 0; i < 5; ++i) {
      out << i;
      for (int k = 0; k < 16; ++k) out << (k == 4 || k == 1 ? " 0.9 0" : " 0 0");
      out << "\n";
    }
  }
  const CommandResult r = run("com --config " + config("vita_kr4.toml") + " --thru " + path.string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(path.string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("frequency points"), std::string::npos) << r.output;
}

TEST(Cli, AFailedRunLeavesNoJsonFileBehind) {
  const auto json = temp_path("never.json");
  std::filesystem::remove(json);
  const CommandResult r = run("com --config " + config("vita_kr4.toml") + " --thru /nonexistent/x.s4p --json " + json.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(std::filesystem::exists(json));
}

TEST(Cli, MalformedTouchstoneGivesFileAndLine) {
  // Any file of the malformed corpus: the message carries "<path>:<line>:".
  const auto dir = data_dir() / "touchstone" / "bad";
  ASSERT_TRUE(std::filesystem::is_directory(dir));
  std::filesystem::path file;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".s4p") {
      file = entry.path();
      break;
    }
  }
  ASSERT_FALSE(file.empty()) << "no malformed 4-port file in " << dir;
  const CommandResult r = run("com --config " + config("vita_kr4.toml") + " --thru " + file.string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(file.string() + ":"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace eyesweep::test
