#include "io/sweep_merge.hpp"

#include <algorithm>
#include <string>
#include <system_error>

#include "io/detail/hdf5_io.hpp"
#include "io/results_store.hpp"
#include "kernels/common/error.hpp"

namespace eyesweep {
namespace {

struct Shard {
  std::filesystem::path path;
  ResultsFile file;
  Attributes attributes;
  std::uint64_t first = 0;
  std::uint64_t end = 0;
};

std::uint64_t u64_attribute(const Shard& shard, const std::string& name) {
  const auto it = shard.attributes.find(name);
  const auto* value = it == shard.attributes.end() ? nullptr : std::get_if<std::uint64_t>(&it->second);
  if (value == nullptr)
    throw InputError(shard.path.string() + ": root attribute '" + name + "' is missing or not an unsigned integer");
  return *value;
}

std::vector<std::string> identity_keys(const Shard& shard) {
  const auto it = shard.attributes.find("identity_keys");
  const auto* keys = it == shard.attributes.end() ? nullptr : std::get_if<std::vector<std::string>>(&it->second);
  if (keys == nullptr) throw InputError(shard.path.string() + ": root attribute 'identity_keys' is missing");
  return *keys;
}

std::string range(std::uint64_t first, std::uint64_t end) {
  return "[" + std::to_string(first) + ", " + std::to_string(end) + ")";
}

Shard open_shard(const std::filesystem::path& path) {
  Shard shard{path, ResultsFile::open(path), {}, 0, 0};
  shard.attributes = shard.file.attributes();
  const auto complete = shard.attributes.find("complete");
  if (complete == shard.attributes.end() || complete->second != AttributeValue(std::int64_t{1}))
    throw InputError(path.string() + ": the shard is unfinished; resume it to completion before merging");
  shard.first = u64_attribute(shard, "first_variant");
  shard.end = u64_attribute(shard, "end_variant");
  if (shard.end < shard.first || shard.file.rows() != shard.end - shard.first)
    throw InputError(path.string() + ": holds " + std::to_string(shard.file.rows()) + " rows but claims variants " +
                     range(shard.first, shard.end));
  return shard;
}

/// InputError unless `shard` belongs to the same sweep as `reference`.
void check_same_sweep(const Shard& reference, const Shard& shard) {
  const std::string pair = reference.path.string() + " and " + shard.path.string();
  const std::vector<std::string> keys = identity_keys(reference);
  if (identity_keys(shard) != keys) throw InputError(pair + ": different identity_keys, not shards of one sweep");
  for (const std::string& key : keys) {
    if (key == "shard" || key == "first_variant" || key == "end_variant") continue;
    const auto a = reference.attributes.find(key);
    const auto b = shard.attributes.find(key);
    if (a == reference.attributes.end() || b == shard.attributes.end() || a->second != b->second)
      throw InputError(pair + ": attribute '" + key + "' differs (" +
                       (a == reference.attributes.end() ? std::string("missing") : to_string(a->second)) + " vs " +
                       (b == shard.attributes.end() ? std::string("missing") : to_string(b->second)) +
                       "), not shards of one sweep");
  }
  if (u64_attribute(reference, "num_variants") != u64_attribute(shard, "num_variants"))
    throw InputError(pair + ": attribute 'num_variants' differs, not shards of one sweep");
  const std::vector<ColumnSpec> a = reference.file.layout();
  const std::vector<ColumnSpec> b = shard.file.layout();
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
    if (i >= a.size() || i >= b.size() || !(a[i] == b[i]))
      throw InputError(pair + ": column '" + (i < a.size() ? a[i].path : b[i].path) +
                       "' differs, not shards of one sweep");
}

/// Sorts the shards by first variant and checks that they tile [0, num_variants).
void check_coverage(std::vector<Shard>& shards) {
  std::sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) { return a.first < b.first; });
  const std::uint64_t num_variants = u64_attribute(shards.front(), "num_variants");
  std::uint64_t covered = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const Shard& shard = shards[i];
    if (shard.first > covered)
      throw InputError("variants " + range(covered, shard.first) + " are in no shard: missing between " +
                       (i == 0 ? std::string("the start") : shards[i - 1].path.string()) + " and " +
                       shard.path.string());
    if (shard.first < covered)
      throw InputError(shards[i - 1].path.string() + " and " + shard.path.string() + " overlap on variants " +
                       range(shard.first, std::min(covered, shard.end)));
    covered = shard.end;
  }
  if (covered != num_variants)
    throw InputError("variants " + range(covered, num_variants) + " of " + std::to_string(num_variants) +
                     " are in no shard: missing after " + shards.back().path.string());
}

}  // namespace

