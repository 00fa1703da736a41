/* source_tree.h - paths in the source tree, for the unit tests
 *
 * PARTRACK_SOURCE_DIR is the project's root, defined by tests/CMakeLists.txt
 * for every test. SOURCE_PATH("services/...") is a string literal.
 */
#ifndef PARTRACK_SOURCE_TREE_H
#define PARTRACK_SOURCE_TREE_H

#define SOURCE_PATH(rel) PARTRACK_SOURCE_DIR "/" rel

/* The shipped calendar data. */
#define SHIPPED_CALENDAR SOURCE_PATH("services/deadline/data/calendar-vn.json")

#endif
