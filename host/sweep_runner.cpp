// Sweeps of linear-drive link variants into HDF5; see sweep_runner.hpp.
#include "host/sweep_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include "eyesweep/version.hpp"
#include "host/eq_grid.hpp"
#include "host/eye_datasets.hpp"
#include "host/eye_engine.hpp"
#include "host/link_eye.hpp"
#include "host/measured_board.hpp"
#include "io/results_store.hpp"
#include "io/mixed_mode.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot read");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// One module setting of a variant, built for the engines, or why not.
struct BuiltSetting {
  std::size_t setting = 0;
  std::optional<LpoVariant> link;
  std::string error;
};

/// Where a sweep's variants come from: the LPO link model (with measured boards, loaded once,
/// on first use), or measured channel sets (likewise) with the host's parameters.
class LinkSource {
 public:
  LinkSource(const SweepSpec& spec, const ComConfig& host)
      : spec_(spec), host_(host), registry_(lpo_parameters(host)), search_(module_search_of(spec)),
        sets_(spec.channel_sets.size()), tx_boards_(spec.tx_boards.size()), rx_boards_(spec.rx_boards.size()) {}
  const SweepSpec& spec() const { return spec_; }
  const ComConfig& host() const { return host_; }
  const std::vector<ParameterInfo>& registry() const { return registry_; }
  const ModuleSearch& search() const { return search_; }
  bool measured() const { return !spec_.channel_sets.empty(); }

  /// Measured channel sets take only the host's parameters and have no module to search;
  /// measured boards set their side's loss (and, on both sides, leave no board impedance to
  /// set). Reads every measured board, so that a bad file stops the sweep before it starts.
  void check() {
    check_boards();
    if (!measured()) return;
    const auto refuse = [&](const std::string& name, const char* where) {
      if (!is_host_parameter(name)) {
        throw InputError(spec_.source.string() + ": " + where + " " + name +
                         ": has no effect on measured channel sets ([[channel_sets]]); only the host_* parameters apply");
      }
    };
    for (const auto& [name, value] : spec_.fixed) refuse(name, "[link]");
    for (const auto& [name, values] : spec_.search) refuse(name, "[search]");
    for (const std::string& name : variant_columns(spec_)) refuse(name, "axis");
    if (!spec_.search.empty()) {
      throw InputError(spec_.source.string() + ": [search]: measured channel sets have no module settings to search");
    }
  }

  /// The link of every module setting of a variant, built for the engines; a setting the
  /// model refuses keeps its error.
  std::vector<BuiltSetting> build(const VariantPoint& point) {
    const std::map<std::string, double> base = link_parameters(spec_, registry_, point);
    std::vector<BuiltSetting> built(search_.settings.size());
    for (std::size_t s = 0; s < search_.settings.size(); ++s) {
      std::map<std::string, double> values = base;
      for (std::size_t k = 0; k < search_.names.size(); ++k) values[search_.names[k]] = search_.settings[s][k];
      built[s].setting = s;
      try {
        const LpoLink link = lpo_link_from(values, host_);
        if (measured()) {
          built[s].link = LpoVariant{host_variant(link, host_, channel_set(point.channel_set)), {}};
        } else {
          const LinkBoards boards{board(tx_boards_, spec_.tx_boards, point.tx_board),
                                  board(rx_boards_, spec_.rx_boards, point.rx_board)};
          built[s].link = build_lpo_variant(link, host_, boards);
        }
      } catch (const InputError& e) {
        built[s].error = e.what();
      }
    }
    return built;
  }

 private:
  std::shared_ptr<const std::vector<LoadedChannel>> channel_set(int index) {
    ES_EXPECTS(index >= 0 && static_cast<std::size_t>(index) < sets_.size(), "a variant of a measured sweep has a channel set");
    auto& set = sets_[static_cast<std::size_t>(index)];
    if (!set) {
      const ChannelFileSet& files = spec_.channel_sets[static_cast<std::size_t>(index)];
      const std::string context = spec_.source.string() + ": channel set " + files.label + ": port_order";
      const PortOrder order = PortOrder::parse(files.port_order.empty() ? host_.port_order : files.port_order, context);
      std::vector<ChannelInput> inputs{{files.thru, ChannelKind::thru, order}};
      for (const auto& f : files.fext) inputs.push_back({f, ChannelKind::fext, order});
      for (const auto& f : files.next) inputs.push_back({f, ChannelKind::next, order});
      set = std::make_shared<const std::vector<LoadedChannel>>(load_channels(inputs));
    }
    return set;
  }

