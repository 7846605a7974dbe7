#include "io/detail/hdf5_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <type_traits>

#include "kernels/common/error.hpp"

namespace eyesweep::detail {
namespace {

H5Handle vlen_string_type(H5T_cset_t cset = H5T_CSET_UTF8) {
  H5Handle type = h5_datatype(h5_check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
  h5_check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size");
  h5_check(H5Tset_cset(type.get(), cset), "H5Tset_cset");
  return type;
}

hid_t native_type(ColumnType type) {
  switch (type) {
    case ColumnType::f64: return H5T_NATIVE_DOUBLE;
    case ColumnType::i64: return H5T_NATIVE_INT64;
    case ColumnType::u64: return H5T_NATIVE_UINT64;
    case ColumnType::i8: return H5T_NATIVE_INT8;
    case ColumnType::text: break;
  }
  ES_EXPECTS(false, "text columns have no native numeric type");
}

H5Handle scalar_space() { return h5_dataspace(h5_check(H5Screate(H5S_SCALAR), "H5Screate")); }

/// A 1-D array attribute of n values; empty arrays get a null dataspace (1.10 refuses zero-size attributes).
H5Handle array_space(std::size_t n) {
  if (n == 0) return h5_dataspace(h5_check(H5Screate(H5S_NULL), "H5Screate"));
  const hsize_t dims = n;
  return h5_dataspace(h5_check(H5Screate_simple(1, &dims, nullptr), "H5Screate_simple"));
}

H5Handle simple_space(std::vector<hsize_t> dims, std::vector<hsize_t> max_dims = {}) {
  return h5_dataspace(h5_check(
      H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.empty() ? nullptr : max_dims.data()),
      "H5Screate_simple"));
}

/// Link-creation properties that create missing intermediate groups ("results/com_dB").
H5Handle intermediate_groups() {
  H5Handle lcpl = h5_plist(h5_check(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate"));
  h5_check(H5Pset_create_intermediate_group(lcpl.get(), 1), "H5Pset_create_intermediate_group");
  return lcpl;
}

/// H5Lexists fails rather than answering "no" when an intermediate group is missing: walk the path.
bool link_exists(hid_t parent, const std::string& path) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = path.find('/', pos);
    const std::string prefix = path.substr(0, slash);
    if (h5_check(H5Lexists(parent, prefix.c_str(), H5P_DEFAULT), "H5Lexists " + prefix) <= 0) return false;
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

/// Reads n strings (variable or fixed length) through `read(mem_type, buffer)`.
template <class Read>
std::vector<std::string> read_strings(hid_t file_string_type, hid_t space, std::size_t n, Read read,
                                      const std::string& context) {
  std::vector<std::string> out;
  if (n == 0) return out;
  out.reserve(n);
  const H5T_cset_t cset = H5Tget_cset(file_string_type);
  if (h5_check(H5Tis_variable_str(file_string_type), context) > 0) {
    H5Handle mem = vlen_string_type(cset);
    std::vector<char*> pointers(n, nullptr);
    h5_check(read(mem.get(), static_cast<void*>(pointers.data())), context);
    for (const char* p : pointers) out.emplace_back(p == nullptr ? "" : p);
    H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, pointers.data());
    return out;
  }
  const std::size_t size = H5Tget_size(file_string_type);
  H5Handle mem = h5_datatype(h5_check(H5Tcopy(H5T_C_S1), context));
  h5_check(H5Tset_size(mem.get(), size), context);
  h5_check(H5Tset_cset(mem.get(), cset), context);
  h5_check(H5Tset_strpad(mem.get(), H5T_STR_NULLPAD), context);
  std::vector<char> buffer(n * size);
  h5_check(read(mem.get(), static_cast<void*>(buffer.data())), context);
  for (std::size_t i = 0; i < n; ++i) {
    const char* begin = buffer.data() + i * size;
    std::string s(begin, strnlen(begin, size));
    s.erase(s.find_last_not_of(' ') + 1);  // space-padded strings (Fortran, MATLAB)
    out.push_back(std::move(s));
  }
  return out;
}

void write_attribute(hid_t object, const std::string& name, const AttributeValue& value, const std::string& context) {
  const std::string where = context + ": attribute '" + name + "'";
  if (h5_check(H5Aexists(object, name.c_str()), where) > 0) h5_check(H5Adelete(object, name.c_str()), where);
  auto create = [&](hid_t type, hid_t space) {
    return h5_attribute(h5_check(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), where));
  };
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          H5Handle type = vlen_string_type();
          H5Handle attribute = create(type.get(), scalar_space().get());
          const char* p = v.c_str();
          h5_check(H5Awrite(attribute.get(), type.get(), &p), where);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          H5Handle type = vlen_string_type();
          H5Handle attribute = create(type.get(), array_space(v.size()).get());
          std::vector<const char*> pointers;
          for (const std::string& s : v) pointers.push_back(s.c_str());
          if (!v.empty()) h5_check(H5Awrite(attribute.get(), type.get(), pointers.data()), where);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          H5Handle attribute = create(H5T_IEEE_F64LE, array_space(v.size()).get());
          if (!v.empty()) h5_check(H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, v.data()), where);
        } else {
          static_assert(std::is_arithmetic_v<T>);
          const hid_t file_type_id = std::is_same_v<T, double>          ? H5T_IEEE_F64LE
                                     : std::is_same_v<T, std::int64_t> ? H5T_STD_I64LE
                                                                        : H5T_STD_U64LE;
          const hid_t mem_type = std::is_same_v<T, double>          ? H5T_NATIVE_DOUBLE
                                 : std::is_same_v<T, std::int64_t> ? H5T_NATIVE_INT64
                                                                    : H5T_NATIVE_UINT64;
          H5Handle attribute = create(file_type_id, scalar_space().get());
          h5_check(H5Awrite(attribute.get(), mem_type, &v), where);
        }
      },
      value);
}

