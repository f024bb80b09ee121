#pragma once
// Deterministic binary encoding of plain structs. A struct opts in by listing its fields once with
// PG_FIELDS(a, b, c); Encode, Decode and DebugString all walk that list, so the wire form, the log
// form and the trace hash can never disagree with the struct. Integers are little-endian fixed
// width, strings and sequences carry a varint length, maps are encoded in key order.
#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/common/ids.h"
#include "core/common/result.h"
#include "core/common/time.h"

#define PG_FIELDS(...)                               \
  auto Tie() { return std::tie(__VA_ARGS__); }       \
  auto Tie() const { return std::tie(__VA_ARGS__); } \
  static constexpr std::string_view kFieldNames = #__VA_ARGS__

namespace pg {

template <class T>
concept HasFields = requires(T t) {
  t.Tie();
};

template <class T>
struct IsStrongId : std::false_type {};
template <class Tag, class Rep>
struct IsStrongId<StrongId<Tag, Rep>> : std::true_type {};

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  // Both build the bytes in a local buffer and append once: a push_back per byte re-checks the
  // string's capacity each time, and every sent message is encoded for its trace digest.
  void PutVarint(uint64_t v) {
    char buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out_->append(buf, n);
  }
  void PutFixed(uint64_t v, int bytes) {  // bytes: 0..8, little-endian
    char buf[8];
    if constexpr (std::endian::native == std::endian::little) {
      // The first `bytes` bytes of v in memory are its low bytes, lowest first.
      std::memcpy(buf, &v, sizeof(buf));
    } else {
      for (int i = 0; i < bytes; ++i) buf[i] = static_cast<char>(v >> (8 * i));
    }
    out_->append(buf, static_cast<size_t>(bytes));
  }

  template <class T>
  void Put(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      PutFixed(v ? 1 : 0, 1);
    } else if constexpr (std::is_enum_v<T>) {
      Put(static_cast<std::underlying_type_t<T>>(v));
    } else if constexpr (std::is_integral_v<T>) {
      PutFixed(static_cast<uint64_t>(v), sizeof(T));
    } else if constexpr (std::is_same_v<T, double>) {
      uint64_t bits;
      static_assert(sizeof(bits) == sizeof(v));
      __builtin_memcpy(&bits, &v, sizeof(bits));
      PutFixed(bits, 8);
    } else if constexpr (std::is_same_v<T, std::string>) {
      PutVarint(v.size());
      out_->append(v);
    } else if constexpr (IsStrongId<T>::value) {
      Put(v.value());
    } else if constexpr (std::is_same_v<T, Time> || std::is_same_v<T, Duration>) {
      Put(v.ns());
    } else if constexpr (std::is_same_v<T, Gpid>) {
      Put(v.app_id);
      Put(v.partition_index);
    } else if constexpr (HasFields<T>) {
      std::apply([this](const auto&... f) { (Put(f), ...); }, v.Tie());
    } else {
      PutContainer(v);
    }
  }

 private:
  template <class E>
  void PutContainer(const std::vector<E>& v) {
    PutVarint(v.size());
    for (const E& e : v) Put(e);
  }
  template <class K, class V>
  void PutContainer(const std::map<K, V>& m) {
    PutVarint(m.size());
    for (const auto& [k, v] : m) {
      Put(k);
      Put(v);
    }
  }
  template <class E>
  void PutContainer(const std::optional<E>& o) {
    Put(o.has_value());
    if (o) Put(*o);
  }
  template <class... Ts>
  void PutContainer(const std::variant<Ts...>& v) {
    PutVarint(v.index());
    std::visit([this](const auto& alt) { Put(alt); }, v);
  }

  std::string* out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  bool done() const { return pos_ == in_.size(); }
  size_t position() const { return pos_; }
  // The first error met; later reads are no-ops once one occurred.
  const Status& status() const { return status_; }

  uint64_t GetVarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    Fail("varint longer than 10 bytes");
    return 0;
  }
  uint64_t GetFixed(int bytes) {
    if (!Need(bytes)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += bytes;
    return v;
  }

  template <class T>
  void Get(T& v) {
    if (!status_.ok()) return;
    if constexpr (std::is_same_v<T, bool>) {
      const uint64_t b = GetFixed(1);
      if (b > 1) Fail("bool byte not 0 or 1");
      v = b == 1;
    } else if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> raw{};
      Get(raw);
      v = static_cast<T>(raw);
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(GetFixed(sizeof(T)));
    } else if constexpr (std::is_same_v<T, double>) {
      const uint64_t bits = GetFixed(8);
      __builtin_memcpy(&v, &bits, sizeof(v));
    } else if constexpr (std::is_same_v<T, std::string>) {
      const uint64_t n = GetVarint();
      if (!Need(n)) return;
      v.assign(in_.substr(pos_, n));
      pos_ += n;
    } else if constexpr (IsStrongId<T>::value) {
      typename T::rep raw{};
      Get(raw);
      v = T(raw);
    } else if constexpr (std::is_same_v<T, Time>) {
      int64_t ns = 0;
      Get(ns);
      v = Time::FromNanos(ns);
    } else if constexpr (std::is_same_v<T, Duration>) {
      int64_t ns = 0;
      Get(ns);
      v = Nanos(ns);
    } else if constexpr (std::is_same_v<T, Gpid>) {
      Get(v.app_id);
      Get(v.partition_index);
    } else if constexpr (HasFields<T>) {
      std::apply([this](auto&... f) { (Get(f), ...); }, v.Tie());
    } else {
      GetContainer(v);
    }
  }

 private:
  bool Need(uint64_t n) {
    if (!status_.ok()) return false;
    if (n > in_.size() - pos_) {
      Fail(fmt::format("truncated: need {} bytes at offset {}, have {}", n, pos_,
                       in_.size() - pos_));
      return false;
    }
    return true;
  }
  void Fail(std::string why) {
    if (status_.ok()) status_ = Status(ErrorCode::kCorruption, std::move(why));
  }
  template <class E>
  void GetContainer(std::vector<E>& v) {
    const uint64_t n = GetVarint();
    if (n > in_.size() - pos_) return Fail("sequence length exceeds input");
    v.clear();
    v.resize(n);
    for (E& e : v) Get(e);
  }
  template <class K, class V>
  void GetContainer(std::map<K, V>& m) {
    const uint64_t n = GetVarint();
    if (n > in_.size() - pos_) return Fail("map length exceeds input");
    m.clear();
    for (uint64_t i = 0; i < n && status_.ok(); ++i) {
      K k{};
      V val{};
      Get(k);
      Get(val);
      m.emplace(std::move(k), std::move(val));
    }
  }
  template <class E>
  void GetContainer(std::optional<E>& o) {
    bool has = false;
    Get(has);
    o.reset();
    if (has) {
      E e{};
      Get(e);
      o = std::move(e);
    }
  }
  template <class... Ts>
  void GetContainer(std::variant<Ts...>& v) {
    const uint64_t index = GetVarint();
    if (index >= sizeof...(Ts)) return Fail(fmt::format("variant index {} out of range", index));
    EmplaceIndex<0, Ts...>(v, index);
  }
  template <size_t I, class First, class... Rest, class V>
  void EmplaceIndex(V& v, uint64_t index) {
    if (index == I) {
      First alt{};
      Get(alt);
      v = std::move(alt);
    } else if constexpr (sizeof...(Rest) > 0) {
      EmplaceIndex<I + 1, Rest...>(v, index);
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  Status status_;
};

template <class T>
std::string Encode(const T& v) {
  std::string out;
  // A struct, sequence or variant (a message, a log record) starts past the inline buffer: grown
  // from 15 bytes by doubling it would reallocate three or four times, and every sent message is
  // encoded for its trace digest. A scalar fits the inline buffer as it is.
  if constexpr (!std::is_arithmetic_v<T> && !std::is_enum_v<T> && !IsStrongId<T>::value &&
                !std::is_same_v<T, Time> && !std::is_same_v<T, Duration> &&
                !std::is_same_v<T, Gpid>) {
    out.reserve(128);
  }
  Encoder(&out).Put(v);
  return out;
}

// Decodes exactly one T that spans the whole input.
template <class T>
Result<T> Decode(std::string_view bytes) {
  T v{};
  Decoder d(bytes);
  d.Get(v);
  if (!d.status().ok()) return d.status();
  if (!d.done()) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("{} trailing bytes after value", bytes.size() - d.position()));
  }
  return v;
}

