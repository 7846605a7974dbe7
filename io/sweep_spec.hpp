// The sweep specification (TOML): which link parameters a sweep fixes, searches and varies,
// how variants are sampled, and which measured channel sets it runs; read and fully checked
// against the link model's parameter registry before anything runs.
//
// Format (every table but [sweep] is optional; keys are case-sensitive):
//
//   [sweep]
//   name = "800G DR8 LPO"             # default: the file's stem
//   com_config = "../configs/lpo_100g.toml"   # required; relative to this file
//   sampling = "monte_carlo"          # grid | monte_carlo | low_discrepancy (default monte_carlo)
//   variants = 2000                   # required (>= 1) for monte_carlo / low_discrepancy;
//                                     # refused for grid, whose size is the product of its axes
//   seed = 1                          # integer >= 0 (default 1)
//   margin_thresholds_dB = [0.0, 1.0, 2.0, 3.0]   # increasing (default [0, 1, 2, 3])
//
//   [link]                            # fixed template values: registry name = number
//   host_tx_swing_Vppd = 0.8
//
//   [search]                          # module settings searched per variant (searchable
//   drive_swing_Vppd = [0.6, 0.8, 1.0]   # registry parameters only): name = [values]
//
//   [axes]                            # one swept parameter per key, in file order
//   fiber_loss_dB = { values = [0.5, 1.5, 3.0] }                    # equal weights
//   tia_bandwidth_GHz = { range = [28.0, 40.0], steps = 4 }         # 4 points, ends included
//   tia_ctle_dB = { range = [0.0, 6.0], step = 2.0 }                # 0, 2, 4, 6
//   laser_er_dB = { distribution = "discrete", values = [3.5, 4.5, 6.0], weights = [1, 2, 1] }
//   tx_board_loss_dB = { distribution = "uniform", min = 0.0, max = 16.0 }
//   tx_sigma_rj_UI = { distribution = "log_uniform", min = 0.005, max = 0.02 }
//   driver_snr_dB = { distribution = "normal", mean = 33.0, sigma = 1.0 }
//   rin_dB_per_Hz = { distribution = "truncated_normal", mean = -145.0, sigma = 3.0,
//                     min = -150.0, max = -136.0 }
//
//   [[corners]]                       # correlated parameters: one row is drawn (or, in a
//   name = "module_vendor"            # grid, enumerated) for all of them together
//   parameters = ["driver_bandwidth_GHz", "modulator_bandwidth_GHz"]
//   values = [[35.0, 40.0], [45.0, 50.0]]
//   weights = [1.0, 1.0]              # optional, one per row
//
//   [[channel_sets]]                  # measured channels: a discrete dimension of its own
//   label = "orthobp_12dB"
//   thru = "../channels/x_thru.s4p"   # paths relative to this file; the files must exist
//   fext = ["..."]                    # optional
//   next = ["..."]                    # optional
//   port_order = "1 3 2 4"            # optional, as the Touchstone reader takes it
//   weight = 1.0                      # optional (default 1)
//
//   [[tx_boards]]                     # measured Tx-side boards of the LPO link (host board,
//   label = "host_a"                  # connector, module board), in place of its line model:
//   thru = "../boards/host_a_tx.s4p"  # a discrete dimension of its own; keys as channel sets,
//   fext = ["..."]                    # fext = paths from other host transmitters (no next)
//
//   [[rx_boards]]                     # measured Rx-side boards: fext = paths from other module
//   label = "host_a"                  # outputs, next = paths from the host's transmitters
//   thru = "../boards/host_a_rx.s4p"
//
// Rules: a parameter appears at most once over [link], [search], [axes] and [[corners]];
// every value (and every distribution's support) lies in the registry's [min, max]; "normal"
// is accepted only where no draw can leave that range (mean +- 8.3 sigma inside it, the
// extreme of a 53-bit uniform), otherwise use "truncated_normal"; a grid takes only values,
// range and discrete axes, and no weights (it enumerates every value once); a grid has at most
// 1e12 variants. Weights are relative (normalised on reading) and must not all be zero.
// [[channel_sets]] (whole measured channels) exclude [[tx_boards]] and [[rx_boards]] (boards
// inside the LPO link).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eyesweep {

/// One parameter of the link template a sweep may set or sweep (supplied by the link model).
struct ParameterInfo {
  std::string name;   ///< snake_case with unit suffix, e.g. "tia_bandwidth_GHz"
  std::string units;  ///< "GHz"
  double default_value = 0.0;
  double min = -INFINITY, max = INFINITY;  ///< physical validity range
  std::string description;
  bool searchable = false;  ///< may appear in [search] (module settings the engines search)
};