  /// Board `index` of `files` (null for -1: the line model), read on first use into `cache`.
  const MeasuredBoard* board(std::vector<std::optional<MeasuredBoard>>& cache, const std::vector<ChannelFileSet>& files,
                             int index) {
    if (index < 0) return nullptr;
    std::optional<MeasuredBoard>& loaded = cache[static_cast<std::size_t>(index)];
    if (!loaded) {
      if (grid_.empty()) grid_ = lpo_frequencies_GHz(host_);
      loaded = load_measured_board(files[static_cast<std::size_t>(index)], host_, grid_);
    }
    return &*loaded;
  }

  void check_boards() {
    const auto refuse = [&](const std::string& name, const std::string& why) {
      const std::vector<std::string> swept = variant_columns(spec_);
      if (spec_.fixed.count(name) || spec_.search.count(name) || std::count(swept.begin(), swept.end(), name)) {
        throw InputError(spec_.source.string() + ": " + name + ": has no effect: " + why);
      }
    };
    if (!spec_.tx_boards.empty()) refuse("tx_board_loss_dB", "the measured [[tx_boards]] set the Tx-side loss");
    if (!spec_.rx_boards.empty()) refuse("rx_board_loss_dB", "the measured [[rx_boards]] set the Rx-side loss");
    if (!spec_.tx_boards.empty() && !spec_.rx_boards.empty()) {
      refuse("board_impedance_ohm", "both sides' boards are measured ([[tx_boards]], [[rx_boards]])");
    }
    for (int k = 0; k < static_cast<int>(spec_.tx_boards.size()); ++k) board(tx_boards_, spec_.tx_boards, k);
    for (int k = 0; k < static_cast<int>(spec_.rx_boards.size()); ++k) board(rx_boards_, spec_.rx_boards, k);
  }

  const SweepSpec& spec_;
  const ComConfig& host_;
  std::vector<ParameterInfo> registry_;
  ModuleSearch search_;
  std::vector<std::shared_ptr<const std::vector<LoadedChannel>>> sets_;
  std::vector<std::optional<MeasuredBoard>> tx_boards_, rx_boards_;
  std::vector<double> grid_;  ///< the link's frequencies, for the measured boards
};

/// Computes variants [first, end): every module setting of every variant in one engine
/// batch, then the best setting of each.
std::vector<VariantOutcome> compute_batch(LinkSource& source, Engine& engine, std::uint64_t first,
                                          std::uint64_t end) {
  std::vector<VariantOutcome> outcomes;
  std::vector<ChannelVariant> runs;
  std::vector<LpoModuleReport> reports;
  std::vector<std::pair<std::size_t, std::size_t>> owner;  // (outcome, setting) of each run
  for (std::uint64_t index = first; index < end; ++index) {
    VariantOutcome outcome;
    outcome.point = decode_variant(source.spec(), index);
    for (BuiltSetting& built : source.build(outcome.point)) {
      if (!built.link) {
        if (outcome.error.empty()) outcome.error = built.error;
        continue;
      }
      runs.push_back(std::move(built.link->variant));
      reports.push_back(built.link->module);
      owner.emplace_back(outcomes.size(), built.setting);
    }
    outcomes.push_back(std::move(outcome));
  }
  std::vector<VariantResult> results = engine.run({&source.host(), runs, 0});
  for (std::size_t r = 0; r < results.size(); ++r) {
    VariantOutcome& outcome = outcomes[owner[r].first];
    if (!results[r].ok) {
      if (outcome.error.empty()) outcome.error = results[r].error;
      continue;
    }
    if (!outcome.ok || results[r].com.com_dB > outcome.result.com.com_dB) {
      outcome.ok = true;
      outcome.setting = owner[r].second;
      outcome.result = std::move(results[r]);
      outcome.module = reports[r];
    }
  }
  for (VariantOutcome& outcome : outcomes) {
    if (outcome.ok) outcome.error.clear();
  }
  return outcomes;
}

