#include "checker/edn.h"

#include <cctype>
#include <charconv>

#include "checker/assert.h"

namespace pg::checker {
namespace {

bool IsDelimiter(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '(' || c == ')' ||
         c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == ';';
}

class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : s_(text), source_(source) {}

  Result<std::vector<Edn>> All() {
    std::vector<Edn> out;
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) return out;
      const size_t before = pos_;
      auto form = Form();
      if (!form.ok()) return form.error();
      // Every form read consumes input, so the loop ends.
      CK_ASSERT_GT(pos_, before, "a form of no characters at line {}", line_);
      CK_ASSERT_LE(pos_, s_.size());
      out.push_back(std::move(form).value());
    }
  }

 private:
  Error Fail(std::string message) const {
    return Error{std::string(source_), line_, "", std::move(message)};
  }

  void SkipSpace() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\n') ++line_;
      if (c == ';') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
        ++pos_;
      } else {
        return;
      }
    }
  }

  Result<Edn> Collection(Edn::Kind kind, char close) {
    Edn e{.kind = kind, .line = line_};
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) return Fail(fmt::format("missing '{}'", close));
      if (s_[pos_] == close) {
        ++pos_;
        break;
      }
      auto item = Form();
      if (!item.ok()) return item.error();
      e.items.push_back(std::move(item).value());
    }
    if (kind == Edn::Kind::kMap && e.items.size() % 2 != 0) return Fail("a map needs pairs");
    CK_ASSERT_LE(pos_, s_.size());
    return e;
  }

  Result<Edn> String() {
    CK_ASSERT(pos_ < s_.size() && s_[pos_] == '"', "a string starts at its quote");
    Edn e{.kind = Edn::Kind::kString, .line = line_};
    for (++pos_; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return e;
      }
      if (c == '\n') ++line_;
      if (c == '\\' && pos_ + 1 < s_.size()) {
        c = s_[++pos_];
        c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
      }
      e.text += c;
    }
    return Fail("unterminated string");
  }

  Result<Edn> Atom() {
    // Form calls it only with input left (a tag: with the character after '#').
    CK_ASSERT_LT(pos_, s_.size(), "line {}", line_);
    const size_t start = pos_;
    while (pos_ < s_.size() && !IsDelimiter(s_[pos_])) ++pos_;
    const std::string_view tok = s_.substr(start, pos_ - start);
    Edn e{.line = line_};
    if (tok.empty()) return Fail(fmt::format("unexpected '{}'", s_[pos_]));
    if (tok == "nil") return e;
    if (tok == "true" || tok == "false") {
      e.kind = Edn::Kind::kBool;
      e.boolean = tok == "true";
      return e;
    }
    e.text = std::string(tok);
    if (tok[0] == ':') {
      e.kind = Edn::Kind::kKeyword;
      e.text = std::string(tok.substr(1));
      return e;
    }
    if (tok[0] == '\\') {
      e.kind = Edn::Kind::kChar;
      e.text = std::string(tok.substr(1));
      return e;
    }
    const bool numeric = std::isdigit(static_cast<unsigned char>(tok[0])) ||
                         ((tok[0] == '-' || tok[0] == '+') && tok.size() > 1 &&
                          std::isdigit(static_cast<unsigned char>(tok[1])));
    if (!numeric) {
      e.kind = Edn::Kind::kSymbol;
      return e;
    }
    std::string_view digits = tok[0] == '+' ? tok.substr(1) : tok;
    if (!digits.empty() && digits.back() == 'N') digits.remove_suffix(1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), e.integer);
    if (ec == std::errc::result_out_of_range) {
      return Fail(fmt::format("expected an integer in [-2^63, 2^63 - 1] (got {})", tok));
    }
    e.kind = ec == std::errc() && p == digits.data() + digits.size() ? Edn::Kind::kInt
                                                                     : Edn::Kind::kFloat;
    return e;
  }

  // Collections nest at most kMaxEdnDepth deep: the reader recurses, so a deeper file would
  // exhaust the stack; it is an error naming the line instead.
  Result<Edn> Form() {
    if (depth_ >= kMaxEdnDepth) {
      return Fail(
          fmt::format("expected at most {} levels of nested forms (got deeper)", kMaxEdnDepth));
    }
    ++depth_;
    auto form = FormAtDepth();
    --depth_;
    return form;
  }

  Result<Edn> FormAtDepth() {
    while (true) {  // discards (#_) and tags before the form, consumed in a loop, not recursion
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unexpected end of input");
      const char c = s_[pos_];
      if (c == '(') return ++pos_, Collection(Edn::Kind::kList, ')');
      if (c == '[') return ++pos_, Collection(Edn::Kind::kVector, ']');
      if (c == '{') return ++pos_, Collection(Edn::Kind::kMap, '}');
      if (c == '"') return String();
      if (c == ')' || c == ']' || c == '}') return Fail(fmt::format("unexpected '{}'", c));
      if (c != '#' || pos_ + 1 >= s_.size()) return Atom();
      const char d = s_[pos_ + 1];
      if (d == '{') return pos_ += 2, Collection(Edn::Kind::kSet, '}');
      if (d == '_') {  // discard the next form
        pos_ += 2;
        auto skipped = Form();
        if (!skipped.ok()) return skipped.error();
        continue;
      }
      ++pos_;  // a tag: read the symbol, ignore it, keep the tagged value
      auto tag = Atom();
      if (!tag.ok()) return tag.error();
    }
  }

  std::string_view s_;
  std::string_view source_;
  size_t pos_ = 0;
  size_t line_ = 1;
  int depth_ = 0;
};

}  // namespace

const Edn* Edn::Get(std::string_view keyword) const {
  if (kind != Kind::kMap) return nullptr;
  CK_ASSERT_EQ(items.size() % 2, size_t{0}, "a map read at line {} is not pairs", line);
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].kind == Kind::kKeyword && items[i].text == keyword) return &items[i + 1];
  }
  return nullptr;
}

Result<std::vector<Edn>> ParseEdn(std::string_view text, std::string_view source) {
  return Reader(text, source).All();
}

}  // namespace pg::checker
