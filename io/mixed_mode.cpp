// Single-ended 4-port -> differential 2-port conversion of io/mixed_mode.hpp: the IEEE COM
// `Port Order`, the mixed-mode transform, and the sanity check of a claimed pairing.

#include "io/mixed_mode.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>
#include <system_error>

#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Splits "1,3,2,4" at the commas (each piece one number) or "1 3 2 4" at blanks.
std::vector<std::string_view> order_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  const bool commas = text.find(',') != std::string_view::npos;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t stop = commas ? text.find(',', start) : text.find_first_of(" \t\r\n", start);
    if (stop == std::string_view::npos) stop = text.size();
    const std::string_view field = trim(text.substr(start, stop - start));
    if (commas || !field.empty()) fields.push_back(field);
    start = stop + 1;
  }
  return fields;
}

/// Why `ports` is not a permutation of 1..4, or an empty string when it is one.
std::string permutation_error(const std::array<int, 4>& ports) {
  std::array<bool, 4> seen{};
  for (const int port : ports) {
    if (port < 1 || port > 4) return "port " + std::to_string(port) + " is not in 1..4";
    auto& used = seen[static_cast<std::size_t>(port - 1)];
    if (used) return "port " + std::to_string(port) + " appears twice";
    used = true;
  }
  return {};
}

using Matrix4 = std::array<std::array<std::complex<double>, 4>, 4>;

/// The single-ended S-matrix at one frequency with its ports renumbered by `order`:
/// new port k (0-based) is the file's port order.ports[k].
Matrix4 reordered(const Network& network, std::size_t f, const PortOrder& order) {
  Matrix4 m{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) m[i][j] = network.at(f, order.ports[i] - 1, order.ports[j] - 1);
  }
  return m;
}

/// Differential-mode S between pair `out` (rows 2*out, 2*out+1) and pair `in`: the DD block
/// of T S T^-1 with T = [1 1; 1 -1] per pair, i.e. (S++ - S+- - S-+ + S--) / 2.
std::complex<double> dd(const Matrix4& m, std::size_t out, std::size_t in) {
  const std::size_t p = 2 * out, q = 2 * in;
  return 0.5 * (m[p][q] - m[p][q + 1] - m[p + 1][q] + m[p + 1][q + 1]);
}

std::size_t port_index(const PortOrder& order, std::size_t k) {
  return static_cast<std::size_t>(order.ports[k] - 1);
}

void check_convertible(const Network& network, const PortOrder& order) {
  if (network.num_ports != 4) {
    throw InputError(network.source + ": differential conversion needs a 4-port network; this one has " +
                     std::to_string(network.num_ports) + " ports");
  }
  if (const std::string why = permutation_error(order.ports); !why.empty()) {
    throw InputError(network.source + ": port order " + order.str() + " is not a permutation of 1..4: " + why);
  }
}

// check_pairing reads the low-frequency coupling between single-ended ports: the two ends of
// one line pass nearly everything (|S| near 1), the P and N wires of one pair couple clearly
// (a few percent), and wires of different pairs hardly at all (well under 1 %).
constexpr double low_frequency_limit_hz = 1e9;
constexpr std::size_t low_frequency_points = 5;
constexpr double through_coupling = 0.5;
constexpr double clear_margin = 2.0;  // a pair partner couples at least this much more than the rest

using Coupling = std::array<std::array<double, 4>, 4>;

/// Mean of (|S_ij| + |S_ji|) / 2 over the first few points in (0, 1 GHz]; none without such
/// points (DC alone says little: the wires of a pair barely couple there).
std::optional<Coupling> low_frequency_coupling(const Network& network) {
  Coupling c{};
  std::size_t used = 0;
  for (std::size_t f = 0; f < network.num_freqs() && used < low_frequency_points; ++f) {
    if (network.freq_hz[f] <= 0.0 || network.freq_hz[f] > low_frequency_limit_hz) continue;
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) {
        c[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] +=
            0.5 * (std::abs(network.at(f, i, j)) + std::abs(network.at(f, j, i)));
      }
    }
    ++used;
  }
  if (used == 0) return std::nullopt;
  for (auto& row : c) {
    for (double& value : row) value /= static_cast<double>(used);
  }
  return c;
}

