// Tests of io/sweep_spec: the documented example reads into the expected spec, defaults fill
// absent keys, paths resolve against the spec file, resolved_toml reads back to itself and its
// hash follows the content, and every class of bad specification is refused with an
// InputError naming the file, the line and the key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "io/sweep_spec.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// "p<k>": the unit-range parameters of the test registry. (Appending, not "p" + ..., which
/// trips GCC 12's false -Wrestrict warning.)
std::string unit_parameter(int k) {
  std::string name = "p";
  name += std::to_string(k);
  return name;
}

/// A link-model registry for the tests: the example's parameters, one searchable setting,
/// an unbounded one, and p0..p59 in [0, 1] for dimension and size limits.
std::vector<ParameterInfo> test_registry() {
  std::vector<ParameterInfo> r = {
      {"host_tx_swing_Vppd", "Vppd", 0.8, 0.05, 3.0, "host Tx swing", false},
      {"drive_swing_Vppd", "Vppd", 2.0, 0.1, 10.0, "driver swing", true},
      {"tx_board_loss_dB", "dB", 8.0, 0.0, 40.0, "Tx board loss", false},
      {"fiber_loss_dB", "dB", 1.5, 0.0, 20.0, "fiber loss", false},
      {"tia_bandwidth_GHz", "GHz", 33.0, 5.0, 200.0, "TIA bandwidth", false},
      {"rin_dB_per_Hz", "dB/Hz", -145.0, -180.0, -110.0, "RIN", false},
      {"laser_er_dB", "dB", 4.5, 0.5, 20.0, "extinction ratio", false},
      {"tx_sigma_rj_UI", "UI", 0.01, 0.0, 0.2, "random jitter", false},
      {"driver_snr_dB", "dB", 33.0, 10.0, 1000.0, "driver SNR", false},
      {"driver_bandwidth_GHz", "GHz", 38.0, 5.0, 200.0, "driver bandwidth", false},
      {"modulator_bandwidth_GHz", "GHz", 45.0, 5.0, 200.0, "modulator bandwidth", false},
      {"offset_mV", "mV", 0.0, -INFINITY, INFINITY, "unbounded", false},
  };
  for (int k = 0; k < 60; ++k) r.push_back({unit_parameter(k), "1", 0.5, 0.0, 1.0, "unit", false});
  return r;
}

/// A directory tree for one test: specs/ (where the spec lives), configs/ and channels/ with
/// the files the example names.
class SweepSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::temp_directory_path() /
            ("eyesweep_sweep_spec_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "specs");
    std::filesystem::create_directories(root_ / "channels");
    for (const char* name : {"x_thru.s4p", "x_fext1.s4p", "x_fext2.s4p", "x_next1.s4p", "y_thru.s4p"}) {
      std::ofstream(root_ / "channels" / name) << "! placeholder\n";
    }
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::filesystem::path spec_path() const { return root_ / "specs" / "spec.toml"; }

  SweepSpec parse(const std::string& text) const {
    return parse_sweep_spec(text, spec_path(), registry_);
  }

  /// Expects an InputError whose message names spec.toml:line and contains every fragment.
  void expect_error(const std::string& text, int line, const std::vector<std::string>& fragments) const {
    try {
      parse(text);
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const InputError& error) {
      const std::string message = error.what();
      const std::string at = "spec.toml:" + std::to_string(line) + ":";
      EXPECT_NE(message.find(at), std::string::npos) << "no " << at << " in: " << message;
      for (const std::string& fragment : fragments) {
        EXPECT_NE(message.find(fragment), std::string::npos) << "no '" << fragment << "' in: " << message;
      }
    }
  }

  std::filesystem::path root_;
  std::vector<ParameterInfo> registry_ = test_registry();
};

