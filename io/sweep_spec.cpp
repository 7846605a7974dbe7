// Sweep specification reader (see sweep_spec.hpp for the format). Layout: text helpers, a
// Reader that turns TOML nodes into checked values and names file, line and key in every
// error, one reader per table, then the canonical writer behind resolved_toml and its hash.
#include "io/sweep_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

#include "io/detail/toml.hpp"
#include "io/detail/edit_distance.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double max_grid_variants = 1e12;
/// |Phi^-1(2^-53)| = 8.21: no normal draw from a uniform in [2^-53, 1 - 2^-53] lands further
/// from the mean, so a normal whose mean +- 8.3 sigma fits the registry range never leaves it.
constexpr double normal_reach_sigmas = 8.3;
/// A truncated normal whose interval holds less of the normal than this is a typo (and its
/// inverse CDF would run out of double precision).
constexpr double min_truncated_mass = 1e-12;
constexpr std::size_t max_axis_points = 1000000;  // a longer range is a typo

constexpr std::string_view sampling_names[] = {"grid", "monte_carlo", "low_discrepancy"};
constexpr std::string_view distribution_names[] = {
    "values", "range", "uniform", "normal", "truncated_normal", "log_uniform", "discrete"};

// ------------------------------------------------------------------------------------------
// Text helpers
// ------------------------------------------------------------------------------------------

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

/// Shortest text that reads back as the same double.
std::string format_number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string describe_interval(double lo, double hi) {
  return "[" + format_number(lo) + ", " + format_number(hi) + "]";
}

/// " (did you mean "x"?)" when a candidate is near enough to be a typo, else "".
template <class Names>
std::string suggestion(std::string_view key, const Names& candidates) {
  const std::string_view best = detail::nearest_name(key, candidates);
  return best.empty() ? std::string() : " (did you mean " + in_quotes(best) + "?)";
}

