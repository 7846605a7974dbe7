// Placement of floating DFE tap groups on synthetic post-cursor ISI with known answers.
#include <gtest/gtest.h>

#include <vector>

#include "host/floating_dfe.hpp"

namespace eyesweep {
namespace {

ComConfig kr_like() {
  ComConfig cfg;
  cfg.N_b = 12;
  cfg.floating = {3, 3, 40, 0.05, 0.02, 25};
  return cfg;
}

std::vector<int> taps(std::initializer_list<std::pair<int, int>> ranges) {
  std::vector<int> t;
  for (auto [first, last] : ranges) {
    for (int i = first; i <= last; ++i) t.push_back(i);
  }
  return t;
}

TEST(FloatingDfe, DecayingIsiGetsTheGroupsRightAfterTheFixedTaps) {
  std::vector<double> post(40);
  for (int n = 1; n <= 40; ++n) post[static_cast<std::size_t>(n - 1)] = 0.2 / n;
  EXPECT_EQ(place_floating_taps(post, 1.0, kr_like()), taps({{13, 21}}));
}

TEST(FloatingDfe, IsolatedReflectionsEachGetAGroup) {
  std::vector<double> post(40, 0.0);
  for (int n : {30, 31, 32}) post[static_cast<std::size_t>(n - 1)] = 0.04;
  for (int n : {20, 21, 22}) post[static_cast<std::size_t>(n - 1)] = -0.035;
  for (int n : {36, 37, 38}) post[static_cast<std::size_t>(n - 1)] = 0.03;
  EXPECT_EQ(place_floating_taps(post, 1.0, kr_like()), taps({{20, 22}, {30, 32}, {36, 38}}));
}

TEST(FloatingDfe, NoGroupsWithoutNbg) {
  ComConfig cfg = kr_like();
  cfg.floating.N_bg = 0;
  EXPECT_TRUE(place_floating_taps(std::vector<double>(40, 0.1), 1.0, cfg).empty());
}

TEST(FloatingDfe, ShortPulsesCountMissingCursorsAsZero) {
  std::vector<double> post(25, 0.0);
  for (int n : {14, 15, 16}) post[static_cast<std::size_t>(n - 1)] = 0.02;
  const std::vector<int> placed = place_floating_taps(post, 1.0, kr_like());
  ASSERT_EQ(placed.size(), 9u);
  for (int t : placed) {
    EXPECT_GE(t, 13);
    EXPECT_LE(t, 40);
  }
  EXPECT_NE(std::find(placed.begin(), placed.end(), 15), placed.end());
}

}  // namespace
}  // namespace eyesweep