/// The format's documented example (io/sweep_spec.hpp), with files that exist.
const std::string example_spec = R"([sweep]
name = "800G DR8 LPO"
com_config = "../configs/lpo_100g.toml"   # required; relative to this file
sampling = "monte_carlo"      # grid | monte_carlo | low_discrepancy
variants = 2000
seed = 1
margin_thresholds_dB = [0.0, 1.0, 2.0, 3.0]
[link]
host_tx_swing_Vppd = 0.8
[search]
drive_swing_Vppd = [0.6, 0.8, 1.0]
[axes]
tx_board_loss_dB = { distribution = "uniform", min = 0.0, max = 16.0 }
fiber_loss_dB = { values = [0.5, 1.5, 3.0] }
tia_bandwidth_GHz = { range = [28.0, 40.0], steps = 4 }
rin_dB_per_Hz = { distribution = "truncated_normal", mean = -145.0, sigma = 3.0, min = -150.0, max = -136.0 }
laser_er_dB = { distribution = "discrete", values = [3.5, 4.5, 6.0], weights = [1, 2, 1] }
tx_sigma_rj_UI = { distribution = "log_uniform", min = 0.005, max = 0.02 }
driver_snr_dB = { distribution = "normal", mean = 33.0, sigma = 1.0 }
[[corners]]
name = "module_vendor"
parameters = ["driver_bandwidth_GHz", "modulator_bandwidth_GHz"]
values = [[35.0, 40.0], [45.0, 50.0]]
weights = [1.0, 1.0]
[[channel_sets]]
label = "orthobp_12dB"
thru = "../channels/x_thru.s4p"
fext = ["../channels/x_fext1.s4p", "../channels/x_fext2.s4p"]
next = ["../channels/x_next1.s4p"]
port_order = "1 3 2 4"
[[channel_sets]]
label = "other"
thru = "../channels/y_thru.s4p"
)";

/// Minimal [sweep] tables for the other tests: lines 1-3, so a case's own lines start at 4.
const std::string header = "[sweep]\ncom_config = \"c.toml\"\nvariants = 10\n";
const std::string grid_header = "[sweep]\ncom_config = \"c.toml\"\nsampling = \"grid\"\n";

TEST_F(SweepSpecTest, ReadsTheDocumentedExample) {
  const SweepSpec spec = parse(example_spec);
  EXPECT_EQ(spec.name, "800G DR8 LPO");
  EXPECT_EQ(spec.source, spec_path());
  EXPECT_EQ(spec.com_config, (root_ / "configs" / "lpo_100g.toml").lexically_normal());
  EXPECT_TRUE(spec.com_config.is_absolute());
  EXPECT_EQ(spec.sampling, Sampling::monte_carlo);
  EXPECT_EQ(spec.requested_variants, 2000u);
  EXPECT_EQ(spec.num_variants(), 2000u);
  EXPECT_EQ(spec.seed, 1u);
  EXPECT_EQ(spec.margin_thresholds_dB, (std::vector<double>{0.0, 1.0, 2.0, 3.0}));
  EXPECT_EQ(spec.fixed, (std::map<std::string, double>{{"host_tx_swing_Vppd", 0.8}}));
  EXPECT_EQ(spec.search.at("drive_swing_Vppd"), (std::vector<double>{0.6, 0.8, 1.0}));

  ASSERT_EQ(spec.axes.size(), 7u);  // in file order, not toml++'s sorted order
  const std::vector<std::string> order = {"tx_board_loss_dB", "fiber_loss_dB", "tia_bandwidth_GHz",
                                          "rin_dB_per_Hz", "laser_er_dB", "tx_sigma_rj_UI", "driver_snr_dB"};
  for (std::size_t k = 0; k < order.size(); ++k) EXPECT_EQ(spec.axes[k].parameter, order[k]);
  const auto& uniform = spec.axes[0].distribution;
  EXPECT_EQ(uniform.kind, DistributionKind::uniform);
  EXPECT_EQ(uniform.min, 0.0);
  EXPECT_EQ(uniform.max, 16.0);
  EXPECT_EQ(spec.axes[1].distribution.kind, DistributionKind::values);
  EXPECT_EQ(spec.axes[1].distribution.values, (std::vector<double>{0.5, 1.5, 3.0}));
  EXPECT_EQ(spec.axes[2].distribution.kind, DistributionKind::range);
  EXPECT_EQ(spec.axes[2].distribution.values, (std::vector<double>{28.0, 32.0, 36.0, 40.0}));
  const auto& truncated = spec.axes[3].distribution;
  EXPECT_EQ(truncated.kind, DistributionKind::truncated_normal);
  EXPECT_EQ(truncated.mean, -145.0);
  EXPECT_EQ(truncated.sigma, 3.0);
  EXPECT_EQ(truncated.min, -150.0);
  EXPECT_EQ(truncated.max, -136.0);
  EXPECT_EQ(spec.axes[4].distribution.kind, DistributionKind::discrete);
  EXPECT_EQ(spec.axes[4].distribution.weights, (std::vector<double>{0.25, 0.5, 0.25}));
  EXPECT_EQ(spec.axes[5].distribution.kind, DistributionKind::log_uniform);
  EXPECT_EQ(spec.axes[6].distribution.kind, DistributionKind::normal);
  EXPECT_EQ(spec.axes[6].distribution.mean, 33.0);
  EXPECT_EQ(spec.axes[6].distribution.sigma, 1.0);

  ASSERT_EQ(spec.corners.size(), 1u);
  EXPECT_EQ(spec.corners[0].name, "module_vendor");
  EXPECT_EQ(spec.corners[0].parameters,
            (std::vector<std::string>{"driver_bandwidth_GHz", "modulator_bandwidth_GHz"}));
  EXPECT_EQ(spec.corners[0].rows, (std::vector<std::vector<double>>{{35.0, 40.0}, {45.0, 50.0}}));
  EXPECT_EQ(spec.corners[0].weights, (std::vector<double>{0.5, 0.5}));

  ASSERT_EQ(spec.channel_sets.size(), 2u);
  const ChannelFileSet& set = spec.channel_sets[0];
  EXPECT_EQ(set.label, "orthobp_12dB");
  EXPECT_EQ(set.thru, (root_ / "channels" / "x_thru.s4p").lexically_normal());
  ASSERT_EQ(set.fext.size(), 2u);
  EXPECT_EQ(set.fext[1], (root_ / "channels" / "x_fext2.s4p").lexically_normal());
  ASSERT_EQ(set.next.size(), 1u);
  EXPECT_EQ(set.port_order, "1 3 2 4");
  EXPECT_TRUE(spec.channel_sets[1].fext.empty());
  EXPECT_TRUE(spec.channel_sets[1].port_order.empty());
  EXPECT_TRUE(spec.channel_set_weights.empty());
  EXPECT_EQ(spec.hash.size(), 16u);
}

