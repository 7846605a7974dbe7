// The sweep subcommands; see sweep_command.hpp.
#include "host/cli/sweep_command.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "host/cli/inspect.hpp"
#include "host/cli/eye_arguments.hpp"
#include "host/sweep_runner.hpp"
#include "io/config_toml.hpp"
#include "io/sweep_merge.hpp"
#include "io/sweep_spec.hpp"
#include "host/lpo_link.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

struct SweepCommandOptions {
  std::string spec;
  std::string out;
  std::string backend = "auto";
  std::string shard = "1/1";
  bool resume = false;
  bool force = false;
  std::optional<std::uint64_t> seed, variants;
  std::uint64_t batch = 16;
  unsigned threads = 0;
  std::size_t worst = 20;
  std::size_t eyes_worst = 0;
  std::vector<std::uint64_t> eye_variants;
  EyeArguments eye;
};

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  std::ostringstream out;
  if (s >= 3600) out << s / 3600 << "h " << (s % 3600) / 60 << "m";
  else if (s >= 60) out << s / 60 << "m " << s % 60 << "s";
  else out << s << "s";
  return out.str();
}

/// A live line on a terminal; periodic plain lines otherwise (logs of cluster jobs).
class ProgressDisplay {
 public:
  ProgressDisplay() : terminal_(isatty(fileno(stderr)) != 0) {}
  void operator()(const SweepProgress& p) {
    const double rate = p.seconds > 0.0 ? static_cast<double>(p.this_run) / p.seconds : 0.0;
    const double eta = rate > 0.0 ? static_cast<double>(p.total - p.done) / rate : INFINITY;
    std::ostringstream line;
    line << "sweep: " << p.done << "/" << p.total << " variants (" << std::fixed << std::setprecision(1)
         << 100.0 * static_cast<double>(p.done) / static_cast<double>(std::max<std::uint64_t>(p.total, 1)) << " %), "
         << std::setprecision(2) << rate << " variants/s, ETA " << duration_text(eta);
    if (terminal_) {
      std::cerr << "\r" << line.str() << "   " << (p.done == p.total ? "\n" : "") << std::flush;
    } else if (p.done == p.total || p.seconds >= last_ + 10.0) {
      std::cerr << line.str() << "\n";
      last_ = p.seconds;
    }
  }

 private:
  bool terminal_;
  double last_ = -1e300;
};

void run_sweep_command(const SweepCommandOptions& o) {
  // The spec names its host configuration; both are read and checked before anything runs.
  // Parameter names and ranges do not depend on the host; its defaults apply when variants
  // are decoded.
  SweepSpec spec = load_sweep_spec(o.spec, lpo_parameters(ComConfig{}));
  const ComConfig host = load_com_config(spec.com_config);
  if (o.seed) spec.seed = *o.seed;
  if (o.variants) {
    if (spec.sampling == Sampling::grid) throw InputError("--variants: the sweep samples a grid; its size is set by the axes");
    if (*o.variants == 0) throw InputError("--variants must be at least 1");
    spec.requested_variants = *o.variants;
  }
  refresh_resolved(spec);  // the file's spec attribute is the sweep that runs
  if (o.force && o.resume) throw InputError("--force and --resume exclude each other");
  SweepOptions options;
  options.backend = parse_backend(o.backend);
  options.threads = o.threads;
  options.resume = o.resume;
  options.shard = Shard::parse(o.shard);
  options.batch_variants = o.batch;
  options.worst_k = o.worst;
  options.eyes_worst = o.eyes_worst;
  options.eye_variants = o.eye_variants;
  options.eye = eye_options(o.eye);
  check_sweep_options(spec, options);
  if (o.force) {
    // Asked for: the old result and its journal go before anything new is written.
    std::filesystem::remove(o.out);
    std::filesystem::remove(o.out + ".journal");
  }
  options.note = [](const std::string& text) { std::cerr << text << "\n"; };
  ProgressDisplay display;
  options.progress = [&display](const SweepProgress& p) { display(p); };
  const SweepOutcome outcome = run_sweep(spec, host, o.out, options);
  std::cout << outcome.report;
  std::cout << "wrote " << o.out << " (" << outcome.rows << " variants, " << outcome.computed_now
            << " computed by this run in " << std::fixed << std::setprecision(1) << outcome.seconds
            << " s, of which writing the file " << std::setprecision(3) << outcome.write_seconds << " s = "
            << std::setprecision(2) << 100.0 * outcome.write_seconds / std::max(outcome.seconds, 1e-9) << " %)\n";
  if (!outcome.eyes.empty()) {
    std::cout << "statistical eyes of " << outcome.eyes.size() << " variants in /eyes (plot: scripts/plot_eye.py eye "
              << o.out << " --eye variant_" << std::setw(9) << std::setfill('0') << outcome.eyes.front() << ")\n";
  }
}

}  // namespace

