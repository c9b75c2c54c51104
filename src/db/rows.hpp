// What a query returns, as agentdb's own types: text values copied out of libpq's result, so no
// libpqxx type leaves db/. Conversions follow PostgreSQL's text output (booleans are t/f).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::db {

namespace detail {
struct RowsData {
  std::vector<std::string> columns;
  std::vector<std::optional<std::string>> values;  // row-major
};
}  // namespace detail

// One field. Rows, rows and values share the result's storage, so any of them may outlive the
// others (`auto row = session.exec(...)[0];` is safe, as it is with libpqxx).
class Value {
 public:
  Value(std::shared_ptr<const detail::RowsData> data, std::size_t index, std::size_t column)
      : data_(std::move(data)), text_(&data_->values[index]), column_(data_->columns[column]) {}

  [[nodiscard]] bool is_null() const { return !text_->has_value(); }
  // The text, or "" for NULL.
  [[nodiscard]] const char* c_str() const { return is_null() ? "" : (*text_)->c_str(); }
  [[nodiscard]] std::string_view view() const { return c_str(); }
  [[nodiscard]] std::string_view column() const { return column_; }

  // Throws Error(failure) naming the column on NULL or on text that is not a T.
  template <typename T>
  [[nodiscard]] T as() const;
  // `fallback` for NULL.
  template <typename T>
  [[nodiscard]] T as(T fallback) const {
    return is_null() ? fallback : as<T>();
  }
  template <typename T>
  [[nodiscard]] std::optional<T> get() const {
    return is_null() ? std::nullopt : std::optional<T>(as<T>());
  }

 private:
  std::shared_ptr<const detail::RowsData> data_;
  const std::optional<std::string>* text_;
  std::string_view column_;
};

class Rows;

class Row {
 public:
  Row(std::shared_ptr<const detail::RowsData> data, std::size_t index)
      : data_(std::move(data)), index_(index) {}
  [[nodiscard]] Value operator[](std::size_t column) const;
  // Throws Error(failure) for a column the result does not have.
  [[nodiscard]] Value operator[](std::string_view column) const;
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }

 private:
  std::shared_ptr<const detail::RowsData> data_;
  std::size_t index_;
};

class Rows {
 public:
  Rows() = default;
  Rows(std::vector<std::string> columns, std::vector<std::optional<std::string>> values,
       std::size_t affected_rows);

  [[nodiscard]] std::size_t size() const {
    return data_->columns.empty() ? 0 : data_->values.size() / data_->columns.size();
  }
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] Row operator[](std::size_t row) const { return Row(data_, row); }
  // Throws Error(failure) past the end.
  [[nodiscard]] Row at(std::size_t row) const;
  [[nodiscard]] Row front() const { return at(0); }
  [[nodiscard]] Row back() const { return at(size() - 1); }
  [[nodiscard]] std::size_t columns() const { return data_->columns.size(); }
  [[nodiscard]] const std::string& column_name(std::size_t column) const {
    return data_->columns.at(column);
  }
  // Rows an INSERT, UPDATE or DELETE touched.
  [[nodiscard]] std::size_t affected_rows() const { return affected_rows_; }

  class iterator {
   public:
    using value_type = Row;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const Rows* rows, std::size_t index) : rows_(rows), index_(index) {}
    Row operator*() const { return (*rows_)[index_]; }
    iterator& operator++() {
      ++index_;
      return *this;
    }
    iterator operator++(int) {
      auto before = *this;
      ++index_;
      return before;
    }
    bool operator==(const iterator& other) const { return index_ == other.index_; }

   private:
    const Rows* rows_ = nullptr;
    std::size_t index_ = 0;
  };
  [[nodiscard]] iterator begin() const { return {this, 0}; }
  [[nodiscard]] iterator end() const { return {this, size()}; }

 private:
  std::shared_ptr<const detail::RowsData> data_ = std::make_shared<detail::RowsData>();
  std::size_t affected_rows_ = 0;
};

}  // namespace agentdb::db