TEST_F(SweepSpecTest, FillsDefaults) {
  const SweepSpec spec = parse("[sweep]\ncom_config = \"/abs/c.toml\"\nvariants = 5\n");
  EXPECT_EQ(spec.name, "spec");  // the file's stem
  EXPECT_EQ(spec.com_config, std::filesystem::path("/abs/c.toml"));
  EXPECT_EQ(spec.sampling, Sampling::monte_carlo);
  EXPECT_EQ(spec.seed, 1u);
  EXPECT_EQ(spec.margin_thresholds_dB, (std::vector<double>{0.0, 1.0, 2.0, 3.0}));
  EXPECT_TRUE(spec.fixed.empty() && spec.search.empty() && spec.axes.empty() && spec.corners.empty() &&
              spec.channel_sets.empty());
  EXPECT_EQ(spec.num_variants(), 5u);
}

TEST_F(SweepSpecTest, AxesMayBeSubTablesAndKeepFileOrder) {
  const SweepSpec spec = parse(header + "[axes.p1]\nvalues = [0.25, 0.75]\n[axes.p0]\n"
                                        "distribution = \"uniform\"\nmin = 0.0\nmax = 0.5\n");
  ASSERT_EQ(spec.axes.size(), 2u);
  EXPECT_EQ(spec.axes[0].parameter, "p1");
  EXPECT_EQ(spec.axes[1].parameter, "p0");
  EXPECT_EQ(spec.axes[1].distribution.max, 0.5);
  EXPECT_EQ(parse_sweep_spec(spec.resolved_toml, spec_path(), registry_).resolved_toml, spec.resolved_toml);
}