AttributeValue read_attribute(hid_t object, const std::string& name, const std::string& context) {
  const std::string where = context + ": attribute '" + name + "'";
  H5Handle attribute = h5_attribute(h5_check(H5Aopen(object, name.c_str(), H5P_DEFAULT), where));
  H5Handle type = h5_datatype(h5_check(H5Aget_type(attribute.get()), where));
  H5Handle space = h5_dataspace(h5_check(H5Aget_space(attribute.get()), where));
  const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
  const bool scalar = space_class == H5S_SCALAR;
  const auto n = static_cast<std::size_t>(h5_check(H5Sget_simple_extent_npoints(space.get()), where));
  if (!scalar && H5Sget_simple_extent_ndims(space.get()) > 1) throw InputError(where + " has more than one dimension");
  switch (H5Tget_class(type.get())) {
    case H5T_STRING: {
      auto read = [&](hid_t mem, void* buffer) { return H5Aread(attribute.get(), mem, buffer); };
      std::vector<std::string> strings = read_strings(type.get(), space.get(), n, read, where);
      if (scalar) return strings.at(0);
      return strings;
    }
    case H5T_FLOAT: {
      std::vector<double> values(n);
      if (n > 0) h5_check(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, values.data()), where);
      if (scalar) return values.at(0);
      return values;
    }
    case H5T_INTEGER:
      if (scalar) {
        if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
          std::uint64_t value = 0;
          h5_check(H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value), where);
          return value;
        }
        std::int64_t value = 0;
        h5_check(H5Aread(attribute.get(), H5T_NATIVE_INT64, &value), where);
        return value;
      }
      break;
    default: break;
  }
  throw InputError(where + " has a type eyesweep does not read (string, float, integer scalar, or 1-D "
                           "float or string arrays are supported)");
}

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* names) noexcept {
  try {
    static_cast<std::vector<std::string>*>(names)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;
  }
}

std::size_t column_index(ColumnType type) { return static_cast<std::size_t>(type); }

// Bytes of one value in the file. Text values are 16-byte heap references in the dataset itself.
std::size_t value_bytes(ColumnType type) { return type == ColumnType::i8 ? 1 : type == ColumnType::text ? 16 : 8; }

}  // namespace

void silence_hdf5_errors() {
  // Once, before the library starts: no automatic error printing (errors become our
  // exceptions), and no library shutdown at exit: HDF5 1.10 crashes there re-closing a
  // file whose last flush failed (a full disk); every handle is closed by its owner anyway.
  static const bool prepared = [] {
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)prepared;
}