template <class Names>
std::string join(const Names& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

/// A table's entries in the order they appear in the file (toml++ keeps them sorted by name).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [key, node] : table) entries.emplace_back(&key, &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

/// Probability that a standard normal lies in [a, b], computed on the side of the mean where
/// erfc keeps its relative precision.
double normal_mass(double a, double b) {
  const auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  return a + b > 0.0 ? phi(-a) - phi(-b) : phi(b) - phi(a);
}

// ------------------------------------------------------------------------------------------
// Reader: checked access to TOML nodes, every error naming file, line and key
// ------------------------------------------------------------------------------------------

class Reader {
 public:
  Reader(std::string source, std::span<const ParameterInfo> registry)
      : source_(std::move(source)), registry_(registry) {}

  [[noreturn]] void fail(const toml::source_region& where, std::string_view key,
                         const std::string& what) const {
    const std::string at =
        where.begin.line > 0 ? source_ + ":" + std::to_string(where.begin.line) : source_;
    throw InputError(at + ": " + std::string(key) + ": " + what);
  }
  [[noreturn]] void fail(const toml::node& node, std::string_view key,
                         const std::string& what) const {
    fail(node.source(), key, what);
  }

  /// Refuses keys of `table` outside `accepted`, suggesting the nearest.
  template <class Names>
  void check_keys(const toml::table& table, const std::string& path, const Names& accepted) const {
    for (const auto& [key, node] : table) {
      const std::string_view name = key.str();
      if (std::find(std::begin(accepted), std::end(accepted), name) == std::end(accepted)) {
        fail(key.source(), dotted(path, name),
             "unknown key" + suggestion(name, accepted) + "; accepted: " + join(accepted));
      }
    }
  }

  const toml::node& require(const toml::table& table, const std::string& path,
                            std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) fail(table.source(), dotted(path, key), "missing (required)");
    return *node;
  }

  const toml::table& to_table(const toml::node& node, std::string_view key) const {
    const auto* table = node.as_table();
    if (table == nullptr) fail(node, key, "expected a table, got " + type_name(node));
    return *table;
  }

  double to_number(const toml::node& node, std::string_view key) const {
    double value = 0.0;
    if (const auto* i = node.as_integer()) {
      value = static_cast<double>(i->get());
    } else if (const auto* f = node.as_floating_point()) {
      value = f->get();
    } else {
      fail(node, key, "expected a number, got " + type_name(node));
    }
    if (!std::isfinite(value)) fail(node, key, "expected a finite number, got " + format_number(value));
    return value;
  }

  std::int64_t to_integer(const toml::node& node, std::string_view key, std::int64_t min) const {
    const auto* i = node.as_integer();
    if (i == nullptr) fail(node, key, "expected an integer, got " + type_name(node));
    if (i->get() < min) {
      fail(node, key, std::to_string(i->get()) + " is out of range: must be >= " + std::to_string(min));
    }
    return i->get();
  }

  std::string to_string(const toml::node& node, std::string_view key) const {
    const auto* s = node.as_string();
    if (s == nullptr) fail(node, key, "expected a string, got " + type_name(node));
    if (s->get().empty()) fail(node, key, "must not be empty");
    return s->get();
  }

  const toml::array& to_array(const toml::node& node, std::string_view key) const {
    const auto* array = node.as_array();
    if (array == nullptr) fail(node, key, "expected an array, got " + type_name(node));
    if (array->empty()) fail(node, key, "expected at least one value, got an empty array");
    return *array;
  }

  std::vector<double> to_numbers(const toml::node& node, std::string_view key) const {
    std::vector<double> values;
    for (const toml::node& element : to_array(node, key)) values.push_back(to_number(element, key));
    return values;
  }

  /// Relative weights, one per item: finite, >= 0, not all zero; normalised to sum 1 unless
  /// they already do (so reading resolved_toml back gives the same bits).
  std::vector<double> to_weights(const toml::node& node, std::string_view key, std::size_t count,
                                 std::string_view items) const {
    std::vector<double> weights = to_numbers(node, key);
    if (weights.size() != count) {
      fail(node, key, std::to_string(weights.size()) + " weights for " + std::to_string(count) +
                          " " + std::string(items) + "; give one weight each");
    }
    return normalised(weights, node, key);
  }

  std::vector<double> normalised(std::vector<double> weights, const toml::node& node,
                                 std::string_view key) const {
    double total = 0.0;
    for (const double w : weights) {
      if (w < 0.0) fail(node, key, "weight " + format_number(w) + " is negative");
      total += w;
    }
    if (total <= 0.0) fail(node, key, "weights are all zero");
    if (std::abs(total - 1.0) > 1e-12) {
      for (double& w : weights) w /= total;
    }
    return weights;
  }

  const ParameterInfo& parameter(std::string_view name, const toml::source_region& where,
                                 std::string_view key) const {
    for (const ParameterInfo& info : registry_) {
      if (info.name == name) return info;
    }
    std::vector<std::string_view> names;
    for (const ParameterInfo& info : registry_) names.push_back(info.name);
    fail(where, key, "unknown parameter " + in_quotes(name) + suggestion(name, names));
  }

  void check_value(const ParameterInfo& info, double value, const toml::node& node,
                   std::string_view key) const {
    if (value < info.min || value > info.max) {
      fail(node, key, format_number(value) + " is outside the valid range " +
                          describe_interval(info.min, info.max) + " of " + info.name +
                          (info.units.empty() ? "" : " (" + info.units + ")"));
    }
  }

  /// Records that `name` is set at `key`; a parameter may be set or swept in one place only.
  void claim(const std::string& name, const toml::source_region& where, const std::string& key) {
    const auto [it, inserted] = claims_.emplace(name, Claim{key, where.begin.line});
    if (!inserted) {
      fail(where, key, "parameter " + name + " is already set by " + it->second.key +
                           (it->second.line > 0 ? " (line " + std::to_string(it->second.line) + ")" : "") +
                           "; a parameter may appear once over [link], [search], [axes] and [[corners]]");
    }
  }

  /// A path relative to the spec file's directory, made absolute.
  std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& text) const {
    std::filesystem::path path(text);
    if (path.is_relative()) path = base_dir / path;
    return std::filesystem::absolute(path).lexically_normal();
  }

  static std::string dotted(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
  }

 private:
  struct Claim {
    std::string key;
    std::uint32_t line = 0;
  };
  std::string source_;
  std::span<const ParameterInfo> registry_;
  std::map<std::string, Claim> claims_;
};

// ------------------------------------------------------------------------------------------
// Table readers
// ------------------------------------------------------------------------------------------