TEST_F(SweepSpecTest, GridSizeIsTheProductOfItsDimensions) {
  const SweepSpec spec = parse(R"([sweep]
com_config = "c.toml"
sampling = "grid"
[axes]
fiber_loss_dB = { values = [0.5, 1.5, 3.0] }
tia_bandwidth_GHz = { range = [28.0, 40.0], step = 4.0 }
laser_er_dB = { distribution = "discrete", values = [3.5, 6.0] }
[[corners]]
name = "vendor"
parameters = ["driver_bandwidth_GHz"]
values = [[35.0], [45.0], [50.0]]
[[channel_sets]]
label = "a"
thru = "../channels/x_thru.s4p"
[[channel_sets]]
label = "b"
thru = "../channels/y_thru.s4p"
)");
  EXPECT_EQ(spec.axes[1].distribution.values, (std::vector<double>{28.0, 32.0, 36.0, 40.0}));
  EXPECT_EQ(spec.num_variants(), 3u * 4u * 2u * 3u * 2u);
  EXPECT_EQ(spec.requested_variants, 0u);
}

TEST_F(SweepSpecTest, RangeStepStopsAtOrBelowMax) {
  const auto points = [&](const std::string& axis) {
    return parse("[sweep]\ncom_config = \"c.toml\"\nvariants = 1\n[axes]\np0 = " + axis + "\n")
        .axes[0]
        .distribution.values;
  };
  EXPECT_EQ(points("{ range = [0.0, 0.9], step = 0.3 }"), (std::vector<double>{0.0, 0.3, 0.6, 0.9}));
  EXPECT_EQ(points("{ range = [0.0, 1.0], step = 0.3 }"), (std::vector<double>{0.0, 0.3, 0.6, 0.3 * 3}));
  EXPECT_EQ(points("{ range = [0.0, 1.0], steps = 3 }"), (std::vector<double>{0.0, 0.5, 1.0}));
}

TEST_F(SweepSpecTest, ResolvedTomlIsCanonicalAndHashed) {
  const SweepSpec first = parse(example_spec);
  const SweepSpec second = parse(example_spec);
  EXPECT_EQ(first.resolved_toml, second.resolved_toml);
  EXPECT_EQ(first.hash, second.hash);
  EXPECT_NE(first.resolved_toml.find("com_config = \"" + first.com_config.string() + "\""), std::string::npos);
  EXPECT_NE(first.resolved_toml.find("margin_thresholds_dB"), std::string::npos) << "defaults are written";

  // Read back (from anywhere: its paths are absolute), it is the same spec.
  const SweepSpec again =
      parse_sweep_spec(first.resolved_toml, root_ / "elsewhere" / "results.h5", registry_);
  EXPECT_EQ(again.resolved_toml, first.resolved_toml) << first.resolved_toml;
  EXPECT_EQ(again.hash, first.hash);
  ASSERT_EQ(again.axes.size(), first.axes.size());
  for (std::size_t k = 0; k < again.axes.size(); ++k) {
    EXPECT_EQ(again.axes[k].parameter, first.axes[k].parameter);
    EXPECT_EQ(again.axes[k].distribution.values, first.axes[k].distribution.values);
    EXPECT_EQ(again.axes[k].distribution.weights, first.axes[k].distribution.weights);
  }
  EXPECT_EQ(again.channel_sets[0].thru, first.channel_sets[0].thru);

  // Comments and layout do not change it; values do.
  std::string commented = "# a comment\n" + example_spec;
  EXPECT_EQ(parse(commented).hash, first.hash);
  std::string changed = example_spec;
  changed.replace(changed.find("max = 16.0"), 10, "max = 15.0");
  EXPECT_NE(parse(changed).hash, first.hash);
  std::string reseeded = example_spec;
  reseeded.replace(reseeded.find("seed = 1"), 8, "seed = 2");
  EXPECT_NE(parse(reseeded).hash, first.hash);
}

TEST_F(SweepSpecTest, LoadsFromAFile) {
  std::ofstream(spec_path()) << example_spec;
  const SweepSpec spec = load_sweep_spec(spec_path(), registry_);
  EXPECT_EQ(spec.resolved_toml, parse(example_spec).resolved_toml);
  EXPECT_THROW(load_sweep_spec(root_ / "specs" / "missing.toml", registry_), InputError);
}

