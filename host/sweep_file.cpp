// The contents of a sweep's HDF5 file; see sweep_file.hpp.
#include "host/sweep_file.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

#include "host/eq_grid.hpp"
#include "host/fom_search.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Rows under construction, one vector per column in layout order.
class RowBuilder {
 public:
  explicit RowBuilder(const SweepLayout& layout) : layout_(layout), block_(empty(layout)) {}
  /// Appends the next value(s) of column `next_`; the caller adds every column in order.
  template <class T>
  void put(const T& value) {
    std::visit([&](auto& column) {
      using Element = typename std::decay_t<decltype(column)>::value_type;
      if constexpr (std::is_convertible_v<T, Element>) {
        column.push_back(static_cast<Element>(value));
      } else {
        ES_EXPECTS(false, "value type matches column " + layout_.columns[next_].path);
      }
    }, block_.columns[next_]);
    ++next_;
  }
  void put_vector(const std::vector<double>& values, std::size_t width) {
    auto& column = std::get<std::vector<double>>(block_.columns[next_]);
    for (std::size_t i = 0; i < width; ++i) column.push_back(i < values.size() ? values[i] : kNaN);
    ++next_;
  }
  void end_row() {
    ES_EXPECTS(next_ == layout_.columns.size(), "every column written");
    next_ = 0;
    ++block_.rows;
  }
  RowBlock take() {
    RowBlock out = std::move(block_);
    block_ = empty(layout_);
    return out;
  }

 private:
  static RowBlock empty(const SweepLayout& layout) {
    RowBlock block;
    for (const ColumnSpec& column : layout.columns) {
      switch (column.type) {
        case ColumnType::f64: block.columns.emplace_back(std::vector<double>{}); break;
        case ColumnType::i64: block.columns.emplace_back(std::vector<std::int64_t>{}); break;
        case ColumnType::u64: block.columns.emplace_back(std::vector<std::uint64_t>{}); break;
        case ColumnType::i8: block.columns.emplace_back(std::vector<std::int8_t>{}); break;
        case ColumnType::text: block.columns.emplace_back(std::vector<std::string>{}); break;
      }
    }
    return block;
  }

  const SweepLayout& layout_;
  RowBlock block_;
  std::size_t next_ = 0;
};

void put_row(RowBuilder& rows, const SweepLayout& layout, const VariantOutcome& v) {
  rows.put(v.point.index);
  for (double value : v.point.values) rows.put(value);
  for (const int set : {v.point.channel_set, v.point.tx_board, v.point.rx_board}) {
    if (set >= 0) rows.put(static_cast<std::int64_t>(set));  // in file_dimensions() order, as the columns
  }
  rows.put(static_cast<std::int8_t>(v.ok ? 1 : 0));
  rows.put(v.error);
  const ComCaseResult& r = v.result.com;
  const auto mV = [&](double volts) { return v.ok ? 1e3 * volts : kNaN; };
  const auto value = [&](double x) { return v.ok ? x : kNaN; };
  rows.put(value(r.com_dB));
  rows.put(value(r.fom_dB));
  rows.put(mV(r.eye_height));
  rows.put(mV(r.A_s));
  rows.put(mV(r.A_ni));
  rows.put(mV(r.noise.sigma_isi));
  rows.put(mV(r.noise.sigma_xt));
  rows.put(mV(r.noise.sigma_tx));
  rows.put(mV(r.noise.sigma_n));
  rows.put(mV(r.noise.sigma_rj));
  rows.put(mV(r.noise.sigma_dd));
  rows.put(value(r.equalizer.ctle.g_DC_dB));
  rows.put(value(r.equalizer.ctle.g_DC2_dB));
  rows.put_vector(v.ok ? r.equalizer.tx_taps : std::vector<double>{}, layout.tx_taps);
  rows.put_vector(v.ok ? r.equalizer.dfe_taps : std::vector<double>{}, layout.dfe_taps);
  if (layout.rx_ffe_taps > 0) rows.put_vector(v.ok ? r.equalizer.rx_ffe_taps : std::vector<double>{}, layout.rx_ffe_taps);
  rows.put(static_cast<std::int64_t>(v.ok ? r.equalizer.sampling_phase : -1));
  for (std::size_t k = 0; k < layout.search.names.size(); ++k) {
    rows.put(v.ok ? layout.search.settings[v.setting][k] : kNaN);
  }
  if (layout.module) {
    rows.put(value(v.module.module_power_W));
    rows.put(value(v.module.rlm_module));
    rows.put(value(v.module.oma_rx_dBm));
    rows.put(value(v.module.tia_transimpedance_dBohm));
    rows.put(value(v.module.module_noise_mV));
  }
  rows.end_row();
}