/// The variants whose eyes a sweep keeps: the worst of the summary, then the listed ones, each
/// once, in that order; only variants computed without error have an eye.
std::vector<std::uint64_t> eye_variants(const SweepSummary& summary, const SweepOptions& options) {
  std::vector<std::uint64_t> chosen;
  const std::size_t worst = std::min(options.eyes_worst, summary.worst_variants.size());
  chosen.assign(summary.worst_variants.begin(), summary.worst_variants.begin() + static_cast<std::ptrdiff_t>(worst));
  for (std::uint64_t index : options.eye_variants) {
    if (std::find(chosen.begin(), chosen.end(), index) == chosen.end()) chosen.push_back(index);
  }
  return chosen;
}

/// Recomputes each chosen variant (the same search, hence the same winner as its row), draws
/// its eye with the winning equaliser and writes it to the group eyes/variant_<index>.
/// Returns the variants that got an eye; a variant whose search failed has none (its row
/// says why).
std::vector<std::uint64_t> write_eyes(LinkSource& source, Engine& engine, const std::vector<std::uint64_t>& indices,
                                      const SweepOptions& options, ResultsStore& store) {
  std::string choice;
  const std::unique_ptr<EyeEngine> eye_engine = make_eye_engine(options.backend, {options.threads}, &choice);
  struct Kept {
    std::uint64_t index;
    VariantOutcome outcome;
    LinkEyeInputs inputs;
  };
  std::vector<Kept> kept;
  for (std::uint64_t index : indices) {
    VariantOutcome outcome = std::move(compute_batch(source, engine, index, index + 1).front());
    if (!outcome.ok) continue;
    const ChannelVariant variant = std::move(source.build(outcome.point)[outcome.setting].link->variant);
    const ComConfig cfg = variant_config(source.host(), variant);
    LinkEyeInputs inputs = winner_eye_inputs(cfg, *variant.channels, outcome.result.com);
    kept.push_back({index, std::move(outcome), std::move(inputs)});
  }
  std::vector<EyeInputs> eyes_in;
  for (const Kept& k : kept) eyes_in.push_back(k.inputs.eye);
  const std::vector<StatEye> eyes = eye_engine->run(eyes_in, options.eye);
  std::vector<std::uint64_t> written;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "eyes/variant_%09llu", static_cast<unsigned long long>(kept[i].index));
    const EyeProvenance provenance{"variant " + std::to_string(kept[i].index), 0, kept[i].outcome.result.com.com_dB,
                                   options.eye, kept[i].index};
    const DatasetGroup group = eye_group(name, eyes[i], kept[i].inputs.eye, kept[i].inputs.unequalized_pulse_V, provenance);
    store.write_group(group.path, group.datasets, group.attributes);
    written.push_back(kept[i].index);
  }
  return written;
}

std::string format_size(double bytes) {
  std::ostringstream out;
  out.precision(3);
  if (bytes < 1e6) out << bytes / 1e3 << " kB";
  else if (bytes < 1e9) out << bytes / 1e6 << " MB";
  else out << bytes / 1e9 << " GB";
  return out.str();
}

}  // namespace

Shard Shard::parse(const std::string& text, const std::string& option) {
  const auto slash = text.find('/');
  const auto number = [&](const std::string& part) -> std::uint64_t {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 9) {
      throw InputError(option + " " + text + ": expected k/N with whole numbers 1 <= k <= N");
    }
    return std::stoull(part);
  };
  if (slash == std::string::npos) throw InputError(option + " " + text + ": expected k/N, e.g. 3/8");
  Shard shard{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (shard.k < 1 || shard.k > shard.n) {
    throw InputError(option + " " + text + ": expected k/N with 1 <= k <= N");
  }
  return shard;
}