TEST_F(SweepSpecTest, RefusesUnknownTablesAndKeys) {
  expect_error(header + "[axis]\np0 = { values = [0.5] }\n", 4, {"[axis]", "did you mean \"axes\""});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nvariants = 10\nseeed = 3\n", 4,
               {"sweep.seeed", "unknown key", "did you mean \"seed\""});
  expect_error(header + "[link]\nfiber_los_dB = 1.0\n", 5,
               {"link.fiber_los_dB", "unknown parameter", "did you mean \"fiber_loss_dB\""});
  expect_error(header + "[axes]\ntia_bandwith_GHz = { values = [30.0] }\n", 5,
               {"axes.tia_bandwith_GHz", "did you mean \"tia_bandwidth_GHz\""});
  expect_error(header + "[axes]\np0 = { values = [0.5], wieghts = [1] }\n", 5, {"axes.p0.wieghts", "did you mean \"weights\""});
  expect_error(header + "[[corners]]\nname = \"c\"\nparameters = [\"fiber_loss\"]\nvalues = [[1.0]]\n", 6,
               {"corners[1].parameters", "did you mean \"fiber_loss_dB\""});
  expect_error(header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\nfxt = []\n", 7,
               {"channel_sets[1].fxt", "did you mean \"fext\""});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nsampling = \"sobol\"\nvariants = 4\n", 3,
               {"sweep.sampling", "unknown sampling \"sobol\"", "low_discrepancy"});
  expect_error(header + "[axes]\np0 = { distribution = \"gaussian\", mean = 0.5, sigma = 0.1 }\n", 5,
               {"axes.p0.distribution", "unknown distribution", "truncated_normal"});
  expect_error(header + "[axes]\np0 = { distribution = \"uniform\", min = 0.0, max = 1.0, mean = 0.5 }\n", 5,
               {"axes.p0.mean", "does not apply to distribution \"uniform\""});
  expect_error(header + "[axes]\np0 = { min = 0.0, max = 1.0 }\n", 5, {"axes.p0", "give values"});
  expect_error(header + "[axes]\np0 = [0.5]\n", 5, {"axes.p0", "expected a table"});
  expect_error(header + "[sweep.x]\n", 4, {"sweep.x", "unknown key"});
  expect_error(header + "[[sweep]]\n", 4, {"TOML syntax error", "sweep"});
  expect_error(header + "[axes\n", 4, {"TOML syntax error"});
}

TEST_F(SweepSpecTest, RefusesAParameterSetTwice) {
  expect_error(header + "[link]\nfiber_loss_dB = 1.0\n[axes]\nfiber_loss_dB = { values = [1.0, 2.0] }\n", 7,
               {"axes.fiber_loss_dB", "already set by link.fiber_loss_dB (line 5)"});
  expect_error(header + "[search]\ndrive_swing_Vppd = [1.0]\n[link]\ndrive_swing_Vppd = 1.0\n", 5,
               {"drive_swing_Vppd", "already set by"});  // [link] is read before [search]
  expect_error(header + "[axes]\np0 = { values = [0.5] }\n[[corners]]\nname = \"c\"\nparameters = [\"p1\", \"p0\"]\n"
                        "values = [[0.1, 0.2]]\n",
               8, {"corners[1].parameters", "already set by axes.p0 (line 5)"});
  expect_error(header + "[[corners]]\nname = \"a\"\nparameters = [\"p0\"]\nvalues = [[0.1]]\n"
                        "[[corners]]\nname = \"b\"\nparameters = [\"p0\"]\nvalues = [[0.1]]\n",
               10, {"corners[2].parameters", "already set by corners[1].parameters"});
}

