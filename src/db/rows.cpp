#include "db/rows.hpp"

#include <charconv>
#include <cstdlib>

#include "core/error.hpp"

namespace agentdb::db {

namespace {

[[noreturn]] void bad_value(std::string_view column, std::string_view text, const char* type) {
  throw Error(ExitCode::failure,
              "column '" + std::string(column) + "': '" + std::string(text) + "' is not " + type);
}

template <typename T>
T integer_of(std::string_view text, std::string_view column) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    bad_value(column, text, "an integer in range");
  return value;
}

}  // namespace

template <typename T>
T Value::as() const {
  if (is_null())
    throw Error(ExitCode::failure, "column '" + std::string(column_) + "' is NULL");
  const std::string& text = **text_;
  if constexpr (std::is_same_v<T, std::string>) {
    return text;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (text == "t" || text == "true" || text == "1")
      return true;
    if (text == "f" || text == "false" || text == "0")
      return false;
    bad_value(column_, text, "a boolean");
  } else if constexpr (std::is_floating_point_v<T>) {
    // strtod also reads PostgreSQL's NaN and Infinity.
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      bad_value(column_, text, "a number");
    return static_cast<T>(value);
  } else {
    return integer_of<T>(text, column_);
  }
}

template std::string Value::as<std::string>() const;
template bool Value::as<bool>() const;
template double Value::as<double>() const;
template float Value::as<float>() const;
template int Value::as<int>() const;
template long Value::as<long>() const;
template long long Value::as<long long>() const;
template unsigned Value::as<unsigned>() const;
template unsigned long Value::as<unsigned long>() const;
template unsigned long long Value::as<unsigned long long>() const;
template short Value::as<short>() const;

Rows::Rows(std::vector<std::string> columns, std::vector<std::optional<std::string>> values,
           std::size_t affected_rows)
    : data_(std::make_shared<detail::RowsData>(
          detail::RowsData{std::move(columns), std::move(values)})),
      affected_rows_(affected_rows) {}

Row Rows::at(std::size_t row) const {
  if (row >= size())
    throw Error(ExitCode::failure, "row " + std::to_string(row) + " of a result of " +
                                       std::to_string(size()) + " rows");
  return Row(data_, row);
}

Value Row::operator[](std::size_t column) const {
  const auto width = data_->columns.size();
  if (column >= width)
    throw Error(ExitCode::failure, "column " + std::to_string(column) + " of a result of " +
                                       std::to_string(width) + " columns");
  return Value(data_, index_ * width + column, column);
}

Value Row::operator[](std::string_view column) const {
  for (std::size_t i = 0; i < data_->columns.size(); ++i) {
    if (data_->columns[i] == column)
      return (*this)[i];
  }
  throw Error(ExitCode::failure, "the result has no column '" + std::string(column) + "'");
}

std::size_t Row::size() const {
  return data_->columns.size();
}

}  // namespace agentdb::db