H5Handle create_h5_file(const std::filesystem::path& file) {
  silence_hdf5_errors();
  H5Handle fapl = h5_plist(h5_check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
  h5_check(H5Pset_file_locking(fapl.get(), 0, 1), "H5Pset_file_locking");
  const hid_t id = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (id < 0) throw InputError(file.string() + ": cannot create the HDF5 file (check the directory exists and is writable)");
  return h5_file(id);
}

H5Handle open_h5_file(const std::filesystem::path& file, bool writable) {
  silence_hdf5_errors();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw InputError(file.string() + ": no such file");
  if (H5Fis_hdf5(file.c_str()) <= 0) throw InputError(file.string() + ": not an HDF5 file (or corrupt)");
  H5Handle fapl = h5_plist(h5_check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
  // Readers of a running sweep must not be stopped by (or stop) the writer.
  h5_check(H5Pset_file_locking(fapl.get(), 0, 1), "H5Pset_file_locking");
  const hid_t id = H5Fopen(file.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get());
  if (id < 0) throw InputError(file.string() + ": cannot open the HDF5 file (corrupt or not readable)");
  return h5_file(id);
}

void write_attributes(hid_t object, const Attributes& attributes, const std::string& context) {
  for (const auto& [name, value] : attributes) write_attribute(object, name, value, context);
}

Attributes read_attributes(hid_t object, const std::string& context) {
  std::vector<std::string> names;
  hsize_t index = 0;
  h5_check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute_name, &names),
           context + ": listing attributes");
  Attributes attributes;
  for (const std::string& name : names) attributes.emplace(name, read_attribute(object, name, context));
  return attributes;
}

hsize_t chunk_rows(const ColumnSpec& spec) {
  const std::size_t row_bytes = value_bytes(spec.type) * spec.width;
  return std::clamp<hsize_t>((std::size_t{1} << 20) / row_bytes, 1, 65536);
}

H5Handle file_type(ColumnType type) {
  switch (type) {
    case ColumnType::f64: return h5_datatype(h5_check(H5Tcopy(H5T_IEEE_F64LE), "H5Tcopy"));
    case ColumnType::i64: return h5_datatype(h5_check(H5Tcopy(H5T_STD_I64LE), "H5Tcopy"));
    case ColumnType::u64: return h5_datatype(h5_check(H5Tcopy(H5T_STD_U64LE), "H5Tcopy"));
    case ColumnType::i8: return h5_datatype(h5_check(H5Tcopy(H5T_STD_I8LE), "H5Tcopy"));
    case ColumnType::text: return vlen_string_type();
  }
  ES_EXPECTS(false, "unknown column type");
}

void write_column_attributes(hid_t dataset, const ColumnSpec& spec, const std::string& context) {
  Attributes attributes{{"units", spec.units}, {"description", spec.description}};
  if (!spec.labels.empty()) attributes.emplace("labels", spec.labels);
  write_attributes(dataset, attributes, context + ": dataset '" + spec.path + "'");
}

H5Handle create_column(hid_t parent, const ColumnSpec& spec, hsize_t rows, const std::string& context) {
  ES_EXPECTS(spec.width >= 1, "column width must be at least 1: " + spec.path);
  const std::string where = context + ": dataset '" + spec.path + "'";
  const bool two_d = spec.width > 1;
  std::vector<hsize_t> dims{rows}, max_dims{H5S_UNLIMITED}, chunk{chunk_rows(spec)};
  if (two_d) {
    dims.push_back(spec.width);
    max_dims.push_back(spec.width);
    chunk.push_back(spec.width);
  }
  H5Handle space = simple_space(dims, max_dims);
  H5Handle dcpl = h5_plist(h5_check(H5Pcreate(H5P_DATASET_CREATE), where));
  h5_check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), where);
  if (spec.type != ColumnType::text) h5_check(H5Pset_shuffle(dcpl.get()), where);
  h5_check(H5Pset_deflate(dcpl.get(), 4), where);
  // Room for two whole chunks: the one being filled batch by batch (never re-read and
  // re-compressed) and the next, while an append crosses into it. More would only hold written
  // chunks: with 46 columns a 4 MiB cache each grew to 193 MB over 10^6 rows.
  const std::size_t chunk_bytes = chunk_rows(spec) * value_bytes(spec.type) * spec.width;
  H5Handle dapl = h5_plist(h5_check(H5Pcreate(H5P_DATASET_ACCESS), where));
  h5_check(H5Pset_chunk_cache(dapl.get(), 521, 2 * chunk_bytes, 0.75), where);
  H5Handle type = file_type(spec.type);
  H5Handle dataset = h5_dataset(h5_check(H5Dcreate2(parent, spec.path.c_str(), type.get(), space.get(),
                                                    intermediate_groups().get(), dcpl.get(), dapl.get()),
                                         where));
  write_column_attributes(dataset.get(), spec, context);
  return dataset;
}