TEST_F(SweepSpecTest, RefusesValuesOutsideTheRegistryRange) {
  expect_error(header + "[link]\nfiber_loss_dB = 25.0\n", 5,
               {"link.fiber_loss_dB", "25 is outside the valid range [0, 20] of fiber_loss_dB (dB)"});
  expect_error(header + "[search]\nfiber_loss_dB = [1.0]\n", 5, {"search.fiber_loss_dB", "not a searchable"});
  expect_error(header + "[search]\ndrive_swing_Vppd = [1.0, 20.0]\n", 5, {"search.drive_swing_Vppd", "outside the valid range"});
  expect_error(header + "[axes]\np0 = { values = [0.5, 1.5] }\n", 5, {"axes.p0.values", "1.5 is outside"});
  expect_error(header + "[axes]\np0 = { range = [0.0, 2.0], steps = 3 }\n", 5, {"axes.p0.range", "2 is outside"});
  expect_error(header + "[axes]\np0 = { distribution = \"uniform\", min = -0.5, max = 0.5 }\n", 5,
               {"axes.p0", "support [-0.5, 0.5] is outside the valid range [0, 1]"});
  expect_error(header + "[axes]\ntx_board_loss_dB = { distribution = \"normal\", mean = 8.0, sigma = 2.0 }\n", 5,
               {"axes.tx_board_loss_dB", "truncated_normal"});
  expect_error(header + "[[corners]]\nname = \"c\"\nparameters = [\"p0\", \"fiber_loss_dB\"]\nvalues = [[0.5, 1.0],\n"
                        "  [0.5, 30.0]]\n",
               8, {"corners[1].values", "30 is outside"});
  // An unbounded parameter takes a normal of any width.
  EXPECT_NO_THROW(parse(header + "[axes]\noffset_mV = { distribution = \"normal\", mean = 0.0, sigma = 1e6 }\n"));
}

TEST_F(SweepSpecTest, RefusesMalformedDistributions) {
  expect_error(header + "[axes]\np0 = { distribution = \"uniform\", min = 0.5, max = 0.5 }\n", 5,
               {"axes.p0.min", "min must be < max"});
  expect_error(header + "[axes]\np0 = { range = [0.5, 0.2], steps = 3 }\n", 5, {"axes.p0.range", "min must be < max"});
  expect_error(header + "[axes]\np0 = { range = [0.0, 1.0], steps = 3, step = 0.5 }\n", 5,
               {"axes.p0.range", "exactly one of steps"});
  expect_error(header + "[axes]\np0 = { range = [0.0, 1.0], steps = 1 }\n", 5, {"axes.p0.steps", ">= 2"});
  expect_error(header + "[axes]\np0 = { range = [0.0, 1.0], step = 0.0 }\n", 5, {"axes.p0.step", "must be > 0"});
  expect_error(header + "[axes]\np0 = { distribution = \"truncated_normal\", mean = 0.5, sigma = 0.0, min = 0.0, max = 1.0 }\n",
               5, {"axes.p0.sigma", "must be > 0"});
  expect_error(header + "[axes]\noffset_mV = { distribution = \"normal\", mean = 0.0, sigma = -1.0 }\n", 5,
               {"axes.offset_mV.sigma", "must be > 0"});
  expect_error(header + "[axes]\np0 = { distribution = \"truncated_normal\", mean = 0.0, sigma = 0.01, min = 0.9, max = 1.0 }\n",
               5, {"axes.p0", "less than 1e-12"});
  expect_error(header + "[axes]\np0 = { distribution = \"log_uniform\", min = 0.0, max = 1.0 }\n", 5,
               {"axes.p0.min", "min > 0"});
  expect_error(header + "[axes]\np0 = { values = [] }\n", 5, {"axes.p0.values", "empty array"});
  expect_error(header + "[axes]\np0 = { values = [0.5, 0.5] }\n", 5, {"axes.p0.values", "listed twice"});
  expect_error(header + "[axes]\np0 = { values = [0.5, \"x\"] }\n", 5, {"axes.p0.values", "expected a number"});
  expect_error(header + "[axes]\np0 = { distribution = \"discrete\", values = [0.1, 0.2], weights = [1.0] }\n", 5,
               {"axes.p0.weights", "1 weights for 2 values"});
  expect_error(header + "[axes]\np0 = { distribution = \"discrete\", values = [0.1, 0.2], weights = [1.0, -1.0] }\n", 5,
               {"axes.p0.weights", "negative"});
  expect_error(header + "[axes]\np0 = { distribution = \"discrete\", values = [0.1, 0.2], weights = [0, 0] }\n", 5,
               {"axes.p0.weights", "all zero"});
  expect_error(header + "[[corners]]\nname = \"c\"\nparameters = [\"p0\"]\nvalues = [[0.1], [0.2]]\nweights = [1]\n", 8,
               {"corners[1].weights", "1 weights for 2 rows"});
  expect_error(header + "[[corners]]\nname = \"c\"\nparameters = [\"p0\", \"p1\"]\nvalues = [[0.1, 0.2], [0.2]]\n", 7,
               {"corners[1].values", "row 2 has 1 values for 2 parameters"});
  expect_error(header + "[[corners]]\nname = \"c\"\nparameters = []\nvalues = [[0.1]]\n", 6,
               {"corners[1].parameters", "empty array"});
  expect_error(header + "[[corners]]\nparameters = [\"p0\"]\nvalues = [[0.1]]\n", 4, {"corners[1].name", "missing"});
  expect_error(header + "[[corners]]\nname = \"c\"\nparameters = [\"p0\"]\nvalues = [[0.1]]\n"
                        "[[corners]]\nname = \"c\"\nparameters = [\"p1\"]\nvalues = [[0.1]]\n",
               9, {"corners[2].name", "used twice"});
}