void read_sweep(Reader& r, const toml::table& root, const std::filesystem::path& source,
                SweepSpec& spec) {
  const toml::node* node = root.get("sweep");
  if (node == nullptr) {
    r.fail(toml::source_region{}, "[sweep]", "missing required table (it names com_config)");
  }
  const toml::table& sweep = r.to_table(*node, "sweep");
  constexpr std::string_view keys[] = {"name",     "com_config", "sampling",
                                       "variants", "seed",       "margin_thresholds_dB"};
  r.check_keys(sweep, "sweep", keys);

  const toml::node* name = sweep.get("name");
  spec.name = name != nullptr ? r.to_string(*name, "sweep.name") : source.stem().string();
  spec.com_config = r.resolve(source.parent_path(),
                              r.to_string(r.require(sweep, "sweep", "com_config"), "sweep.com_config"));

  if (const toml::node* sampling = sweep.get("sampling")) {
    const std::string text = r.to_string(*sampling, "sweep.sampling");
    const auto it = std::find(std::begin(sampling_names), std::end(sampling_names), text);
    if (it == std::end(sampling_names)) {
      r.fail(*sampling, "sweep.sampling",
             "unknown sampling " + in_quotes(text) + suggestion(text, sampling_names) +
                 "; expected one of " + join(sampling_names));
    }
    spec.sampling = static_cast<Sampling>(it - std::begin(sampling_names));
  }

  const toml::node* variants = sweep.get("variants");
  if (spec.sampling == Sampling::grid) {
    if (variants != nullptr) {
      r.fail(*variants, "sweep.variants",
             "not allowed with sampling = \"grid\": a grid's size is the product of its axes");
    }
  } else {
    if (variants == nullptr) {
      r.fail(sweep.source(), "sweep.variants",
             "missing (required with sampling = \"" +
                 std::string(sampling_names[static_cast<int>(spec.sampling)]) + "\")");
    }
    spec.requested_variants = static_cast<std::uint64_t>(r.to_integer(*variants, "sweep.variants", 1));
  }

  if (const toml::node* seed = sweep.get("seed")) {
    spec.seed = static_cast<std::uint64_t>(r.to_integer(*seed, "sweep.seed", 0));
  }

  spec.margin_thresholds_dB = {0.0, 1.0, 2.0, 3.0};
  if (const toml::node* thresholds = sweep.get("margin_thresholds_dB")) {
    spec.margin_thresholds_dB = r.to_numbers(*thresholds, "sweep.margin_thresholds_dB");
    if (std::adjacent_find(spec.margin_thresholds_dB.begin(), spec.margin_thresholds_dB.end(),
                           std::greater_equal<>()) != spec.margin_thresholds_dB.end()) {
      r.fail(*thresholds, "sweep.margin_thresholds_dB", "list the thresholds in increasing order");
    }
  }
}

void read_link(Reader& r, const toml::table& root, SweepSpec& spec) {
  const toml::node* node = root.get("link");
  if (node == nullptr) return;
  for (const auto& [key, value] : r.to_table(*node, "link")) {
    const std::string path = Reader::dotted("link", key.str());
    const ParameterInfo& info = r.parameter(key.str(), key.source(), path);
    r.claim(info.name, key.source(), path);
    const double number = r.to_number(value, path);
    r.check_value(info, number, value, path);
    spec.fixed[info.name] = number;
  }
}

void read_search(Reader& r, const toml::table& root, SweepSpec& spec) {
  const toml::node* node = root.get("search");
  if (node == nullptr) return;
  for (const auto& [key, value] : r.to_table(*node, "search")) {
    const std::string path = Reader::dotted("search", key.str());
    const ParameterInfo& info = r.parameter(key.str(), key.source(), path);
    if (!info.searchable) {
      r.fail(key.source(), path,
             info.name + " is not a searchable module setting; fix it in [link] or sweep it in [axes]");
    }
    r.claim(info.name, key.source(), path);
    std::vector<double> values = r.to_numbers(value, path);
    for (const double v : values) r.check_value(info, v, value, path);
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      r.fail(value, path, "a value is listed twice");
    }
    spec.search[info.name] = std::move(values);
  }
}

/// Points of range = [lo, hi] with steps = n (n points, ends included) or step = s (lo, lo + s,
/// ... up to hi; hi itself when the span is within rounding of a whole number of steps).
std::vector<double> range_points(Reader& r, const toml::table& axis, const std::string& path) {
  const std::string range_key = Reader::dotted(path, "range");
  const toml::node& range_node = r.require(axis, path, "range");
  const std::vector<double> ends = r.to_numbers(range_node, range_key);
  if (ends.size() != 2) r.fail(range_node, range_key, "expected [min, max]");
  const double lo = ends[0];
  const double hi = ends[1];
  if (!(lo < hi)) r.fail(range_node, range_key, "min must be < max, got " + describe_interval(lo, hi));
  const toml::node* steps = axis.get("steps");
  const toml::node* step = axis.get("step");
  if ((steps == nullptr) == (step == nullptr)) {
    r.fail(range_node, range_key, "give exactly one of steps (number of points) and step (spacing)");
  }
  std::vector<double> points;
  if (steps != nullptr) {
    const std::int64_t n = r.to_integer(*steps, Reader::dotted(path, "steps"), 2);
    if (static_cast<std::uint64_t>(n) > max_axis_points) {
      r.fail(*steps, Reader::dotted(path, "steps"), "more than " + std::to_string(max_axis_points) + " points");
    }
    for (std::int64_t k = 0; k < n; ++k) {
      points.push_back(lo + (hi - lo) * static_cast<double>(k) / static_cast<double>(n - 1));
    }
    points.back() = hi;
    return points;
  }
  const std::string step_key = Reader::dotted(path, "step");
  const double spacing = r.to_number(*step, step_key);
  if (spacing <= 0.0) r.fail(*step, step_key, "must be > 0, got " + format_number(spacing));
  const double span = (hi - lo) / spacing;
  if (span >= static_cast<double>(max_axis_points)) {
    r.fail(*step, step_key, "more than " + std::to_string(max_axis_points) + " points");
  }
  // Integer multiples of the step, so no value drifts with accumulated rounding.
  const double nearest = std::round(span);
  const bool reaches_hi = std::abs(span - nearest) <= 1e-9 * std::max(1.0, nearest);
  const auto count = static_cast<std::size_t>(reaches_hi ? nearest : std::floor(span));
  for (std::size_t k = 0; k <= count; ++k) points.push_back(lo + static_cast<double>(k) * spacing);
  if (reaches_hi) points.back() = hi;
  return points;
}