void check_sweep_options(const SweepSpec& spec, const SweepOptions& options) {
  if (options.batch_variants == 0) throw InputError("--batch must be at least 1");
  const std::uint64_t variants = spec.num_variants();
  const std::uint64_t first = options.shard.first(variants), end = options.shard.end(variants);
  for (std::uint64_t index : options.eye_variants) {
    if (index < first || index >= end) {
      throw InputError("--eye-variants " + std::to_string(index) + ": not a variant of this sweep" +
                       (options.shard.n > 1 ? " shard (" + options.shard.text() + ": " : " (") + std::to_string(first) +
                       " .. " + std::to_string(end - 1) + ")");
    }
  }
  if (options.eyes_worst > 0 || !options.eye_variants.empty()) check_eye_options(options.eye);
}

SweepOutcome run_sweep(const SweepSpec& spec, const ComConfig& host, const std::filesystem::path& out,
                       const SweepOptions& options) {
  LinkSource source(spec, host);
  source.check();
  const SweepLayout layout = sweep_layout(spec, host);
  const std::uint64_t variants = spec.num_variants();
  const std::uint64_t first = options.shard.first(variants), end = options.shard.end(variants);
  check_sweep_options(spec, options);

  std::string choice;
  const std::unique_ptr<Engine> engine = make_engine(options.backend, host, {options.threads}, &choice);
  const auto note = [&](const std::string& text) {
    if (options.note) options.note(text);
  };
  note("engine: " + choice);

  const std::string com_config_text = file_text(host.source);
  Attributes attributes{
      {"name", spec.name},
      {"spec", spec.resolved_toml},
      {"spec_hash", spec.hash},
      {"com_config", host.source},
      {"com_config_text", com_config_text},
      {"seed", spec.seed},
      {"num_variants", variants},
      {"shard", options.shard.text()},
      {"first_variant", first},
      {"end_variant", end},
      {"margin_thresholds_dB", spec.margin_thresholds_dB},
      {"eyesweep_version", std::string(kVersion)},
      {"git_revision", std::string(kGitRevision)},
      {"backend", std::string(engine->name())},
      {"device", engine->device()},
      {"start_time", utc_now()},
      {"end_time", std::string()},
  };
  const std::vector<std::string> identity{"spec", "com_config_text", "seed", "num_variants",
                                          "shard", "first_variant", "end_variant"};

  std::optional<ResultsStore> store;
  if (options.resume) {
    if (!std::filesystem::exists(out)) {
      throw InputError(out.string() + ": --resume: no such file (start the sweep without --resume)");
    }
    store.emplace(ResultsStore::resume(out, layout.columns, attributes));
    if (store->finished()) {
      note(out.string() + ": the sweep is already complete");
      store.reset();
      return summarize_sweep_file(out, options.worst_k);
    }
    note("resuming at variant " + std::to_string(first + store->rows()) + " (" + std::to_string(store->rows()) +
         " of " + std::to_string(end - first) + " already written)");
  } else {
    store.emplace(ResultsStore::create(out, layout.columns, attributes, identity));
  }

  const std::uint64_t per_variant_points =
      build_tx_grid(host).num_combinations() * build_ctle_grid(host).size() * layout.search.settings.size();
  const std::uint64_t todo = end - first - store->rows();
  const double row_bytes = 8.0 * static_cast<double>(layout.columns.size() + layout.tx_taps + layout.dfe_taps + layout.rx_ffe_taps);
  note("sweep: " + std::to_string(todo) + " variants to compute (shard " + options.shard.text() + " of " +
       std::to_string(variants) + "), " + std::to_string(layout.search.settings.size()) +
       " module settings x " + std::to_string(per_variant_points / layout.search.settings.size()) +
       " host equaliser points each (" + std::to_string(per_variant_points) + " grid points per variant); output about " +
       format_size(row_bytes * static_cast<double>(end - first)) + " before compression");

  using clock = std::chrono::steady_clock;
  const auto since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
  const auto start = clock::now();
  double write_seconds = 0.0;
  std::uint64_t computed = 0;
  const std::uint64_t resume_at = first + store->rows();
  for (std::uint64_t begin = resume_at; begin < end;) {
    // The first variant alone times the rest: an estimate before the bulk of the run (a
    // batch's size changes no result).
    const bool timing = begin == resume_at && end - begin > 1;
    const std::uint64_t stop = timing ? begin + 1 : std::min(end, begin + options.batch_variants);
    const auto batch_start = clock::now();
    const std::vector<VariantOutcome> outcomes = compute_batch(source, *engine, begin, stop);
    if (timing) {
      const double per_variant = since(batch_start);
      std::ostringstream estimate;
      estimate.precision(3);
      estimate << "sweep: the first variant took " << per_variant << " s; the " << todo << " variants need about "
               << per_variant * static_cast<double>(todo) / 60.0
               << " min at that rate (batches of several variants usually run faster per variant)";
      note(estimate.str());
    }
    const auto write_start = clock::now();
    store->append(sweep_rows(layout, outcomes));
    write_seconds += since(write_start);
    computed += stop - begin;
    begin = stop;
    if (options.progress) {
      options.progress({begin - first, end - first, computed, since(start)});
    }
  }

  SweepOutcome outcome;
  outcome.rows = store->rows();
  outcome.computed_now = computed;
  // The summary reads the rows back from the file (through the store's own open file), so
  // that nothing per row stays in memory while the sweep runs.
  store->flush();
  outcome.summary = summarize_sweep_rows(ResultsFile::open(out), spec.margin_thresholds_dB, options.worst_k);
  outcome.report = format_summary(outcome.summary);
  const std::vector<std::uint64_t> eye_indices = eye_variants(outcome.summary, options);
  if (!eye_indices.empty()) {
    note("eyes: recomputing " + std::to_string(eye_indices.size()) + " variants for their statistical eyes");
    outcome.eyes = write_eyes(source, *engine, eye_indices, options, *store);
  }
  const auto write_start = clock::now();
  write_summary(*store, outcome.summary);
  store->set_attributes({{"end_time", utc_now()}});
  store->finish();
  outcome.write_seconds = write_seconds + since(write_start);
  outcome.seconds = since(start);
  return outcome;
}