TEST_F(SweepSpecTest, RefusesBadSweepSettings) {
  expect_error("[sweep]\nvariants = 10\n", 1, {"sweep.com_config", "missing"});
  expect_error("[sweep]\ncom_config = \"\"\nvariants = 10\n", 2, {"sweep.com_config", "empty"});
  expect_error("[sweep]\ncom_config = \"c.toml\"\n", 1, {"sweep.variants", "missing", "monte_carlo"});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nsampling = \"low_discrepancy\"\n", 1,
               {"sweep.variants", "missing", "low_discrepancy"});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nvariants = 0\n", 3, {"sweep.variants", "must be >= 1"});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nvariants = 10.5\n", 3, {"sweep.variants", "expected an integer"});
  expect_error(grid_header + "variants = 10\n", 4, {"sweep.variants", "not allowed with sampling = \"grid\""});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nvariants = 1\nseed = -1\n", 4, {"sweep.seed", ">= 0"});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nvariants = 1\nmargin_thresholds_dB = [1.0, 0.0]\n", 4,
               {"sweep.margin_thresholds_dB", "increasing"});
  expect_error("[sweep]\ncom_config = \"c.toml\"\nvariants = 1\nmargin_thresholds_dB = []\n", 4,
               {"sweep.margin_thresholds_dB", "empty"});
  try {
    parse("[link]\np0 = 0.5\n");
    ADD_FAILURE() << "accepted a spec without [sweep]";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("spec.toml: [sweep]: missing required table"), std::string::npos)
        << error.what();
  }
}

TEST_F(SweepSpecTest, RefusesWhatAGridCannotEnumerate) {
  expect_error(grid_header + "[axes]\np0 = { distribution = \"uniform\", min = 0.0, max = 1.0 }\n", 5,
               {"axes.p0", "continuous", "grid"});
  expect_error(grid_header + "[axes]\np0 = { distribution = \"discrete\", values = [0.1, 0.2], weights = [1, 2] }\n", 5,
               {"axes.p0.weights", "grid enumerates every value once"});
  expect_error(grid_header + "[[corners]]\nname = \"c\"\nparameters = [\"p0\"]\nvalues = [[0.1]]\nweights = [1]\n", 8,
               {"corners[1].weights", "grid"});
  expect_error(grid_header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\nweight = 2.0\n", 7,
               {"channel_sets[1].weight", "grid"});
  // 1e6 x 1e6 x 2 points: more than 1e12 variants.
  expect_error(grid_header + "[axes]\np0 = { range = [0.0, 1.0], steps = 1000000 }\n"
                             "p1 = { range = [0.0, 1.0], steps = 1000000 }\np2 = { values = [0.0, 1.0] }\n",
               3, {"sweep.sampling", "more than 1e12"});
}

TEST_F(SweepSpecTest, RefusesTooManyLowDiscrepancyDimensions) {
  std::string text = "[sweep]\ncom_config = \"c.toml\"\nsampling = \"low_discrepancy\"\nvariants = 8\n[axes]\n";
  for (int k = 0; k < 54; ++k) text += unit_parameter(k) + " = { values = [0.5] }\n";
  expect_error(text, 3, {"sweep.sampling", "53 dimensions", "this sweep has 54"});
  text.replace(text.find("low_discrepancy"), 15, "monte_carlo");
  EXPECT_NO_THROW(parse(text));
}