void add_sweep_commands(CLI::App& app) {
  auto o = std::make_shared<SweepCommandOptions>();
  CLI::App* sweep = app.add_subcommand(
      "sweep",
      "Sweep linear-drive link variants: every variant of the specification (a link template and axes "
      "over its parameters) gets its module settings and host equaliser searched and its COM computed; "
      "results go to an HDF5 file batch by batch (schema: docs/hdf5-schema.md). Prints the yield at the "
      "spec's margin thresholds.");
  sweep->add_option("spec", o->spec, "sweep specification (TOML), e.g. examples/lpo_800g_dr8.toml")->required();
  sweep->add_option("-o,--output", o->out, "HDF5 result file")->required();
  sweep->add_option("--backend", o->backend, "engine: auto (default), cpu, cuda or reference");
  sweep->add_flag("--resume", o->resume,
                  "continue an interrupted sweep in the output file (same spec, seed and shard); "
                  "the result is identical to an uninterrupted run");
  sweep->add_flag("--force", o->force, "replace an existing output file (and its journal) instead of refusing");
  sweep->add_option("--shard", o->shard,
                    "compute shard k of N (k/N, 1-based): contiguous variant ranges; combine shard files with "
                    "`eyesweep merge`");
  sweep->add_option("--seed", o->seed, "seed of the variant draws (overrides [sweep] seed)");
  sweep->add_option("--variants", o->variants, "variants to draw (overrides [sweep] variants; not for grids)");
  sweep->add_option("--batch", o->batch, "variants per engine batch and per write (a crash loses at most one batch)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 20));
  sweep->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->check(CLI::Range(0u, 1024u));
  sweep->add_option("--worst", o->worst, "worst variants kept in the summary")->check(CLI::Range(std::size_t{0}, std::size_t{100000}));
  sweep->add_option("--keep-eyes", o->eyes_worst,
                    "keep the statistical eyes of the K worst variants in the file (group /eyes; "
                    "docs/statistical-eye.md)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10000}));
  sweep->add_option("--eye-variants", o->eye_variants, "also keep the eyes of these variant indices")->delimiter(',');
  add_eye_options(*sweep, o->eye);
  sweep->callback([o] { run_sweep_command(*o); });

  auto summarize_file = std::make_shared<std::string>();
  auto summarize_worst = std::make_shared<std::size_t>(20);
  CLI::App* summarize = app.add_subcommand(
      "summarize", "Yields with confidence intervals, margin percentiles, the worst variants and the parameters "
                   "that drive failures, from a sweep file (finished, interrupted or merged)");
  summarize->add_option("file", *summarize_file, "sweep result file (HDF5)")->required();
  summarize->add_option("--worst", *summarize_worst, "worst variants listed");
  summarize->callback([summarize_file, summarize_worst] {
    const SweepOutcome outcome = summarize_sweep_file(*summarize_file, *summarize_worst);
    std::cout << outcome.report;
  });

  struct MergeOptions {
    std::vector<std::string> shards;
    std::string out;
    bool copy = false;
  };
  auto m = std::make_shared<MergeOptions>();
  CLI::App* merge = app.add_subcommand(
      "merge", "Combine the shard files of one sweep into one file: HDF5 virtual datasets referring to the "
               "shards (no copy; keep the shard files beside it), or a copy with --copy. Missing or "
               "overlapping shards are errors");
  merge->add_option("shards", m->shards, "shard files (any order)")->required();
  merge->add_option("-o,--output", m->out, "merged file")->required();
  merge->add_flag("--copy", m->copy, "copy the shards' data into the merged file");
  merge->callback([m] {
    std::vector<std::filesystem::path> shards(m->shards.begin(), m->shards.end());
    merge_shards(shards, m->out, m->copy ? MergeMode::materialise : MergeMode::virtual_dataset);
    std::cout << summarize_sweep_file(m->out, 20).report;
    std::cout << "wrote " << m->out << " from " << shards.size() << " shards\n";
  });

  add_inspect_command(app);
}

}  // namespace eyesweep