template <class T>
std::vector<T> column_as(const ResultsFile& file, const std::string& path) {
  ColumnData data = file.read(path);
  if (auto* values = std::get_if<std::vector<T>>(&data)) return std::move(*values);
  throw InputError(file.path().string() + ": " + path + ": unexpected type in the sweep file");
}

const ParameterInfo& info_of(const std::vector<ParameterInfo>& registry, const std::string& name) {
  const auto it = std::find_if(registry.begin(), registry.end(), [&](const ParameterInfo& p) { return p.name == name; });
  ES_EXPECTS(it != registry.end(), "swept parameter " + name + " is in the registry");
  return *it;
}

}  // namespace

ModuleSearch module_search_of(const SweepSpec& spec) {
  ModuleSearch search;
  search.settings = {{}};
  for (const auto& [name, values] : spec.search) {
    search.names.push_back(name);
    std::vector<std::vector<double>> next;
    for (const std::vector<double>& setting : search.settings) {
      for (double value : values) {
        next.push_back(setting);
        next.back().push_back(value);
      }
    }
    search.settings = std::move(next);
  }
  return search;
}

SweepLayout sweep_layout(const SweepSpec& spec, const ComConfig& host) {
  const std::vector<ParameterInfo> registry = lpo_parameters(host);
  SweepLayout layout;
  layout.parameters = variant_columns(spec);
  layout.search = module_search_of(spec);
  layout.module = spec.channel_sets.empty();
  layout.tx_taps = build_tx_grid(host).num_taps;
  layout.dfe_taps = static_cast<std::size_t>(dfe_span(host));
  layout.rx_ffe_taps = host.rx_ffe.enabled() ? static_cast<std::size_t>(host.rx_ffe.num_taps()) : 0;
  std::vector<ColumnSpec>& c = layout.columns;
  c.push_back({"variant_index", ColumnType::u64, 1, "", "index of the variant in the sweep", {}});
  for (const std::string& name : layout.parameters) {
    const ParameterInfo& info = info_of(registry, name);
    c.push_back({"parameters/" + name, ColumnType::f64, 1, info.units, info.description, {}});
  }
  constexpr std::array<std::pair<const char*, const char*>, 3> kFileColumns{{
      {"channel_set", "channel file set (index into labels)"},
      {"tx_board", "measured Tx-side board (index into labels)"},
      {"rx_board", "measured Rx-side board (index into labels)"}}};
  for (std::size_t k = 0; k < kFileColumns.size(); ++k) {
    const FileDimension files = spec.file_dimensions()[k];
    if (files.sets.empty()) continue;
    std::vector<std::string> labels;
    for (const ChannelFileSet& set : files.sets) labels.push_back(set.label);
    c.push_back({std::string("parameters/") + kFileColumns[k].first, ColumnType::i64, 1, "", kFileColumns[k].second, labels});
  }
  const auto f64 = [&](const std::string& name, const std::string& units, const std::string& what, std::size_t width = 1) {
    c.push_back({"results/" + name, ColumnType::f64, width, units, what, {}});
  };
  c.push_back({"results/ok", ColumnType::i8, 1, "", "1 = computed, 0 = the variant's error is in results/error", {}});
  c.push_back({"results/error", ColumnType::text, 1, "", "why the variant was not computed", {}});
  f64("com_dB", "dB", "channel operating margin (the margin)");
  f64("fom_dB", "dB", "figure of merit of the winning equaliser");
  f64("eye_height_mV", "mV", "vertical eye opening at DER_0: 2 (A_s - A_ni), or on C2M sheets the worst eye over t_s +- T_O");
  f64("A_s_mV", "mV", "signal amplitude A_s");
  f64("A_ni_mV", "mV", "noise and interference amplitude A_ni at DER_0");
  f64("sigma_isi_mV", "mV", "RMS residual ISI");
  f64("sigma_xt_mV", "mV", "RMS crosstalk");
  f64("sigma_tx_mV", "mV", "RMS transmitter noise");
  f64("sigma_n_mV", "mV", "RMS noise at the decision point: eta_0 plus the module's noise");
  f64("sigma_rj_mV", "mV", "RMS random-jitter noise");
  f64("sigma_dd_mV", "mV", "RMS dual-Dirac jitter noise");
  f64("g_DC_dB", "dB", "winning host CTLE DC gain");
  f64("g_DC2_dB", "dB", "winning host CTLE low-frequency gain");
  f64("tx_taps", "1", "winning host Tx FFE taps, c(" + std::to_string(build_tx_grid(host).first_offset) + ") upward", layout.tx_taps);
  f64("dfe_taps", "1", "host DFE taps b(1..), relative to the cursor", layout.dfe_taps);
  if (layout.rx_ffe_taps > 0) {
    f64("rx_ffe_taps", "1", "host Rx FFE taps w(" + std::to_string(-host.rx_ffe.pre_taps) + ") upward, main tap 1",
        layout.rx_ffe_taps);
  }
  c.push_back({"results/sampling_phase", ColumnType::i64, 1, "samples", "sampling phase t_s mod M", {}});
  for (const std::string& name : layout.search.names) {
    const ParameterInfo& info = info_of(registry, name);
    f64(name, info.units, "winning module setting: " + info.description);
  }
  if (!layout.module) return layout;
  f64("module_power_W", "W", "module power at the winning settings");
  f64("rlm_module", "1", "level mismatch from the module's compression");
  f64("oma_rx_dBm", "dBm", "optical modulation amplitude at the photodiode");
  f64("tia_transimpedance_dBohm", "dBohm", "TIA transimpedance after its AGC");
  f64("module_noise_mV", "mV", "RMS module noise at its output, before the host receiver");
  return layout;
}