// "Ping{seq=3, payload="ab"}": for traces and assertion messages.
template <class T>
std::string DebugString(const T& v);

namespace detail {
void AppendDebugFieldName(std::string* out, std::string_view names, size_t index);
template <class T>
void AppendDebug(std::string* out, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    out->append(fmt::format("{:?}", v));
  } else if constexpr (std::is_same_v<T, bool>) {
    out->append(v ? "true" : "false");
  } else if constexpr (std::is_enum_v<T>) {
    out->append(fmt::format("{}", static_cast<std::underlying_type_t<T>>(v)));
  } else if constexpr (HasFields<T>) {
    out->append(DebugString(v));
  } else if constexpr (fmt::is_formattable<T>::value) {
    out->append(fmt::format("{}", v));
  } else if constexpr (requires {
                         v.has_value();
                         *v;
                       }) {
    if (v) {
      AppendDebug(out, *v);
    } else {
      out->append("null");
    }
  } else if constexpr (requires { v.begin()->first; }) {
    out->push_back('{');
    bool first = true;
    for (const auto& [k, val] : v) {
      if (!first) out->append(", ");
      first = false;
      AppendDebug(out, k);
      out->append(": ");
      AppendDebug(out, val);
    }
    out->push_back('}');
  } else if constexpr (requires { v.begin(); }) {
    out->push_back('[');
    bool first = true;
    for (const auto& e : v) {
      if (!first) out->append(", ");
      first = false;
      AppendDebug(out, e);
    }
    out->push_back(']');
  } else {
    std::visit([out](const auto& alt) { AppendDebug(out, alt); }, v);
  }
}
}  // namespace detail

template <class T>
std::string DebugString(const T& v) {
  static_assert(HasFields<T>, "DebugString needs PG_FIELDS");
  std::string out;
  if constexpr (requires { T::kName; }) out.append(T::kName);
  out.push_back('{');
  size_t index = 0;
  std::apply(
      [&](const auto&... f) {
        ((detail::AppendDebugFieldName(&out, T::kFieldNames, index++),
          detail::AppendDebug(&out, f)),
         ...);
      },
      v.Tie());
  out.push_back('}');
  return out;
}

}  // namespace pg