/// Each port's pair partner as the data suggest: the port it couples to most, through paths
/// left out, by a clear margin and both ways; none when the data do not say clearly.
std::optional<std::array<std::size_t, 4>> inferred_mates(const Coupling& c) {
  std::array<std::size_t, 4> mate{};
  for (std::size_t i = 0; i < 4; ++i) {
    double best = 0.0, runner_up = 0.0;
    for (std::size_t j = 0; j < 4; ++j) {
      if (j == i || c[i][j] >= through_coupling) continue;
      if (c[i][j] > best) {
        runner_up = best;
        best = c[i][j];
        mate[i] = j;
      } else {
        runner_up = std::max(runner_up, c[i][j]);
      }
    }
    if (best == 0.0 || best < clear_margin * runner_up) return std::nullopt;
  }
  for (std::size_t i = 0; i < 4; ++i) {
    if (mate[mate[i]] != i) return std::nullopt;
  }
  return mate;
}

/// A port order with the given pairs that keeps `first` as the input + port.
PortOrder suggested_order(const std::array<std::size_t, 4>& mates, std::size_t first) {
  std::size_t other = 0;
  while (other == first || other == mates[first]) ++other;
  PortOrder order;
  order.ports = {static_cast<int>(first + 1), static_cast<int>(mates[first] + 1), static_cast<int>(other + 1),
                 static_cast<int>(mates[other] + 1)};
  return order;
}

std::string two_digits(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.2f", value);
  return text.data();
}

/// A claimed pair whose two ports are joined by a through path is two ends of one line.
std::string through_path_findings(const Coupling& c, const PortOrder& order) {
  std::string findings;
  for (std::size_t pair = 0; pair < 2; ++pair) {
    const std::size_t p = port_index(order, 2 * pair), n = port_index(order, 2 * pair + 1);
    if (c[p][n] >= through_coupling) {
      findings += " Ports " + std::to_string(p + 1) + " and " + std::to_string(n + 1) +
                  ", given as one pair, pass |S| = " + two_digits(c[p][n]) +
                  " to each other at low frequency: they are the two ends of one line.";
    }
  }
  return findings;
}

}  // namespace

PortOrder PortOrder::parse(const std::string& text, const std::string& what) {
  const auto fail = [&](const std::string& why) {
    throw InputError(what + ": bad port order '" + text + "': " + why +
                     " (expected a permutation of 1..4 such as \"1 3 2 4\", \"1,3,2,4\" or \"[1 3 2 4]\")");
  };
  std::string_view body = trim(text);
  if (!body.empty() && body.front() == '[') {
    if (body.back() != ']') fail("'[' without a closing ']'");
    body = trim(body.substr(1, body.size() - 2));
  }
  const auto fields = order_fields(body);
  if (fields.size() != 4) fail("it has " + std::to_string(fields.size()) + " entries, not 4");
  PortOrder order;
  for (std::size_t k = 0; k < 4; ++k) {
    const char* end = fields[k].data() + fields[k].size();
    const auto [stop, ec] = std::from_chars(fields[k].data(), end, order.ports[k]);
    if (ec != std::errc{} || stop != end) fail(std::string(fields[k]).append(" is not a port number"));
  }
  if (const std::string why = permutation_error(order.ports); !why.empty()) fail(why);
  return order;
}

std::string PortOrder::str() const {
  std::string text = "[";
  for (std::size_t k = 0; k < ports.size(); ++k) {
    if (k != 0) text += ' ';
    text += std::to_string(ports[k]);
  }
  return text += ']';
}

DifferentialNetwork to_differential(const Network& network, const PortOrder& order) {
  check_convertible(network, order);
  DifferentialNetwork out;
  out.source = network.source;
  out.freq_hz = network.freq_hz;
  const std::size_t n = network.num_freqs();
  for (auto* v : {&out.sdd11, &out.sdd12, &out.sdd21, &out.sdd22}) v->resize(n);
  for (std::size_t f = 0; f < n; ++f) {
    const Matrix4 m = reordered(network, f, order);
    out.sdd11[f] = dd(m, 0, 0);
    out.sdd12[f] = dd(m, 0, 1);
    out.sdd21[f] = dd(m, 1, 0);
    out.sdd22[f] = dd(m, 1, 1);
  }
  return out;
}

std::string check_pairing(const Network& network, const PortOrder& order) {
  check_convertible(network, order);
  const auto coupling = low_frequency_coupling(network);
  if (!coupling) return {};
  std::string findings = through_path_findings(*coupling, order);
  const std::size_t first = port_index(order, 0);
  // The inferred mates form two mutual pairs, so checking the input pair checks both.
  if (const auto mates = inferred_mates(*coupling); mates && (*mates)[first] != port_index(order, 1)) {
    findings += " The low-frequency coupling pairs the ports as " + suggested_order(*mates, first).str() +
                " would.";
  }
  if (findings.empty()) return {};
  return network.source + ": port order " + order.str() + " looks wrong." + findings +
         " A wrong pairing turns a pair's own P-N coupling into fake crosstalk; check this "
         "file's port order.";
}

}  // namespace eyesweep