void write_rows(hid_t dataset, const ColumnSpec& spec, hsize_t first, const ColumnData& data,
                std::size_t data_first_row, std::size_t count, bool extend, const std::string& context) {
  ES_EXPECTS(data.index() == column_index(spec.type), "column data type differs from the layout: " + spec.path);
  ES_EXPECTS(column_size(data) >= (data_first_row + count) * spec.width, "column data too short: " + spec.path);
  if (count == 0) return;
  const std::string where = context + ": dataset '" + spec.path + "'";
  const bool two_d = spec.width > 1;
  std::vector<hsize_t> start{first}, extent{count}, end{first + count};
  if (two_d) {
    start.push_back(0);
    extent.push_back(spec.width);
    end.push_back(spec.width);
  }
  if (extend) h5_check(H5Dset_extent(dataset, end.data()), where + " (extending)");
  H5Handle file_space = h5_dataspace(h5_check(H5Dget_space(dataset), where));
  h5_check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr), where);
  H5Handle mem_space = simple_space({static_cast<hsize_t>(count * spec.width)});
  const std::size_t offset = data_first_row * spec.width;
  std::visit(
      [&](const auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, std::string>) {
          std::vector<const char*> pointers;
          pointers.reserve(count * spec.width);
          for (std::size_t i = 0; i < count * spec.width; ++i) pointers.push_back(values[offset + i].c_str());
          H5Handle type = vlen_string_type();
          h5_check(H5Dwrite(dataset, type.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, pointers.data()),
                   where + " (writing)");
        } else {
          h5_check(H5Dwrite(dataset, native_type(spec.type), mem_space.get(), file_space.get(), H5P_DEFAULT,
                            values.data() + offset),
                   where + " (writing)");
        }
      },
      data);
}

void write_group_datasets(hid_t file, const std::string& group,
                          const std::vector<std::pair<ColumnSpec, ColumnData>>& datasets,
                          const Attributes& attributes, const std::string& context) {
  const std::string where = context + ": group '" + group + "'";
  if (link_exists(file, group)) h5_check(H5Ldelete(file, group.c_str(), H5P_DEFAULT), where + " (replacing)");
  H5Handle handle = h5_group(
      h5_check(H5Gcreate2(file, group.c_str(), intermediate_groups().get(), H5P_DEFAULT, H5P_DEFAULT), where));
  for (const auto& [spec, data] : datasets) {
    ES_EXPECTS(spec.width >= 1 && column_size(data) % spec.width == 0,
               "group dataset size is not a multiple of its width: " + spec.path);
    const std::size_t rows = column_size(data) / spec.width;
    H5Handle dataset = create_column(handle.get(), spec, 0, where);
    write_rows(dataset.get(), spec, 0, data, 0, rows, true, where);
  }
  write_attributes(handle.get(), attributes, where);
}

ColumnSpec read_spec(hid_t file, const std::string& path, const std::string& context) {
  const std::string where = context + ": dataset '" + path + "'";
  if (!link_exists(file, path)) throw InputError(where + " does not exist");
  H5Handle dataset = h5_dataset(h5_check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), where));
  H5Handle type = h5_datatype(h5_check(H5Dget_type(dataset.get()), where));
  H5Handle space = h5_dataspace(h5_check(H5Dget_space(dataset.get()), where));
  ColumnSpec spec;
  spec.path = path;
  switch (H5Tget_class(type.get())) {
    case H5T_FLOAT: spec.type = ColumnType::f64; break;
    case H5T_STRING: spec.type = ColumnType::text; break;
    case H5T_INTEGER:
      spec.type = H5Tget_size(type.get()) == 1 && H5Tget_sign(type.get()) != H5T_SGN_NONE ? ColumnType::i8
                  : H5Tget_sign(type.get()) == H5T_SGN_NONE                               ? ColumnType::u64
                                                                                          : ColumnType::i64;
      break;
    default: throw InputError(where + " has a type eyesweep does not read (float, integer or string)");
  }
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 2) throw InputError(where + " is not a 1-D or 2-D dataset");
  std::array<hsize_t, 2> dims{};
  h5_check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), where);
  spec.width = rank == 2 ? static_cast<std::size_t>(dims[1]) : 1;
  const Attributes attributes = read_attributes(dataset.get(), where);
  auto text = [&](const char* name) -> std::string {
    const auto it = attributes.find(name);
    if (it == attributes.end()) return {};
    if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
    throw InputError(where + ": attribute '" + name + "' is not a string");
  };
  spec.units = text("units");
  spec.description = text("description");
  if (const auto it = attributes.find("labels"); it != attributes.end()) {
    const auto* labels = std::get_if<std::vector<std::string>>(&it->second);
    if (labels == nullptr) throw InputError(where + ": attribute 'labels' is not a string array");
    spec.labels = *labels;
  }
  return spec;
}

std::uint64_t dataset_rows(hid_t file, const std::string& path, const std::string& context) {
  const std::string where = context + ": dataset '" + path + "'";
  if (!link_exists(file, path)) throw InputError(where + " does not exist");
  H5Handle dataset = h5_dataset(h5_check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), where));
  H5Handle space = h5_dataspace(h5_check(H5Dget_space(dataset.get()), where));
  std::array<hsize_t, 2> dims{};
  if (h5_check(H5Sget_simple_extent_ndims(space.get()), where) < 1) throw InputError(where + " is not an array");
  h5_check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), where);
  return dims[0];
}