enum class Sampling { grid, monte_carlo, low_discrepancy };
enum class DistributionKind { values, range, uniform, normal, truncated_normal, log_uniform, discrete };

struct Distribution {
  DistributionKind kind = DistributionKind::values;
  std::vector<double> values;   ///< values / discrete / range's expanded points
  std::vector<double> weights;  ///< discrete only (normalised to sum 1); empty = equal
  double min = 0, max = 0, mean = 0, sigma = 0;
};

struct Axis {
  std::string parameter;
  Distribution distribution;
};

/// A correlated group: the named parameters take the values of one row together (a "corner").
struct CornerGroup {
  std::string name;
  std::vector<std::string> parameters;
  std::vector<std::vector<double>> rows;  ///< one value per parameter in each row
  std::vector<double> weights;            ///< one per row, normalised; empty = equal
};

/// One channel file set: a whole measured channel ([[channel_sets]]) or a measured board with
/// its crosstalk paths ([[tx_boards]], [[rx_boards]]).
struct ChannelFileSet {
  std::string label;
  std::filesystem::path thru;
  std::vector<std::filesystem::path> fext, next;
  std::string port_order;  ///< empty = the reader's default
};

/// A discrete dimension of measured files, as variant spaces and result files see it.
struct FileDimension {
  std::string_view table;                      ///< "channel_sets", "tx_boards", "rx_boards"
  const std::vector<ChannelFileSet>& sets;     ///< empty: the sweep has no such dimension
  const std::vector<double>& weights;          ///< normalised; empty = equal
};

/// Dimensions (axes + corner groups + one per file dimension) that low_discrepancy sampling has
/// Sobol direction numbers for (Joe and Kuo's new-joe-kuo-6.21201, dimensions 1 to 53).
inline constexpr std::size_t max_low_discrepancy_dimensions = 53;

struct SweepSpec {
  std::string name;
  std::filesystem::path source;      ///< the spec file
  std::filesystem::path com_config;  ///< absolute; given relative to the spec file's directory
  Sampling sampling = Sampling::monte_carlo;
  std::uint64_t requested_variants = 0;  ///< [sweep] variants (monte_carlo, low_discrepancy)
  std::uint64_t seed = 1;
  std::vector<double> margin_thresholds_dB;           ///< default {0, 1, 2, 3}
  std::map<std::string, double> fixed;                ///< [link]: template overrides
  std::map<std::string, std::vector<double>> search;  ///< [search]: searchable parameters only
  std::vector<Axis> axes;                             ///< [axes] in file order
  std::vector<CornerGroup> corners;                   ///< [[corners]] in file order
  std::vector<ChannelFileSet> channel_sets;           ///< [[channel_sets]], paths absolute
  std::vector<double> channel_set_weights;            ///< normalised; empty = equal
  std::vector<ChannelFileSet> tx_boards, rx_boards;   ///< [[tx_boards]], [[rx_boards]], paths absolute
  std::vector<double> tx_board_weights, rx_board_weights;  ///< normalised; empty = equal
  /// Canonical TOML of the resolved spec (defaults filled, paths absolute, ranges expanded,
  /// weights normalised), for provenance; parse_sweep_spec reads it back to the same spec.
  std::string resolved_toml;
  std::string hash;  ///< 16 hex digits of the 64-bit FNV-1a hash of resolved_toml

  /// grid: product of axis sizes x corner rows x file sets of each dimension; else
  /// requested_variants.
  std::uint64_t num_variants() const;
  /// The measured-file dimensions in variant-space order (after the axes and corner groups):
  /// channel sets, Tx-side boards, Rx-side boards.
  std::array<FileDimension, 3> file_dimensions() const {
    return {{{"channel_sets", channel_sets, channel_set_weights},
             {"tx_boards", tx_boards, tx_board_weights},
             {"rx_boards", rx_boards, rx_board_weights}}};
  }
};

/// Rewrites resolved_toml and hash from the spec's fields, after a caller changed them (the
/// command line's --seed and --variants), so that the stored text is the sweep that ran.
void refresh_resolved(SweepSpec& spec);

/// Reads and checks a spec file; every error is an InputError naming file, line and key.
SweepSpec load_sweep_spec(const std::filesystem::path& file, std::span<const ParameterInfo> registry);

/// As load_sweep_spec, from text; relative paths resolve against source's directory.
SweepSpec parse_sweep_spec(std::string_view text, const std::filesystem::path& source,
                           std::span<const ParameterInfo> registry);

}  // namespace eyesweep
