// Case-insensitive edit distance and the nearest known name, shared by the configuration and
// sweep-spec readers for their "did you mean" suggestions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string_view>
#include <vector>

namespace eyesweep::detail {

inline char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// Levenshtein distance between a and b, ignoring ASCII case.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (lower_char(a[i - 1]) == lower_char(b[j - 1]) ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

/// The candidate `key` most likely misspells: one it abbreviates (counted as one edit), else the
/// nearest by edit distance, if within max(2, |key| / 3) edits; empty when none is that near.
template <class Names>
std::string_view nearest_name(std::string_view key, const Names& candidates) {
  const auto abbreviates = [key](std::string_view candidate) {
    if (candidate.size() < key.size()) return false;
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (lower_char(candidate[i]) != lower_char(key[i])) return false;
    }
    return true;
  };
  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : candidates) {
    const std::string_view name(candidate);
    const std::size_t distance = abbreviates(name) ? 1 : edit_distance(key, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best_distance <= std::max<std::size_t>(2, key.size() / 3) ? best : std::string_view();
}

}  // namespace eyesweep::detail
