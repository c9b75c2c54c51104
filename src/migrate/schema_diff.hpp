// Comparing two `pg_dump --schema-only` outputs object by object, for `migrate verify --roundtrip`:
// which schema objects differ, a unified diff of each, and whether the difference is one a down
// file could have undone at all. Pure functions: no server, no files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentdb::migrate {

// One entry of a dump, as pg_dump heads it: "-- Name: a note; Type: DEFAULT; Schema: public; ...".
struct SchemaObject {
  std::string type;    // TABLE, CONSTRAINT, INDEX, COMMENT, TYPE, ...
  std::string schema;  // "-" for objects outside a schema
  std::string name;    // as pg_dump names it: "a", "a a_pkey", "COLUMN a.note"
  std::string text;    // its statements, leading whitespace kept, one '\n' after each line
};

// The objects of a dump in dump order. The preamble, pg_dump's own comments and the session
// settings (SET ...) between objects are left out: they are not part of any object.
[[nodiscard]] std::vector<SchemaObject> split_dump_objects(std::string_view dump);

enum class DifferenceClass {
  real,          // anything a down file can and should undo
  column_order,  // the same columns in another order: PostgreSQL cannot reorder columns
  enum_values,   // extra enum labels: PostgreSQL cannot drop an enum value
  comment,       // COMMENT ON ..., or a difference in comment lines only
};
[[nodiscard]] std::string_view to_string(DifferenceClass difference_class);

enum class ObjectChange { added, removed, changed };
[[nodiscard]] std::string_view to_string(ObjectChange change);

struct ObjectDifference {
  std::string type;
  std::string schema;
  std::string name;
  ObjectChange change = ObjectChange::changed;
  DifferenceClass difference_class = DifferenceClass::real;
  std::string diff;  // unified diff of the object's text, "--- before" / "+++ after"
};

// What kind of difference separates one object's text before and after; nullopt for a side
// where the object does not exist.
[[nodiscard]] DifferenceClass classify_difference(std::string_view type,
                                                  const std::optional<std::string>& before,
                                                  const std::optional<std::string>& after);

// The objects that differ between two dumps: those of `before` in its order (removed or changed),
// then those only in `after` (added). Empty when the dumps hold the same objects.
[[nodiscard]] std::vector<ObjectDifference> diff_schema_dumps(std::string_view before,
                                                              std::string_view after);

// "INDEX public.a_id"; names pg_dump gives with a space ("TABLE a" of a COMMENT, "a a_pkey" of a
// CONSTRAINT) keep their schema apart: "COMMENT TABLE a (schema public)".
[[nodiscard]] std::string object_label(const ObjectDifference& difference);

// The first changed line of the diff that is not on the other side too (a line that only gained a
// comma says little), cut to 60 characters; for an error line.
[[nodiscard]] std::string telling_changed_line(const ObjectDifference& difference);

// A unified diff ("--- before", "+++ after", "@@ -l,n +l,n @@" hunks with `context` lines around
// each change), or "" when the texts are equal.
[[nodiscard]] std::string unified_diff(std::string_view before, std::string_view after,
                                       int context = 3);

}  // namespace agentdb::migrate