TEST_F(SweepSpecTest, MeasuredBoardsAreFileDimensionsOfTheirOwn) {
  const SweepSpec spec = parse(grid_header + R"([axes]
fiber_loss_dB = { values = [0.5, 1.5, 3.0] }
[[tx_boards]]
label = "host_a"
thru = "../channels/x_thru.s4p"
fext = ["../channels/x_fext1.s4p"]
port_order = "1 2 3 4"
[[tx_boards]]
label = "host_b"
thru = "../channels/y_thru.s4p"
[[rx_boards]]
label = "module_a"
thru = "../channels/x_thru.s4p"
fext = ["../channels/x_fext1.s4p", "../channels/x_fext2.s4p"]
next = ["../channels/x_next1.s4p"]
)");
  EXPECT_EQ(spec.num_variants(), 3u * 2u * 1u);
  ASSERT_EQ(spec.tx_boards.size(), 2u);
  EXPECT_EQ(spec.tx_boards[0].fext.size(), 1u);
  EXPECT_EQ(spec.tx_boards[0].port_order, "1 2 3 4");
  ASSERT_EQ(spec.rx_boards.size(), 1u);
  EXPECT_EQ(spec.rx_boards[0].next.size(), 1u);
  EXPECT_TRUE(spec.channel_sets.empty());
  const auto dimensions = spec.file_dimensions();
  EXPECT_EQ(dimensions[1].table, "tx_boards");
  EXPECT_EQ(&dimensions[2].sets, &spec.rx_boards);
  // The resolved text reads back to the same boards.
  const SweepSpec again = parse_sweep_spec(spec.resolved_toml, root_ / "elsewhere" / "r.h5", registry_);
  EXPECT_EQ(again.resolved_toml, spec.resolved_toml) << spec.resolved_toml;
  ASSERT_EQ(again.rx_boards.size(), 1u);
  EXPECT_EQ(again.rx_boards[0].fext, spec.rx_boards[0].fext);
  EXPECT_EQ(again.tx_boards[1].thru, spec.tx_boards[1].thru);
}

TEST_F(SweepSpecTest, RefusesBoardsThatCannotBe) {
  expect_error(header + "[[tx_boards]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\nnext = []\n", 7,
               {"tx_boards[1].next", "unknown key"});
  expect_error(header + "[[rx_boards]]\nlabel = \"a\"\nthru = \"../channels/gone.s4p\"\n", 6,
               {"rx_boards[1].thru", "gone.s4p does not exist"});
  expect_error(grid_header + "[[rx_boards]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\nweight = 2.0\n", 7,
               {"rx_boards[1].weight", "grid"});
  expect_error(header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\n"
                        "[[tx_boards]]\nlabel = \"b\"\nthru = \"../channels/y_thru.s4p\"\n",
               7, {"[[tx_boards]]", "whole measured channels"});
}

TEST_F(SweepSpecTest, RefusesMissingChannelFiles) {
  expect_error(header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/nope_thru.s4p\"\n", 6,
               {"channel_sets[1].thru", "nope_thru.s4p does not exist"});
  expect_error(header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\n"
                        "fext = [\"../channels/x_fext1.s4p\",\n        \"../channels/gone.s4p\"]\n",
               8, {"channel_sets[1].fext", "gone.s4p does not exist"});
  expect_error(header + "[[channel_sets]]\nlabel = \"a\"\n", 4, {"channel_sets[1].thru", "missing"});
  expect_error(header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\n"
                        "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/y_thru.s4p\"\n",
               8, {"channel_sets[2].label", "used twice"});
  expect_error(header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\nweight = -1.0\n", 7,
               {"channel_sets.weight", "negative"});
}

TEST_F(SweepSpecTest, NormalisesChannelSetWeights) {
  const SweepSpec spec = parse(header + "[[channel_sets]]\nlabel = \"a\"\nthru = \"../channels/x_thru.s4p\"\nweight = 3.0\n"
                                        "[[channel_sets]]\nlabel = \"b\"\nthru = \"../channels/y_thru.s4p\"\n");
  EXPECT_EQ(spec.channel_set_weights, (std::vector<double>{0.75, 0.25}));  // b takes the default 1
}

}  // namespace
}  // namespace eyesweep
