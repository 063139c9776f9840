#include "ingest/tag_parser.h"

#include <cstdint>

namespace costwise::ingest {
namespace {

class JsonCursor {
 public:
  JsonCursor(std::string_view text, std::string& storage) : text_(text), storage_(storage) {}

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  [[nodiscard]] bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  [[nodiscard]] char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  // A JSON string, decoded into storage. Returns false when malformed.
  bool String(std::string_view& out) {
    if (!Consume('"')) return false;
    const std::size_t start = storage_.size();
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        out = std::string_view(storage_).substr(start);
        return true;
      }
      if (c != '\\') {
        storage_.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          storage_.push_back(e);
          break;
        case 'b':
          storage_.push_back('\b');
          break;
        case 'f':
          storage_.push_back('\f');
          break;
        case 'n':
          storage_.push_back('\n');
          break;
        case 'r':
          storage_.push_back('\r');
          break;
        case 't':
          storage_.push_back('\t');
          break;
        case 'u': {
          std::uint32_t code = 0;
          if (!Hex4(code)) return false;
          if (code >= 0xD800 && code <= 0xDBFF) {  // surrogate pair
            std::uint32_t low = 0;
            if (pos_ + 1 >= text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
              return false;
            }
            pos_ += 2;
            if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(code);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  // Any JSON value other than a string, as its literal text (nested values balanced).
  bool Literal(std::string_view& out) {
    SkipSpace();
    const std::size_t start = pos_;
    int depth = 0;
    bool in_string = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (in_string) {
        if (c == '\\') {
          ++pos_;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
      ++pos_;
    }
    if (depth != 0 || in_string) return false;
    std::size_t stop = pos_;
    while (stop > start && (text_[stop - 1] == ' ' || text_[stop - 1] == '\t')) --stop;
    if (stop == start) return false;
    out = text_.substr(start, stop - start);
    return true;
  }

 private:
  bool Hex4(std::uint32_t& code) {
    if (pos_ + 4 > text_.size()) return false;
    code = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = text_[pos_++];
      code <<= 4;
      if (h >= '0' && h <= '9') {
        code |= static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        code |= static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        code |= static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }
  void AppendUtf8(std::uint32_t code) {
    if (code < 0x80) {
      storage_.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      storage_.push_back(static_cast<char>(0xC0 | (code >> 6)));
      storage_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      storage_.push_back(static_cast<char>(0xE0 | (code >> 12)));
      storage_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      storage_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      storage_.push_back(static_cast<char>(0xF0 | (code >> 18)));
      storage_.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      storage_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      storage_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::string_view text_;
  std::string& storage_;
  std::size_t pos_ = 0;
};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool ParsePrestoMap(std::string_view text,
                    std::vector<std::pair<std::string_view, std::string_view>>& out) {
  text = Trim(text);
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return false;
  text = text.substr(1, text.size() - 2);
  while (!Trim(text).empty()) {
    const std::size_t comma = text.find(", ");
    const std::string_view entry = text.substr(0, comma);
    const std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos) return false;
    out.emplace_back(Trim(entry.substr(0, equals)), Trim(entry.substr(equals + 1)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 2);
  }
  return true;
}

}  // namespace

bool ParseTagMap(std::string_view text, std::string& storage,
                 std::vector<std::pair<std::string_view, std::string_view>>& out) {
  const std::size_t first_pair = out.size();
  JsonCursor cursor(text, storage);
  if (!cursor.Consume('{')) return false;
  if (cursor.Peek() != '"' && cursor.Peek() != '}') {
    return ParsePrestoMap(text, out);
  }
  if (cursor.Consume('}')) return cursor.AtEnd();
  while (true) {
    std::string_view key;
    std::string_view value;
    if (!cursor.String(key) || !cursor.Consume(':')) break;
    if (cursor.Peek() == '"') {
      if (!cursor.String(value)) break;
      out.emplace_back(key, value);
    } else {
      if (!cursor.Literal(value)) break;
      if (value != "null") out.emplace_back(key, value);
    }
    if (cursor.Consume(',')) continue;
    if (cursor.Consume('}') && cursor.AtEnd()) return true;
    break;
  }
  out.resize(first_pair);
  return false;
}

}  // namespace costwise::ingest
