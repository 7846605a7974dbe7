// Merging the shard files of a sweep run on several machines into one results file, either as
// HDF5 virtual datasets that refer to the shards or as a full copy.
#pragma once

#include <filesystem>
#include <vector>

namespace eyesweep {

enum class MergeMode {
  virtual_dataset,  ///< the merged columns are HDF5 virtual datasets reading the shard files (no copy)
  materialise,      ///< the merged columns are copied into the output (self-contained)
};

/// Combines complete shard files into `out` (InputError if it exists). The shards must agree on every
/// identity attribute except shard/first_variant/end_variant and on the layout, and their variant
/// ranges [first_variant, end_variant) must tile [0, num_variants) without gaps or overlaps; otherwise
/// InputError naming the file(s). The output carries shard 0's root attributes with shard = "merged",
/// first_variant = 0, end_variant = num_variants and merged_from = the shard paths in variant order;
/// groups written with write_group (e.g. /summary) are per shard and not merged.
void merge_shards(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out, MergeMode mode);

}  // namespace eyesweep