/// The keys each distribution takes (besides `distribution`).
std::vector<std::string_view> distribution_keys(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::values: return {"values"};
    case DistributionKind::range: return {"range", "steps", "step"};
    case DistributionKind::uniform:
    case DistributionKind::log_uniform: return {"min", "max"};
    case DistributionKind::normal: return {"mean", "sigma"};
    case DistributionKind::truncated_normal: return {"mean", "sigma", "min", "max"};
    case DistributionKind::discrete: return {"values", "weights"};
  }
  return {};
}

Distribution read_distribution(Reader& r, const toml::table& axis, const std::string& path,
                               const ParameterInfo& info, Sampling sampling) {
  constexpr std::string_view all_keys[] = {"distribution", "values", "weights", "range", "steps",
                                           "step",         "min",    "max",     "mean",  "sigma"};
  r.check_keys(axis, path, all_keys);
  Distribution d;
  if (const toml::node* kind = axis.get("distribution")) {
    const std::string key = Reader::dotted(path, "distribution");
    const std::string text = r.to_string(*kind, key);
    const auto it = std::find(std::begin(distribution_names), std::end(distribution_names), text);
    if (it == std::end(distribution_names)) {
      r.fail(*kind, key, "unknown distribution " + in_quotes(text) + suggestion(text, distribution_names) +
                             "; expected one of " + join(distribution_names));
    }
    d.kind = static_cast<DistributionKind>(it - std::begin(distribution_names));
  } else if (axis.contains("range")) {
    d.kind = DistributionKind::range;
  } else if (!axis.contains("values")) {
    r.fail(axis.source(), path,
           "give values = [...], range = [min, max] with steps or step, or a distribution");
  }
  const std::string_view kind_name = distribution_names[static_cast<int>(d.kind)];
  const std::vector<std::string_view> accepted = distribution_keys(d.kind);
  for (const auto& [key, node] : axis) {
    if (key.str() != "distribution" &&
        std::find(accepted.begin(), accepted.end(), key.str()) == accepted.end()) {
      r.fail(key.source(), Reader::dotted(path, key.str()),
             "does not apply to distribution " + in_quotes(kind_name) + " (it takes " + join(accepted) + ")");
    }
  }
  const bool continuous = d.kind != DistributionKind::values && d.kind != DistributionKind::range &&
                          d.kind != DistributionKind::discrete;
  if (sampling == Sampling::grid && continuous) {
    r.fail(axis.source(), path,
           "distribution " + in_quotes(kind_name) +
               " is continuous: a grid takes only values, range or discrete axes");
  }
  const auto number = [&](std::string_view key) {
    return r.to_number(r.require(axis, path, key), Reader::dotted(path, key));
  };
  const auto check_support = [&](double lo, double hi) {
    const toml::node& at = r.require(axis, path, "min");
    if (!(lo < hi)) r.fail(at, Reader::dotted(path, "min"), "min must be < max, got " + describe_interval(lo, hi));
    if (lo < info.min || hi > info.max) {
      r.fail(at, path, "support " + describe_interval(lo, hi) + " is outside the valid range " +
                           describe_interval(info.min, info.max) + " of " + info.name);
    }
  };
  const auto check_sigma = [&] {
    if (d.sigma <= 0.0) {
      r.fail(r.require(axis, path, "sigma"), Reader::dotted(path, "sigma"),
             "must be > 0, got " + format_number(d.sigma));
    }
  };

  switch (d.kind) {
    case DistributionKind::values:
    case DistributionKind::discrete:
    case DistributionKind::range: {
      const std::string values_key = Reader::dotted(path, d.kind == DistributionKind::range ? "range" : "values");
      const toml::node& values_node = r.require(axis, path, d.kind == DistributionKind::range ? "range" : "values");
      d.values = d.kind == DistributionKind::range ? range_points(r, axis, path)
                                                   : r.to_numbers(values_node, values_key);
      for (const double v : d.values) r.check_value(info, v, values_node, values_key);
      std::vector<double> sorted = d.values;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        r.fail(values_node, values_key, "a value is listed twice");
      }
      if (const toml::node* weights = axis.get("weights")) {
        const std::string key = Reader::dotted(path, "weights");
        if (sampling == Sampling::grid) {
          r.fail(*weights, key, "a grid enumerates every value once; weights apply only to "
                                "monte_carlo and low_discrepancy sampling");
        }
        d.weights = r.to_weights(*weights, key, d.values.size(), "values");
      }
      break;
    }
    case DistributionKind::uniform:
      d.min = number("min");
      d.max = number("max");
      check_support(d.min, d.max);
      break;
    case DistributionKind::log_uniform:
      d.min = number("min");
      d.max = number("max");
      if (d.min <= 0.0) {
        r.fail(r.require(axis, path, "min"), Reader::dotted(path, "min"),
               "log_uniform needs min > 0, got " + format_number(d.min));
      }
      check_support(d.min, d.max);
      break;
    case DistributionKind::normal: {
      d.mean = number("mean");
      d.sigma = number("sigma");
      check_sigma();
      const double lo = d.mean - normal_reach_sigmas * d.sigma;
      const double hi = d.mean + normal_reach_sigmas * d.sigma;
      if (lo < info.min || hi > info.max) {
        r.fail(axis.source(), path,
               "a normal draw may reach " + describe_interval(lo, hi) + " (mean +- 8.3 sigma), outside the valid range " +
                   describe_interval(info.min, info.max) + " of " + info.name +
                   "; use distribution = \"truncated_normal\" with min and max");
      }
      break;
    }
    case DistributionKind::truncated_normal:
      d.mean = number("mean");
      d.sigma = number("sigma");
      d.min = number("min");
      d.max = number("max");
      check_sigma();
      check_support(d.min, d.max);
      if (normal_mass((d.min - d.mean) / d.sigma, (d.max - d.mean) / d.sigma) < min_truncated_mass) {
        r.fail(axis.source(), path,
               "[min, max] = " + describe_interval(d.min, d.max) +
                   " holds less than 1e-12 of the normal's probability; check mean and sigma");
      }
      break;
  }
  return d;
}

