// What Python LaminDB's migrations create on PostgreSQL beyond tables and indexes, as they
// create it (generated into postgres_objects.cc by scripts/dev/postgres_objects_from_dump.py):
// the CHECK functions is_valid_<registry>_type, django-pgtrigger's trigger functions (type
// cycles, a feature's rename history), the CHECK constraints that call the former and the
// triggers (with pgtrigger's hash as their comment) that call the latter. Without them, Python
// writes to an instance lamin made would accept a label type cycle and lose a feature's renames.
#pragma once

#include <string>
#include <vector>

namespace lamin::schema {

// The functions, created before the tables.
const std::vector<std::string>& PostgresFunctions();
// The CHECK constraints, triggers and trigger comments, created after the tables.
const std::vector<std::string>& PostgresTableObjects();

}  // namespace lamin::schema