InspectedVariant recompute_variant(const SweepSpec& spec, const ComConfig& host, std::uint64_t index, Engine& engine) {
  if (index >= spec.num_variants()) {
    throw InputError("--variant " + std::to_string(index) + ": the sweep has " + std::to_string(spec.num_variants()) +
                     " variants (0 .. " + std::to_string(spec.num_variants() - 1) + ")");
  }
  LinkSource source(spec, host);
  InspectedVariant out;
  out.point = decode_variant(spec, index);
  out.parameters = link_parameters(spec, source.registry(), out.point);
  out.search = source.search();
  out.measured = source.measured();
  for (BuiltSetting& built : source.build(out.point)) {
    SettingResult setting;
    setting.setting = out.search.settings[built.setting];
    setting.error = built.error;
    if (built.link) {
      std::vector<VariantResult> run = engine.run({&host, std::span(&built.link->variant, 1), 0});
      setting.ok = run.front().ok;
      if (!setting.ok) setting.error = run.front().error;
      setting.result = std::move(run.front());
      setting.module = built.link->module;
    }
    if (setting.ok && (!out.ok || setting.result.com.com_dB > out.settings[out.best].result.com.com_dB)) {
      out.ok = true;
      out.best = out.settings.size();
    }
    out.settings.push_back(std::move(setting));
  }
  return out;
}

SweepOutcome summarize_sweep_file(const std::filesystem::path& file, std::size_t worst_k) {
  const ResultsFile results = ResultsFile::open(file);
  const Attributes attributes = results.attributes();
  std::vector<double> thresholds{0.0, 1.0, 2.0, 3.0};
  if (const auto it = attributes.find("margin_thresholds_dB"); it != attributes.end()) {
    if (const auto* values = std::get_if<std::vector<double>>(&it->second)) thresholds = *values;
  }
  SweepOutcome outcome;
  outcome.rows = results.rows();
  outcome.summary = summarize_sweep_rows(results, thresholds, worst_k);
  outcome.report = format_summary(outcome.summary);
  return outcome;
}

}  // namespace eyesweep
