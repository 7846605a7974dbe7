// Equaliser search space; see eq_grid.hpp.
#include "host/eq_grid.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "kernels/common/error.hpp"

namespace eyesweep {

TxGrid build_tx_grid(const ComConfig& cfg) {
  // Positions with anything but a single zero value, plus the main tap.
  std::map<int, std::vector<double>> ranges{{0, {0.0}}};
  for (const TxTapRange& tap : cfg.tx_taps) {
    const bool only_zero = tap.values.size() == 1 && tap.values[0] == 0.0;
    if (!only_zero) ranges[tap.offset] = tap.values;
  }
  const int lo = ranges.begin()->first;
  const int hi = ranges.rbegin()->first;
  std::vector<std::vector<double>> columns;
  for (int k = lo; k <= hi; ++k) {
    const auto it = ranges.find(k);
    columns.push_back(it == ranges.end() ? std::vector<double>{0.0} : it->second);
  }

  if (columns.size() > kMaxTxTaps) {
    throw InputError(cfg.source + ": Tx FFE taps c(k) span " + std::to_string(columns.size()) +
                     " positions; at most 33 (c(-16) .. c(16)) are supported");
  }
  // Refuse, before allocating, a grid no search could finish (and memory could not hold).
  constexpr double kMaxCombinations = 5e7;
  double combinations = 1.0;
  for (const auto& column : columns) combinations *= static_cast<double>(column.size());
  if (combinations > kMaxCombinations) {
    throw InputError(cfg.source + ": the Tx FFE ranges c(k) give " + std::to_string(combinations) +
                     " combinations; at most 5e7 are supported (use coarser steps)");
  }

  TxGrid grid;
  grid.first_offset = lo;
  grid.num_taps = columns.size();
  const std::size_t main = grid.main_index();
  std::vector<std::size_t> digit(columns.size(), 0);
  std::vector<double> row(columns.size());
  for (;;) {
    double sum_abs = 0.0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      row[c] = columns[c][digit[c]];
      if (c != main) sum_abs += std::abs(row[c]);
    }
    ++grid.num_enumerated;
    row[main] = 1.0 - sum_abs;
    if (row[main] >= cfg.c0_min - 1e-12) grid.taps.insert(grid.taps.end(), row.begin(), row.end());
    // odometer: the last column varies fastest
    std::size_t c = columns.size();
    while (c > 0) {
      --c;
      if (++digit[c] < columns[c].size()) break;
      digit[c] = 0;
      if (c == 0) return grid;
    }
  }
}

std::vector<CtleSetting> build_ctle_grid(const ComConfig& cfg) {
  const std::vector<double> g2_values = cfg.g_DC_HP_dB.empty() ? std::vector<double>{0.0} : cfg.g_DC_HP_dB;
  std::vector<CtleSetting> grid;
  for (double g : cfg.g_DC_dB) {
    for (double g2 : g2_values) {
      CtleSetting s;
      s.g_DC_dB = g;
      s.g_DC2_dB = g2;
      s.f_z_GHz = cfg.f_z_GHz;
      s.f_p1_GHz = cfg.f_p1_GHz;
      s.f_p2_GHz = cfg.f_p2_GHz;
      s.f_LF_GHz = cfg.f_HP_PZ_GHz;
      grid.push_back(s);
    }
  }
  return grid;
}

}  // namespace eyesweep
