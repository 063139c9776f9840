#include "ingest/csv_parser.h"

#include <algorithm>
#include <cstring>

namespace costwise::ingest {

CsvParser::CsvParser(std::string_view block, std::int64_t first_line)
    : block_(block), line_(first_line), special_(block) {
  // Unescaped text is never longer than its source, so views into scratch_ never move.
  scratch_.resize(block.size());
}

const char* CsvParser::FindSpecial(const char* p) {
  return block_.data() + special_.Next(static_cast<std::size_t>(p - block_.data()));
}

void CsvParser::SkipToLineEnd() {
  // Used after a malformed record: resume at the next newline that is outside quotes, as far as
  // this record's own quotes can tell.
  bool in_quotes = false;
  while (pos_ < block_.size()) {
    const char c = block_[pos_++];
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if (c == '\n' || (c == '\r' && (pos_ >= block_.size() || block_[pos_] != '\n'))) {
      ++line_;  // LF, or a CR not followed by LF
      if (!in_quotes) return;
    }
  }
}

CsvParser::Status CsvParser::Next(CsvRecord& record) {
  record.fields.clear();
  record.quoted.clear();
  record.error = {};
  const char* const base = block_.data();
  const char* const end = base + block_.size();
  // Skip blank lines.
  while (pos_ < block_.size() && (block_[pos_] == '\n' || block_[pos_] == '\r')) {
    // A line ends with LF, CRLF or a bare CR (old Mac files, still written by some exporters).
    const bool bare_cr =
        block_[pos_] == '\r' && (pos_ + 1 >= block_.size() || block_[pos_ + 1] != '\n');
    if (block_[pos_] == '\n' || bare_cr) ++line_;
    ++pos_;
  }
  if (pos_ >= block_.size()) return Status::kEnd;
  record.line = line_;
  std::size_t scratch_used = 0;
  while (true) {
    const char* p = base + pos_;
    if (p < end && *p == '"') {
      // Quoted field: runs to the next quote that is not doubled.
      ++p;
      const char* const start = p;
      char* out = scratch_.data() + scratch_used;
      char* const out_start = out;
      bool escaped = false;
      std::int64_t newlines = 0;
      while (true) {
        // The next quote, through the special-character masks; count newlines on the way.
        const char* q = FindSpecial(p);
        while (q < end && *q != '"') {
          // Line ends inside quotes count as lines too: LF, and CR not followed by LF.
          if (*q == '\n' || (*q == '\r' && (q + 1 >= end || q[1] != '\n'))) ++newlines;
          q = FindSpecial(q + 1);
        }
        if (q >= end) {
          line_ += newlines;
          pos_ = block_.size();
          record.error = "a quoted field is not closed before the end of the file";
          return Status::kMalformed;
        }
        if (q + 1 < end && q[1] == '"') {
          // Doubled quote: copy the run so far plus one quote into scratch.
          escaped = true;
          const auto run = static_cast<std::size_t>(q + 1 - p);
          std::memcpy(out, p, run);
          out += run;
          p = q + 2;
          continue;
        }
        line_ += newlines;
        if (escaped) {
          const auto run = static_cast<std::size_t>(q - p);
          std::memcpy(out, p, run);
          out += run;
          record.fields.emplace_back(out_start, static_cast<std::size_t>(out - out_start));
          scratch_used += static_cast<std::size_t>(out - out_start);
        } else {
          record.fields.emplace_back(start, static_cast<std::size_t>(q - start));
        }
        record.quoted.push_back(1);
        p = q + 1;
        break;
      }
      // After the closing quote: a delimiter, a line end or the end of the block.
      if (p < end && *p == '\r') {
        ++p;
        if (p >= end || *p != '\n') {  // a bare CR ends the line
          ++line_;
          pos_ = static_cast<std::size_t>(p - base);
          return Status::kRecord;
        }
      }
      if (p >= end) {
        pos_ = block_.size();
        return Status::kRecord;
      }
      if (*p == ',') {
        pos_ = static_cast<std::size_t>(p + 1 - base);
        continue;
      }
      if (*p == '\n') {
        ++line_;
        pos_ = static_cast<std::size_t>(p + 1 - base);
        return Status::kRecord;
      }
      pos_ = static_cast<std::size_t>(p - base);
      record.error = "unexpected character after a closing quote";
      SkipToLineEnd();
      return Status::kMalformed;
    }
    // Unquoted field.
    const char* q = FindSpecial(p);
    if (q < end && *q == '"') {
      pos_ = static_cast<std::size_t>(q - base);
      record.error = "a quote inside an unquoted field";
      SkipToLineEnd();
      return Status::kMalformed;
    }
    record.fields.emplace_back(p, static_cast<std::size_t>(q - p));
    record.quoted.push_back(0);
    if (q >= end) {
      pos_ = block_.size();
      return Status::kRecord;
    }
    if (*q == ',') {
      pos_ = static_cast<std::size_t>(q + 1 - base);
      if (pos_ == block_.size()) {  // trailing comma at EOF: one more empty field
        record.fields.emplace_back();
        record.quoted.push_back(0);
        return Status::kRecord;
      }
      continue;
    }
    if (*q == '\r') {
      if (q + 1 >= end || q[1] != '\n') {  // a bare CR ends the line
        ++line_;
        pos_ = static_cast<std::size_t>(q + 1 - base);
        return Status::kRecord;
      }
      ++q;
    }
    // *q == '\n'
    ++line_;
    pos_ = static_cast<std::size_t>(q + 1 - base);
    return Status::kRecord;
  }
}

}  // namespace costwise::ingest
