// Move-only RAII ownership of HDF5 identifiers (hid_t) and the checks that turn HDF5 failures
// into exceptions. Private to io/: include only from io/*.cpp.
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace eyesweep::detail {

/// Owns one hid_t and closes it with the H5*close function matching its kind.
class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  H5Handle() = default;
  H5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  H5Handle(H5Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  H5Handle& operator=(H5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  ~H5Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes now; a failing close is ignored because there is nothing a caller could do with it
  /// and destructors must not throw (file-level closes that matter are checked by close_checked).
  void reset() noexcept {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = H5I_INVALID_HID;
  }
  /// Closes now and reports failure (H5Fclose of a file being written: the last flush happens here).
  herr_t close_checked() noexcept {
    herr_t status = 0;
    if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

inline H5Handle h5_file(hid_t id) { return {id, H5Fclose}; }
inline H5Handle h5_group(hid_t id) { return {id, H5Gclose}; }
inline H5Handle h5_dataset(hid_t id) { return {id, H5Dclose}; }
inline H5Handle h5_dataspace(hid_t id) { return {id, H5Sclose}; }
inline H5Handle h5_datatype(hid_t id) { return {id, H5Tclose}; }
inline H5Handle h5_attribute(hid_t id) { return {id, H5Aclose}; }
inline H5Handle h5_plist(hid_t id) { return {id, H5Pclose}; }

/// Throws std::runtime_error(context) when an HDF5 call returned a negative status or id.
template <class T>
T h5_check(T status, const std::string& context) {
  if (status < 0) throw std::runtime_error("HDF5 error: " + context);
  return status;
}

}  // namespace eyesweep::detail