void read_axes(Reader& r, const toml::table& root, SweepSpec& spec) {
  const toml::node* node = root.get("axes");
  if (node == nullptr) return;
  for (const auto& [key, value] : in_file_order(r.to_table(*node, "axes"))) {
    const std::string path = Reader::dotted("axes", key->str());
    const ParameterInfo& info = r.parameter(key->str(), key->source(), path);
    r.claim(info.name, key->source(), path);
    const auto* axis = value->as_table();
    if (axis == nullptr) {
      r.fail(*value, path, "expected a table such as { values = [...] }, got " + type_name(*value));
    }
    spec.axes.push_back(Axis{info.name, read_distribution(r, *axis, path, info, spec.sampling)});
  }
}

/// The tables of an array of tables ([[name]]), with their dotted names "name[1]", ...
std::vector<std::pair<const toml::table*, std::string>> table_array(Reader& r, const toml::table& root,
                                                                    std::string_view name) {
  std::vector<std::pair<const toml::table*, std::string>> tables;
  const toml::node* node = root.get(name);
  if (node == nullptr) return tables;
  const auto* array = node->as_array();
  if (array == nullptr) r.fail(*node, name, "expected [[" + std::string(name) + "]] tables, got " + type_name(*node));
  for (const toml::node& element : *array) {
    const std::string path = std::string(name) + "[" + std::to_string(tables.size() + 1) + "]";
    tables.emplace_back(&r.to_table(element, path), path);
  }
  return tables;
}

