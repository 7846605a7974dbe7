// Placement of floating DFE tap groups on synthetic post-cursor ISI with known answers, and
// the fast engines' allocation-free placement (kernels/floating_placement.hpp) against the
// script-faithful one on random post-cursors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "host/floating_dfe.hpp"
#include "kernels/floating_placement.hpp"

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


/// Random post-cursor ISI of the kinds that make placement interesting: a decaying tail,
/// reflections of either sign, ties (equal values), exact zeros and stretches past the pulse.
std::vector<double> random_postcursors(std::mt19937_64& rng, int span) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> post(static_cast<std::size_t>(span), 0.0);
  const double decay = 0.05 + 0.3 * u(rng);
  for (int n = 1; n <= span; ++n) post[static_cast<std::size_t>(n - 1)] = 0.2 * std::exp(-decay * n) * (u(rng) < 0.5 ? 1 : -1);
  const int reflections = static_cast<int>(u(rng) * 5);
  for (int r = 0; r < reflections; ++r) {
    const int at = 1 + static_cast<int>(u(rng) * span), width = 1 + static_cast<int>(u(rng) * 4);
    const double level = (u(rng) - 0.5) * 0.12;
    for (int n = at; n < at + width && n <= span; ++n) post[static_cast<std::size_t>(n - 1)] += level;
  }
  if (u(rng) < 0.2) {  // quantised: many exact ties
    for (double& h : post) h = std::round(h * 100.0) / 100.0;
  }
  if (u(rng) < 0.2) post.resize(static_cast<std::size_t>(static_cast<int>(u(rng) * span)));  // a short pulse
  return post;
}

TEST(FloatingDfe, TheSearchKernelsPlacementIsTheScripts) {
  const unsigned seed = std::random_device{}();
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, 1 << 20);
  // KR/CA sheets, the 200G sheets' 6 groups within 120 UI, and random small receivers.
  std::vector<ComConfig> receivers(3);
  receivers[0].N_b = 12;
  receivers[0].floating = {3, 3, 40, 0.05, 0.02, 25};
  receivers[1].N_b = 24;
  receivers[1].floating = {6, 1, 120, 0.03, 0.02, 25};
  receivers[2].N_b = 2;
  receivers[2].floating = {4, 2, 20, 0.04, 0.0, 0};
  int cases = 0, differing = 0;
  for (int trial = 0; trial < 30000; ++trial) {
    ComConfig cfg = receivers[static_cast<std::size_t>(trial % 3)];
    if (trial % 3 == 2) {  // a random small receiver
      cfg.N_b = 1 + pick(rng) % 6;
      cfg.floating.N_bf = 1 + pick(rng) % 4;
      cfg.floating.N_bg = 1 + pick(rng) % 4;
      cfg.floating.N_f = cfg.N_b + cfg.floating.N_bf + pick(rng) % 30;
      cfg.floating.bmaxg = 0.01 + 0.001 * (pick(rng) % 60);
    }
    const std::vector<double> post = random_postcursors(rng, cfg.floating.N_f);
    const double cursor = 0.5 + 0.001 * (pick(rng) % 500);
    const std::vector<int> expected = place_floating_taps(post, cursor, cfg);
    const search::FloatingGroups groups{cfg.floating.N_bg, cfg.floating.N_bf, cfg.N_b + 1, cfg.floating.N_f,
                                        cfg.floating.bmaxg};
    int placed[search::kMaxFloatingTaps];
    const auto postcursor = [&](int n) { return n <= static_cast<int>(post.size()) ? post[static_cast<std::size_t>(n - 1)] : 0.0; };
    const int count = search::place_floating_groups(groups, postcursor, cursor, placed);
    const std::vector<int> got(placed, placed + count);
    ++cases;
    if (got != expected) {
      ++differing;
      ADD_FAILURE() << "seed " << seed << ", trial " << trial << ": N_b " << cfg.N_b << ", N_bg " << cfg.floating.N_bg
                    << ", N_bf " << cfg.floating.N_bf << ", N_f " << cfg.floating.N_f << ": " << count << " taps vs "
                    << expected.size();
      if (differing > 5) break;
    }
  }
  std::printf("%d random post-cursor sets (seed %u): %d placements differ\n", cases, seed, differing);
}

}  // namespace
}  // namespace eyesweep