ColumnData read_rows(hid_t file, const std::string& path, std::uint64_t first, std::uint64_t count,
                     const std::string& context) {
  const ColumnSpec spec = read_spec(file, path, context);
  const std::string where = context + ": dataset '" + path + "'";
  const std::uint64_t rows = dataset_rows(file, path, context);
  if (first > rows || count > rows - first)
    throw InputError(where + ": rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                     ") are past its end (" + std::to_string(rows) + " rows)");
  ColumnData out = empty_column(spec.type);
  if (count == 0) return out;
  H5Handle dataset = h5_dataset(h5_check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), where));
  H5Handle file_space = h5_dataspace(h5_check(H5Dget_space(dataset.get()), where));
  std::vector<hsize_t> start{first}, extent{count};
  if (spec.width > 1) {
    start.push_back(0);
    extent.push_back(spec.width);
  }
  h5_check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr), where);
  const std::size_t n = static_cast<std::size_t>(count) * spec.width;
  H5Handle mem_space = simple_space({n});
  std::visit(
      [&](auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, std::string>) {
          H5Handle type = h5_datatype(h5_check(H5Dget_type(dataset.get()), where));
          auto read = [&](hid_t mem, void* buffer) {
            return H5Dread(dataset.get(), mem, mem_space.get(), file_space.get(), H5P_DEFAULT, buffer);
          };
          values = read_strings(type.get(), mem_space.get(), n, read, where + " (reading)");
        } else {
          values.resize(n);
          h5_check(H5Dread(dataset.get(), native_type(spec.type), mem_space.get(), file_space.get(), H5P_DEFAULT,
                           values.data()),
                   where + " (reading)");
        }
      },
      out);
  return out;
}

void create_virtual_column(hid_t file, const ColumnSpec& spec, hsize_t total_rows,
                           const std::vector<VirtualSource>& sources, const std::string& context) {
  const std::string where = context + ": virtual dataset '" + spec.path + "'";
  std::vector<hsize_t> dims{total_rows};
  if (spec.width > 1) dims.push_back(spec.width);
  H5Handle virtual_space = simple_space(dims, dims);
  H5Handle dcpl = h5_plist(h5_check(H5Pcreate(H5P_DATASET_CREATE), where));
  for (const VirtualSource& source : sources) {
    std::vector<hsize_t> source_dims{source.rows}, start{source.first_row};
    if (spec.width > 1) {
      source_dims.push_back(spec.width);
      start.push_back(0);
    }
    H5Handle source_space = simple_space(source_dims);
    h5_check(H5Sselect_hyperslab(virtual_space.get(), H5S_SELECT_SET, start.data(), nullptr, source_dims.data(),
                                 nullptr),
             where);
    h5_check(H5Pset_virtual(dcpl.get(), virtual_space.get(), source.file.c_str(), source.dataset.c_str(),
                            source_space.get()),
             where + " (mapping " + source.file + ")");
  }
  h5_check(H5Sselect_all(virtual_space.get()), where);
  H5Handle type = file_type(spec.type);
  H5Handle dataset = h5_dataset(h5_check(H5Dcreate2(file, spec.path.c_str(), type.get(), virtual_space.get(),
                                                    intermediate_groups().get(), dcpl.get(), H5P_DEFAULT),
                                         where));
  write_column_attributes(dataset.get(), spec, context);
}

ColumnData empty_column(ColumnType type) {
  switch (type) {
    case ColumnType::f64: return std::vector<double>{};
    case ColumnType::i64: return std::vector<std::int64_t>{};
    case ColumnType::u64: return std::vector<std::uint64_t>{};
    case ColumnType::i8: return std::vector<std::int8_t>{};
    case ColumnType::text: return std::vector<std::string>{};
  }
  ES_EXPECTS(false, "unknown column type");
}

std::size_t column_size(const ColumnData& data) {
  return std::visit([](const auto& values) { return values.size(); }, data);
}

void sync_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw InputError(file.string() + ": cannot sync to disk: " + std::strerror(error));
  }
  ::close(fd);
}

void sync_directory_of(const std::filesystem::path& file) {
  const std::filesystem::path directory = file.has_parent_path() ? file.parent_path() : ".";
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // some file systems refuse directory fds; the rename itself is still atomic
  ::fsync(fd);
  ::close(fd);
}

}  // namespace eyesweep::detail