void read_corners(Reader& r, const toml::table& root, SweepSpec& spec) {
  for (const auto& [table, path] : table_array(r, root, "corners")) {
    constexpr std::string_view keys[] = {"name", "parameters", "values", "weights"};
    r.check_keys(*table, path, keys);
    CornerGroup group;
    const toml::node& name_node = r.require(*table, path, "name");
    group.name = r.to_string(name_node, Reader::dotted(path, "name"));
    for (const CornerGroup& other : spec.corners) {
      if (other.name == group.name) r.fail(name_node, Reader::dotted(path, "name"), in_quotes(group.name) + " is used twice");
    }

    const std::string parameters_key = Reader::dotted(path, "parameters");
    std::vector<const ParameterInfo*> infos;
    for (const toml::node& element : r.to_array(r.require(*table, path, "parameters"), parameters_key)) {
      const ParameterInfo& info = r.parameter(r.to_string(element, parameters_key), element.source(), parameters_key);
      r.claim(info.name, element.source(), parameters_key);
      group.parameters.push_back(info.name);
      infos.push_back(&info);
    }

    const std::string values_key = Reader::dotted(path, "values");
    for (const toml::node& row_node : r.to_array(r.require(*table, path, "values"), values_key)) {
      if (!row_node.is_array()) {
        r.fail(row_node, values_key, "expected one array of " + std::to_string(infos.size()) +
                                         " values per row (corner), got " + type_name(row_node));
      }
      std::vector<double> row = r.to_numbers(row_node, values_key);
      if (row.size() != infos.size()) {
        r.fail(row_node, values_key,
               "row " + std::to_string(group.rows.size() + 1) + " has " + std::to_string(row.size()) +
                   " values for " + std::to_string(infos.size()) + " parameters");
      }
      for (std::size_t k = 0; k < row.size(); ++k) r.check_value(*infos[k], row[k], row_node, values_key);
      group.rows.push_back(std::move(row));
    }

    if (const toml::node* weights = table->get("weights")) {
      const std::string key = Reader::dotted(path, "weights");
      if (spec.sampling == Sampling::grid) {
        r.fail(*weights, key, "a grid enumerates every row once; weights apply only to "
                              "monte_carlo and low_discrepancy sampling");
      }
      group.weights = r.to_weights(*weights, key, group.rows.size(), "rows");
    }
    spec.corners.push_back(std::move(group));
  }
}

/// One [[table]] array of measured file sets (a file dimension); `keys` are those it accepts.
void read_file_sets(Reader& r, const toml::table& root, const std::filesystem::path& source, std::string_view name,
                    std::span<const std::string_view> keys, const Sampling sampling,
                    std::vector<ChannelFileSet>& sets, std::vector<double>& normalised_weights) {
  std::vector<double> weights;
  const toml::node* first_weight = nullptr;
  for (const auto& [table, path] : table_array(r, root, name)) {
    r.check_keys(*table, path, keys);
    ChannelFileSet set;
    const toml::node& label = r.require(*table, path, "label");
    set.label = r.to_string(label, Reader::dotted(path, "label"));
    for (const ChannelFileSet& other : sets) {
      if (other.label == set.label) r.fail(label, Reader::dotted(path, "label"), in_quotes(set.label) + " is used twice");
    }
    const auto file = [&](const toml::node& node, const std::string& key) {
      std::filesystem::path resolved = r.resolve(source.parent_path(), r.to_string(node, key));
      std::error_code error;
      if (!std::filesystem::is_regular_file(resolved, error)) {
        r.fail(node, key, "file " + resolved.string() + " does not exist");
      }
      return resolved;
    };
    set.thru = file(r.require(*table, path, "thru"), Reader::dotted(path, "thru"));
    for (const auto& [kind, files] : {std::pair{"fext", &set.fext}, std::pair{"next", &set.next}}) {
      if (const toml::node* list = table->get(kind)) {  // [] is a set without such aggressors
        const std::string key = Reader::dotted(path, kind);
        const auto* array = list->as_array();
        if (array == nullptr) r.fail(*list, key, "expected an array of file names, got " + type_name(*list));
        for (const toml::node& element : *array) files->push_back(file(element, key));
      }
    }
    if (const toml::node* order = table->get("port_order")) {
      set.port_order = r.to_string(*order, Reader::dotted(path, "port_order"));
    }
    if (const toml::node* weight = table->get("weight")) {
      const std::string key = Reader::dotted(path, "weight");
      if (sampling == Sampling::grid) {
        r.fail(*weight, key, "a grid enumerates every file set once; weights apply only to "
                             "monte_carlo and low_discrepancy sampling");
      }
      weights.push_back(r.to_number(*weight, key));
      if (first_weight == nullptr) first_weight = weight;
    } else {
      weights.push_back(1.0);
    }
    sets.push_back(std::move(set));
  }
  if (first_weight != nullptr) {
    normalised_weights = r.normalised(weights, *first_weight, std::string(name) + ".weight");
  }
}

