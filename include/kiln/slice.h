// kiln/slice.h — a read-only view of contiguous values that also binds to a braced list.
//
// std::span cannot be built from `{a, b}`; description structs want both that and vectors:
//   queue.submit({.commands = {&cmd}, .signals = {{sem, 2}}});
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <vector>

namespace kiln {

template <class T>
class Slice {
 public:
  constexpr Slice() = default;
  constexpr Slice(const T* data, size_t size) : data_(data), size_(size) {}
  // The list's array lives until the end of the full expression holding the description, which is
  // as long as a description lives when built in a call: `f({.list = {a, b}})`.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  constexpr Slice(std::initializer_list<T> list) : data_(list.begin()), size_(list.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  Slice(const std::vector<T>& v) : data_(v.data()), size_(v.size()) {}
  template <size_t N>
  constexpr Slice(const std::array<T, N>& a) : data_(a.data()), size_(N) {}
  constexpr Slice(std::span<const T> s) : data_(s.data()), size_(s.size()) {}
  constexpr Slice(const T& one) : data_(&one), size_(1) {}

  constexpr const T* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const T* begin() const { return data_; }
  constexpr const T* end() const { return data_ + size_; }
  constexpr const T& operator[](size_t i) const { return data_[i]; }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace kiln