RowBlock sweep_rows(const SweepLayout& layout, std::span<const VariantOutcome> outcomes) {
  RowBuilder rows(layout);
  for (const VariantOutcome& outcome : outcomes) put_row(rows, layout, outcome);
  return rows.take();
}

SweepSummary summarize_sweep_rows(const ResultsFile& file, std::span<const double> thresholds_dB, std::size_t worst_k) {
  const std::vector<double> margin = column_as<double>(file, "results/com_dB");
  const std::vector<std::int8_t> ok = column_as<std::int8_t>(file, "results/ok");
  const std::vector<std::uint64_t> index = column_as<std::uint64_t>(file, "variant_index");
  SweepColumns columns{margin, ok, index, {}, {}};
  for (const ColumnSpec& column : file.layout()) {
    if (column.path.rfind("parameters/", 0) == 0 && column.type == ColumnType::f64 && column.width == 1) {
      columns.parameter_names.push_back(column.path.substr(std::string("parameters/").size()));
    }
  }
  columns.parameter = [&](std::size_t p) {
    return column_as<double>(file, "parameters/" + columns.parameter_names[p]);
  };
  return summarize_sweep(columns, thresholds_dB, worst_k);
}

void write_summary(ResultsStore& store, const SweepSummary& s) {
  std::vector<double> threshold, yield, low, high;
  std::vector<std::uint64_t> pass, total;
  for (const YieldAtThreshold& y : s.yields) {
    threshold.push_back(y.threshold_dB);
    yield.push_back(y.yield);
    low.push_back(y.ci_low);
    high.push_back(y.ci_high);
    pass.push_back(y.pass);
    total.push_back(y.total);
  }
  std::vector<std::string> names;
  std::vector<double> spearman, shift;
  for (const ParameterSensitivity& p : s.sensitivity) {
    names.push_back(p.name);
    spearman.push_back(p.spearman);
    shift.push_back(p.failing_shift);
  }
  const auto column = [](const std::string& name, ColumnType type, const std::string& units, const std::string& what) {
    return ColumnSpec{name, type, 1, units, what, {}};
  };
  std::vector<std::pair<ColumnSpec, ColumnData>> datasets{
      {column("thresholds_dB", ColumnType::f64, "dB", "margin thresholds"), threshold},
      {column("yield", ColumnType::f64, "1", "fraction of computed variants with COM >= threshold"), yield},
      {column("yield_ci_low", ColumnType::f64, "1", "Wilson 95 % interval, lower bound"), low},
      {column("yield_ci_high", ColumnType::f64, "1", "Wilson 95 % interval, upper bound"), high},
      {column("pass", ColumnType::u64, "", "variants at or above the threshold"), pass},
      {column("total", ColumnType::u64, "", "computed variants"), total},
      {column("percentile_levels", ColumnType::f64, "%", "percentile levels"), s.percentile_levels},
      {column("margin_percentiles_dB", ColumnType::f64, "dB", "COM percentiles"), s.margin_percentiles_dB},
      {column("worst_variant_index", ColumnType::u64, "", "variants with the lowest COM, worst first"), s.worst_variants},
      {column("worst_margin_dB", ColumnType::f64, "dB", "their COM"), s.worst_margin_dB},
      {column("sensitivity_parameter", ColumnType::text, "", "swept parameters, strongest driver of COM first"), names},
      {column("sensitivity_spearman", ColumnType::f64, "1", "rank correlation of the parameter with COM"), spearman},
      {column("sensitivity_failing_shift", ColumnType::f64, "1",
              "(mean among failing - mean among passing) / pooled standard deviation, first threshold"), shift},
  };
  store.write_group("summary", datasets,
                    {{"variants", s.variants}, {"computed", s.computed}, {"failed_to_compute", s.failed_to_compute},
                     {"margin_min_dB", s.margin_min_dB}, {"margin_mean_dB", s.margin_mean_dB},
                     {"margin_max_dB", s.margin_max_dB}});
}

}  // namespace eyesweep