void read_measured_files(Reader& r, const toml::table& root, const std::filesystem::path& source, SweepSpec& spec) {
  constexpr std::string_view set_keys[] = {"label", "thru", "fext", "next", "port_order", "weight"};
  // A Tx-side board's NEXT would couple the module's outputs back into its own input: not modelled.
  constexpr std::string_view tx_board_keys[] = {"label", "thru", "fext", "port_order", "weight"};
  read_file_sets(r, root, source, "channel_sets", set_keys, spec.sampling, spec.channel_sets, spec.channel_set_weights);
  read_file_sets(r, root, source, "tx_boards", tx_board_keys, spec.sampling, spec.tx_boards, spec.tx_board_weights);
  read_file_sets(r, root, source, "rx_boards", set_keys, spec.sampling, spec.rx_boards, spec.rx_board_weights);
  if (!spec.channel_sets.empty()) {
    for (const char* boards : {"tx_boards", "rx_boards"}) {
      if (const toml::node* node = root.get(boards)) {
        r.fail(*node, std::string("[[") + boards + "]]",
               "boards belong to the LPO link model; [[channel_sets]] are whole measured channels without it");
      }
    }
  }
}

/// Grid size limits and the low-discrepancy dimension limit, once every table is read.
void check_size(Reader& r, const toml::table& root, const SweepSpec& spec) {
  const toml::node* sweep = root.get("sweep");
  const toml::node* sampling = sweep->as_table()->get("sampling");
  const toml::source_region where = sampling != nullptr ? sampling->source() : sweep->source();
  if (spec.sampling == Sampling::grid) {
    double product = 1.0;  // a double cannot overflow before the limit bites
    for (const Axis& axis : spec.axes) product *= static_cast<double>(axis.distribution.values.size());
    for (const CornerGroup& group : spec.corners) product *= static_cast<double>(group.rows.size());
    for (const FileDimension& files : spec.file_dimensions()) {
      product *= static_cast<double>(std::max<std::size_t>(1, files.sets.size()));
    }
    if (product > max_grid_variants) {
      r.fail(where, "sweep.sampling", "the grid has " + format_number(product) +
                                          " variants, more than 1e12; sample it with monte_carlo");
    }
  }
  std::size_t dimensions = spec.axes.size() + spec.corners.size();
  for (const FileDimension& files : spec.file_dimensions()) dimensions += files.sets.empty() ? 0 : 1;
  if (spec.sampling == Sampling::low_discrepancy && dimensions > max_low_discrepancy_dimensions) {
    r.fail(where, "sweep.sampling",
           "low_discrepancy sampling supports " + std::to_string(max_low_discrepancy_dimensions) +
               " dimensions (axes, corner groups, file sets); this sweep has " +
               std::to_string(dimensions) + "; use monte_carlo");
  }
}

// ------------------------------------------------------------------------------------------
// Canonical text (resolved_toml) and its hash
// ------------------------------------------------------------------------------------------

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escape;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

/// A key as TOML needs it: bare where it can be, quoted otherwise.
std::string toml_key(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(key) : toml_string(key);
}

