// Floating DFE tap placement; see floating_dfe.hpp. The algorithm is the script's, step for
// step; indices in this file are 1-based like the script's, so that each line can be checked
// against it (`at(v, i)` reads v(i), growing v with zeros where the script's arrays grow).
#include "host/floating_dfe.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

/// v(i) for 1-based i; writes beyond the end grow v with zeros, as MATLAB arrays do.
double& at(std::vector<double>& v, int i) {
  if (static_cast<std::size_t>(i) > v.size()) v.resize(static_cast<std::size_t>(i), 0.0);
  return v[static_cast<std::size_t>(i - 1)];
}

/// MATLAB [~, order] = sort(v, 'descend'): 1-based indices, stable for ties.
std::vector<int> sort_descending(const std::vector<double>& v) {
  std::vector<int> order(v.size());
  std::iota(order.begin(), order.end(), 1);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return v[static_cast<std::size_t>(a - 1)] > v[static_cast<std::size_t>(b - 1)];
  });
  return order;
}

std::vector<int> range(int first, int count) {
  std::vector<int> r(static_cast<std::size_t>(count));
  std::iota(r.begin(), r.end(), first);
  return r;
}

/// The taps before a bank starting at `start` that would overlap a bank there (badV).
std::vector<int> overlapping_before(int start, int bank) {
  const int bad_end = start - 1;
  if (bad_end <= 0) return {};
  return range(std::max(1, start - bank + 1), bad_end - std::max(1, start - bank + 1) + 1);
}

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

/// findbankloc_DEVELOPMENT: bank start positions relative to the first floating candidate.
std::vector<int> find_banks(const std::vector<double>& h, double cursor, double bmaxg, int bank, int groups) {
  const int len = static_cast<int>(h.size());
  const int windows = len - bank + 1;
  std::vector<double> energy_removed(static_cast<std::size_t>(std::max(windows, 0)), 0.0);
  for (int i = 0; i < windows; ++i) {
    double h0 = 0.0, h1 = 0.0;
    for (int k = 0; k < bank; ++k) {
      const double a = std::abs(h[static_cast<std::size_t>(i + k)]);
      h0 += a * a;
      h1 += std::pow(std::max(0.0, a - bmaxg * cursor), 2);
    }
    energy_removed[static_cast<std::size_t>(i)] = h0 - h1;
  }
  std::vector<double>& ndiff = energy_removed;

  std::vector<int> idx(static_cast<std::size_t>(bank * groups), 0);
  const auto place = [&](int k, const std::vector<int>& new_bank) {
    std::copy(new_bank.begin(), new_bank.end(), idx.begin() + (k - 1) * bank);
  };
  const int ordered = (groups - 1) * bank + 1;
  int set_next_bank = 0;
  for (int k = 1; k <= groups; ++k) {
    std::vector<int> val_sort = sort_descending(ndiff);
    if (k == 1 && static_cast<int>(val_sort.size()) >= ordered) {
      // The best windows are exactly the first ones: contiguous groups right after the fixed taps.
      std::vector<int> top(val_sort.begin(), val_sort.begin() + ordered);
      std::sort(top.begin(), top.end());
      if (top == range(1, ordered)) return range(1, groups * bank);
    }
    if (set_next_bank > 0) {
      const std::vector<int> new_bank = range(set_next_bank, bank);
      place(k, new_bank);
      set_next_bank = 0;
      for (int i : new_bank) at(ndiff, i) = 0.0;
      for (int i : overlapping_before(new_bank.front(), bank)) at(ndiff, i) = 0.0;
      continue;
    }
    ES_EXPECTS(!val_sort.empty(), "no window for a floating tap group");
    std::vector<int> new_bank = range(val_sort[0], bank);
    if (k == groups) {
      place(k, new_bank);
      break;
    }
    std::vector<int> bad;
    bool again = true, first_time = true;
    while (again) {
      again = false;
      bad = overlapping_before(new_bank.front(), bank);
      std::erase_if(bad, [&](int b) { return contains(idx, b); });
      const int good = new_bank.front() - bank;
      if (bad.empty()) continue;
      if (!first_time) val_sort = sort_descending(ndiff);
      first_time = false;
      std::vector<int> check = bad;
      check.insert(check.end(), new_bank.begin(), new_bank.end());
      std::size_t min_bad_pos = val_sort.size() + 1;
      for (int b : bad) {
        const auto pos = static_cast<std::size_t>(std::find(val_sort.begin(), val_sort.end(), b) - val_sort.begin()) + 1;
        min_bad_pos = std::min(min_bad_pos, pos);
      }
      bool found_good = false;
      std::size_t ii = 1;
      for (; ii <= val_sort.size(); ++ii) {
        if (val_sort[ii - 1] == good) {
          found_good = true;
          break;
        }
        if (!contains(check, val_sort[ii - 1])) break;
      }
      if (ii > val_sort.size()) ii = val_sort.size();  // MATLAB's loop variable keeps its last value
      if (!found_good && min_bad_pos < ii) {
        again = true;
        at(ndiff, new_bank.front()) = 0.0;
        new_bank = range(val_sort[1], bank);
      }
      if (found_good) set_next_bank = good;
    }
    for (int i : new_bank) at(ndiff, i) = 0.0;
    place(k, new_bank);
    for (int i : bad) at(ndiff, i) = 0.0;
  }
  return idx;
}

}  // namespace

std::vector<int> place_floating_taps(std::span<const double> postcursors, double cursor, const ComConfig& cfg) {
  const FloatingTaps& ft = cfg.floating;
  const int first = cfg.N_b + 1, last = ft.N_f;
  if (ft.N_bg <= 0 || last < first) return {};
  std::vector<double> h(static_cast<std::size_t>(last - first + 1), 0.0);
  for (int n = first; n <= last; ++n) {
    if (static_cast<std::size_t>(n) <= postcursors.size()) h[static_cast<std::size_t>(n - first)] = postcursors[static_cast<std::size_t>(n - 1)];
  }
  std::vector<int> taps = find_banks(h, cursor, ft.bmaxg, ft.N_bf, ft.N_bg);
  for (int& t : taps) t += first - 1;
  // Positions outside the span (possible when the script's arrays grow) carry no tap.
  std::erase_if(taps, [&](int t) { return t < first || t > last; });
  std::sort(taps.begin(), taps.end());
  taps.erase(std::unique(taps.begin(), taps.end()), taps.end());
  return taps;
}

}  // namespace eyesweep