void merge_shards(const std::vector<std::filesystem::path>& shard_paths, const std::filesystem::path& out,
                  MergeMode mode) {
  if (shard_paths.empty()) throw InputError(out.string() + ": no shard files to merge");
  std::error_code ec;
  if (std::filesystem::exists(out, ec) || ec) throw InputError(out.string() + ": already exists; remove it first");
  std::vector<Shard> shards;
  for (const std::filesystem::path& path : shard_paths) shards.push_back(open_shard(path));
  for (std::size_t i = 1; i < shards.size(); ++i) check_same_sweep(shards.front(), shards[i]);
  check_coverage(shards);

  const std::vector<ColumnSpec> layout = shards.front().file.layout();
  Attributes attributes = shards.front().attributes;
  const std::uint64_t num_variants = u64_attribute(shards.front(), "num_variants");
  std::vector<std::string> merged_from;
  for (const Shard& shard : shards) merged_from.push_back(shard.path.string());
  attributes["shard"] = std::string("merged");
  attributes["first_variant"] = std::uint64_t{0};
  attributes["end_variant"] = num_variants;
  attributes["merged_from"] = merged_from;

  // Written beside `out` and renamed into place: a crash leaves no half-merged file under its name.
  std::filesystem::path temporary = out;
  temporary += ".tmp";
  const std::string context = out.string();
  try {
    detail::H5Handle h5 = detail::create_h5_file(temporary);
    detail::write_attributes(h5.get(), attributes, context);
    const std::filesystem::path out_directory = std::filesystem::absolute(out).parent_path();
    for (const ColumnSpec& spec : layout) {
      if (mode == MergeMode::virtual_dataset) {
        // Relative to the merged file, which HDF5 searches first: the set can move as a whole.
        std::vector<detail::VirtualSource> sources;
        for (const Shard& shard : shards) {
          const std::string source = std::filesystem::relative(std::filesystem::absolute(shard.path), out_directory).string();
          sources.push_back({source, "/" + spec.path, shard.first, shard.end - shard.first});
        }
        detail::create_virtual_column(h5.get(), spec, num_variants, sources, context);
        continue;
      }
      detail::H5Handle dataset = detail::create_column(h5.get(), spec, 0, context);
      const std::uint64_t step = detail::chunk_rows(spec);
      for (const Shard& shard : shards) {
        for (std::uint64_t row = 0; row < shard.end - shard.first; row += step) {
          const std::uint64_t count = std::min(step, shard.end - shard.first - row);
          const ColumnData data = shard.file.read_rows(spec.path, row, count);
          detail::write_rows(dataset.get(), spec, shard.first + row, data, 0, static_cast<std::size_t>(count), true,
                             context);
        }
      }
    }
    if (h5.close_checked() < 0) throw InputError(temporary.string() + ": closing the HDF5 file failed");
    detail::sync_file(temporary);
  } catch (...) {
    std::filesystem::remove(temporary, ec);
    throw;
  }
  std::filesystem::rename(temporary, out, ec);
  if (ec) throw InputError(out.string() + ": cannot rename " + temporary.string() + " to it: " + ec.message());
  detail::sync_directory_of(out);
}

}  // namespace eyesweep