/// A number TOML reads back as the same double: a float even when integral (an integer text
/// longer than 19 digits would not read back at all).
std::string toml_number(double value) {
  std::string text = format_number(value);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string toml_numbers(const std::vector<double>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + toml_number(values[i]);
  return out + "]";
}

std::string toml_strings(const std::vector<std::filesystem::path>& paths) {
  std::string out = "[";
  for (std::size_t i = 0; i < paths.size(); ++i) out += (i ? ", " : "") + toml_string(paths[i].string());
  return out + "]";
}

std::string distribution_toml(const Distribution& d) {
  const std::string kind = "distribution = " + toml_string(distribution_names[static_cast<int>(d.kind)]);
  switch (d.kind) {
    case DistributionKind::values:
    case DistributionKind::range:  // a range reads back as its points
      return "{ values = " + toml_numbers(d.values) + " }";
    case DistributionKind::discrete:
      return "{ " + kind + ", values = " + toml_numbers(d.values) +
             (d.weights.empty() ? "" : ", weights = " + toml_numbers(d.weights)) + " }";
    case DistributionKind::uniform:
    case DistributionKind::log_uniform:
      return "{ " + kind + ", min = " + toml_number(d.min) + ", max = " + toml_number(d.max) + " }";
    case DistributionKind::normal:
      return "{ " + kind + ", mean = " + toml_number(d.mean) + ", sigma = " + toml_number(d.sigma) + " }";
    case DistributionKind::truncated_normal:
      return "{ " + kind + ", mean = " + toml_number(d.mean) + ", sigma = " + toml_number(d.sigma) +
             ", min = " + toml_number(d.min) + ", max = " + toml_number(d.max) + " }";
  }
  return {};
}

std::string resolved_text(const SweepSpec& spec) {
  std::ostringstream out;
  out << "[sweep]\n"
      << "name = " << toml_string(spec.name) << "\n"
      << "com_config = " << toml_string(spec.com_config.string()) << "\n"
      << "sampling = " << toml_string(sampling_names[static_cast<int>(spec.sampling)]) << "\n";
  if (spec.sampling != Sampling::grid) out << "variants = " << spec.requested_variants << "\n";
  out << "seed = " << spec.seed << "\n"
      << "margin_thresholds_dB = " << toml_numbers(spec.margin_thresholds_dB) << "\n";
  if (!spec.fixed.empty()) {
    out << "\n[link]\n";
    for (const auto& [name, value] : spec.fixed) out << toml_key(name) << " = " << toml_number(value) << "\n";
  }
  if (!spec.search.empty()) {
    out << "\n[search]\n";
    for (const auto& [name, values] : spec.search) out << toml_key(name) << " = " << toml_numbers(values) << "\n";
  }
  if (!spec.axes.empty()) {
    out << "\n[axes]\n";
    for (const Axis& axis : spec.axes) {
      out << toml_key(axis.parameter) << " = " << distribution_toml(axis.distribution) << "\n";
    }
  }
  for (const CornerGroup& group : spec.corners) {
    out << "\n[[corners]]\nname = " << toml_string(group.name) << "\nparameters = [";
    for (std::size_t i = 0; i < group.parameters.size(); ++i) out << (i ? ", " : "") << toml_string(group.parameters[i]);
    out << "]\nvalues = [";
    for (std::size_t i = 0; i < group.rows.size(); ++i) out << (i ? ", " : "") << toml_numbers(group.rows[i]);
    out << "]\n";
    if (!group.weights.empty()) out << "weights = " << toml_numbers(group.weights) << "\n";
  }
  for (const FileDimension& files : spec.file_dimensions()) {
    for (std::size_t s = 0; s < files.sets.size(); ++s) {
      const ChannelFileSet& set = files.sets[s];
      out << "\n[[" << files.table << "]]\nlabel = " << toml_string(set.label)
          << "\nthru = " << toml_string(set.thru.string()) << "\nfext = " << toml_strings(set.fext) << "\n";
      if (files.table != "tx_boards") out << "next = " << toml_strings(set.next) << "\n";  // tx_boards have none
      if (!set.port_order.empty()) out << "port_order = " << toml_string(set.port_order) << "\n";
      if (!files.weights.empty()) out << "weight = " << toml_number(files.weights[s]) << "\n";
    }
  }
  return out.str();
}

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace

std::uint64_t SweepSpec::num_variants() const {
  if (sampling != Sampling::grid) return requested_variants;
  std::uint64_t count = 1;
  for (const Axis& axis : axes) count *= axis.distribution.values.size();
  for (const CornerGroup& group : corners) count *= group.rows.size();
  for (const FileDimension& files : file_dimensions()) count *= std::max<std::uint64_t>(1, files.sets.size());
  return count;
}

SweepSpec parse_sweep_spec(std::string_view text, const std::filesystem::path& source,
                           std::span<const ParameterInfo> registry) {
  const std::string source_name = source.string();
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw InputError(source_name + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                     ": TOML syntax error: " + std::string(error.description()));
  }
  Reader r(source_name, registry);
  constexpr std::string_view tables[] = {"sweep", "link", "search", "axes", "corners", "channel_sets", "tx_boards",
                                         "rx_boards"};
  for (const auto& [key, node] : root) {
    if (std::find(std::begin(tables), std::end(tables), key.str()) == std::end(tables)) {
      r.fail(key.source(), "[" + std::string(key.str()) + "]",
             "unknown table" + suggestion(key.str(), tables) + "; accepted: " + join(tables));
    }
  }

  SweepSpec spec;
  spec.source = source;
  read_sweep(r, root, source, spec);
  read_link(r, root, spec);
  read_search(r, root, spec);
  read_axes(r, root, spec);
  read_corners(r, root, spec);
  read_measured_files(r, root, source, spec);
  check_size(r, root, spec);
  refresh_resolved(spec);
  return spec;
}

void refresh_resolved(SweepSpec& spec) {
  spec.resolved_toml = resolved_text(spec);
  spec.hash = fnv1a_hex(spec.resolved_toml);
}

SweepSpec load_sweep_spec(const std::filesystem::path& file, std::span<const ParameterInfo> registry) {
  constexpr std::uintmax_t max_bytes = std::uintmax_t{16} << 20;  // a spec is a few kB
  std::error_code size_error;
  const std::uintmax_t bytes = std::filesystem::file_size(file, size_error);
  if (size_error) throw InputError(file.string() + ": cannot read sweep specification: " + size_error.message());
  if (bytes > max_bytes) {
    throw InputError(file.string() + ": " + std::to_string(bytes) + " bytes is too large for a sweep specification");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw InputError(file.string() + ": cannot read sweep specification");
  return parse_sweep_spec(text.str(), file, registry);
}

}  // namespace eyesweep
